// The training simulator's phones (Content-Security-Policy: script-src 'self'; no inline script).
// Every key press goes to the server's real conversations through fetch() with the CSRF token in
// X-CSRFToken; text from the server is only ever set as textContent. Without this script the
// same forms still work, one page load per key.
(function () {
  "use strict";
  var root = document.querySelector("[data-simulator]");
  if (!root || !window.fetch) { return; }
  var tokenTag = document.querySelector('meta[name="csrf-token"]');
  var token = tokenTag ? tokenTag.getAttribute("content") : "";
  var pair = root.getAttribute("data-pair");
  var ussdForm = root.querySelector("[data-ussd-form]");
  var screen = root.querySelector("[data-ussd-screen]");
  var line = root.querySelector("[data-ussd-input]");
  var sessionField = root.querySelector("[data-ussd-session]");
  var textField = root.querySelector("[data-ussd-text]");
  var busy = false;
  var shown = { reporter: "", worker: "", reports: "" };

  function msg(name) { return root.getAttribute("data-msg-" + name) || ""; }

  function say(text) { screen.textContent = text; }

  function request(url, body, background) {
    var options = {
      method: body ? "POST" : "GET",
      credentials: "same-origin",
      // The console sends no Referer by default, but Flask-WTF wants one on HTTPS posts.
      referrerPolicy: "same-origin",
      headers: { "Accept": "application/json" }
    };
    // Polling is the page, not the trainer: it must not keep the session from expiring when idle.
    if (background) { options.headers["X-Hotline-Background"] = "1"; }
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = token;
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") !== 0) {
        throw new Error(msg("login"));  // the login page came back instead of an answer
      }
      if (!response.ok) { throw new Error(msg("failed")); }
      return response.json();
    });
  }

  function fail(error) {
    var status = root.querySelector("[data-sim-status]");
    status.textContent = error && error.message ? error.message : msg("failed");
    status.hidden = false;
  }

  function clearFailure() { root.querySelector("[data-sim-status]").hidden = true; }

  function idle() {
    sessionField.value = "";
    textField.value = "";
    line.value = root.getAttribute("data-service-code");
    say(msg("idle"));
  }

  function press(action) {
    if (busy) { return; }
    busy = true;
    request(root.getAttribute("data-ussd-url"), {
      pair: pair, action: action, session: sessionField.value, text: textField.value,
      input: line.value
    }).then(function (data) {
      clearFailure();
      sessionField.value = data.ussd.session;
      textField.value = data.ussd.text;
      line.value = "";
      say(data.ussd.screen);
      showPhones(data);
    }).catch(fail).then(function () { busy = false; line.focus(); });
  }

  function fillList(list, messages, key) {
    var signature = messages.map(function (m) { return m.id; }).join(",");
    if (signature === shown[key]) { return; }
    shown[key] = signature;
    list.textContent = "";
    if (!messages.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = msg("empty");
      list.appendChild(empty);
      return;
    }
    messages.forEach(function (m) {
      var item = document.createElement("li");
      var at = document.createElement("span");
      at.className = "at";
      at.textContent = m.at;
      item.appendChild(at);
      item.appendChild(document.createTextNode(" " + m.body));
      list.appendChild(item);
    });
    list.scrollTop = list.scrollHeight;
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function fillReports(body, reports) {
    var signature = JSON.stringify(reports);
    if (signature === shown.reports) { return; }
    shown.reports = signature;
    body.textContent = "";
    if (!reports.length) {
      var none = document.createElement("tr");
      cell(none, msg("none")).colSpan = 3;
      body.appendChild(none);
      return;
    }
    reports.forEach(function (r) {
      var row = document.createElement("tr");
      var first = cell(row, r.reference);
      if (r.urgent) {
        var flag = document.createElement("span");
        flag.className = "urgent";
        flag.textContent = " " + msg("urgent");
        first.appendChild(flag);
      }
      cell(row, r.channel);
      cell(row, r.status);
      body.appendChild(row);
    });
  }

  function showPhones(data) {
    fillList(root.querySelector('[data-sms-list="reporter"]'), data.reporter, "reporter");
    fillList(root.querySelector('[data-sms-list="worker"]'), data.worker, "worker");
    fillReports(root.querySelector("[data-sim-reports]"), data.reports);
  }

  function refresh() {
    if (document.visibilityState === "hidden") { return; }
    request(root.getAttribute("data-phones-url"), null, true).then(showPhones).catch(function () {});
  }

  function setMode(mode) {
    root.setAttribute("data-mode", mode);
    root.querySelectorAll("[data-panel]").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-panel") !== mode;
    });
    root.querySelectorAll("[data-mode-button]").forEach(function (button) {
      button.classList.toggle("active", button.getAttribute("data-mode-button") === mode);
    });
  }

  ussdForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    var action = button ? button.value : "send";
    if (button && button.hasAttribute("data-key")) {
      line.value += action;
      line.focus();
    } else if (action === "clear") {
      line.value = "";
      line.focus();
    } else if (action === "hangup") {
      idle();
    } else {
      press("send");
    }
  });

  root.querySelectorAll("[data-sms-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = form.querySelector('[name="text"]');
      var url = form.getAttribute("data-sms-form") === "worker"
        ? root.getAttribute("data-worker-url") : root.getAttribute("data-sms-url");
      request(url, { pair: pair, text: field.value }).then(function (data) {
        field.value = "";
        form.removeAttribute("data-dirty");
        showPhones(data);
      }).catch(fail);
    });
  });

  root.querySelectorAll("[data-mode-button]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      setMode(button.getAttribute("data-mode-button"));
    });
  });

  setMode(root.getAttribute("data-mode"));
  if (!sessionField.value && !screen.textContent.trim()) { idle(); }
  setInterval(refresh, 3000);  // the outbox worker sends in the background: show what arrives
})();
