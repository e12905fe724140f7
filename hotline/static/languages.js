// The review page's live count: as a reviewer types, each phone preview counts again the screen's
// characters (folded to ASCII, against 160) or the SMS's GSM-7 parts. A guide only: the server's
// checks decide when the text is saved or previewed (hotline/languages/checks.py).
(function () {
  "use strict";
  var box = document.querySelector("textarea[data-live]");
  if (!box) { return; }
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "^{}\\[~]|€\f";
  var SPECIAL = { "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'", "“": "\"",
    "”": "\"", "«": "\"", "»": "\"", "–": "-", "—": "-", "…": "...", "\u00a0": " ", "\u202f": " ",
    "ɛ": "e", "Ɛ": "E", "ɔ": "o", "Ɔ": "O" };

  function foldChar(ch) {
    if (SPECIAL[ch] !== undefined) { return SPECIAL[ch]; }
    return ch.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x00-\x7f]/g, "");
  }
  function fold(text) { return Array.from(text).map(foldChar).join(""); }
  function fill(text, values) {
    return text.replace(/\{([a-z_]+)[^}]*\}/g, function (_, name) { return values[name] || ""; });
  }
  function septets(text) {
    var count = 0;
    Array.from(text).forEach(function (ch) {
      var kept = GSM.indexOf(ch) >= 0 || EXTENSION.indexOf(ch) >= 0 ? ch : foldChar(ch);
      Array.from(kept).forEach(function (c) {
        if (EXTENSION.indexOf(c) >= 0) { count += 2; } else if (GSM.indexOf(c) >= 0) { count += 1; }
      });
    });
    return count;
  }
  function number(element, name) { return parseInt(element.getAttribute(name), 10) || 0; }

  function update() {
    var text = box.value.trim();
    document.querySelectorAll("figure.phone").forEach(function (figure) {
      var values = JSON.parse(figure.getAttribute("data-values") || "{}");
      var length = number(figure, "data-fixed") + number(figure, "data-times") * fold(fill(text, values)).length;
      figure.querySelector(".count").textContent = String(length);
      figure.classList.toggle("over", length > number(figure, "data-limit"));
    });
    document.querySelectorAll("figure.sms").forEach(function (figure) {
      var values = JSON.parse(figure.getAttribute("data-values") || "{}");
      var total = number(figure, "data-fixed") + number(figure, "data-times") * septets(fill(text, values));
      var parts = total <= 160 ? 1 : Math.ceil(total / 153);
      figure.querySelector(".parts").textContent = String(parts);
      figure.classList.toggle("over", parts > number(figure, "data-budget"));
    });
  }
  box.addEventListener("input", update);
})();
