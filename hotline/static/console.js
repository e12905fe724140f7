// The console's only script (Content-Security-Policy: script-src 'self'; no inline script).
// Pages that ask for it refresh themselves; forms with data-confirm ask before submitting; on a
// phone, the menu and the inbox's filters fold behind a button (data-fold); a text box with
// data-maxlength counts its characters and refuses to be sent too long, instead of cutting it.
// Without this script every page still works: nothing is folded and the server refuses long text.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fold]");
    if (!button) { return; }
    var target = document.getElementById(button.getAttribute("data-fold"));
    if (!target) { return; }
    var open = !target.classList.contains("open");
    target.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  function count(box) {
    var limit = parseInt(box.getAttribute("data-maxlength"), 10);
    var counter = document.getElementById(box.getAttribute("aria-describedby") || "");
    var length = box.value.length;
    var over = length > limit;
    if (counter) {
      var template = counter.getAttribute(over ? "data-over" : "data-count") || "{count} / {limit}";
      counter.textContent = template.replace("{count}", length).replace("{limit}", limit);
      counter.classList.toggle("over", over);
    }
    box.setCustomValidity(over ? (counter ? counter.textContent : String(limit)) : "");
  }
  document.querySelectorAll("textarea[data-maxlength], input[data-maxlength]").forEach(function (box) {
    count(box);
    box.addEventListener("input", function () { count(box); });
  });
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
