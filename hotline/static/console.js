// The console's only script (Content-Security-Policy: script-src 'self'; no inline script).
// Pages that ask for it refresh themselves; forms with data-confirm ask before submitting.
(function () {
  "use strict";
  var refresh = document.querySelector("[data-refresh-seconds]");
  if (refresh) {
    var seconds = parseInt(refresh.getAttribute("data-refresh-seconds"), 10);
    if (seconds > 0) {
      setTimeout(function () {
        if (document.querySelector("form[data-dirty]")) { return; }
        // auto=1: the server does not count a reload as the person's action (idle sign-out).
        var url = new URL(window.location.href);
        url.searchParams.set("auto", "1");
        window.location.replace(url.toString());
      }, seconds * 1000);
    }
  }
  document.addEventListener("input", function (event) {
    // A field may belong to a form elsewhere (the inbox's checkboxes: form="bulk").
    var form = event.target.form || (event.target.closest && event.target.closest("form"));
    if (form) { form.setAttribute("data-dirty", "1"); }
  });
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
