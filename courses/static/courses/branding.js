// The branding page's live preview and contrast check (issue 13 item 4). A file of its own: the
// Content-Security-Policy allows no inline script. The server checks the contrast again (branding_update):
// this only shows it while typing. Messages come translated in the preview's data-msg-* attributes.
(function () {
  "use strict";
  var preview = document.querySelector("[data-testid=branding-preview]");
  if (!preview) { return; }
  var HEX = /^#[0-9a-fA-F]{6}$/;
  var WHITE = "#ffffff", DARK = "#111827", AA = 4.5;

  function channel(v) { var c = v / 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }
  function luminance(hex) {
    return 0.2126 * channel(parseInt(hex.slice(1, 3), 16)) + 0.7152 * channel(parseInt(hex.slice(3, 5), 16)) +
      0.0722 * channel(parseInt(hex.slice(5, 7), 16));
  }
  function ratio(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function textOn(bg) { return ratio(WHITE, bg) >= ratio(DARK, bg) ? WHITE : DARK; }
  function formatted(n) {
    var lang = document.documentElement.lang || "en";
    return (Math.floor(n * 100) / 100).toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function update(kind) {
    var hex = document.getElementById("b-" + kind);
    var swatch = document.getElementById("b-" + kind + "-swatch");
    var out = preview.ownerDocument.querySelector("[data-contrast=" + kind + "]");
    var value = hex.value.trim();
    if (!HEX.test(value)) {
      out.textContent = preview.getAttribute("data-msg-invalid");
      out.classList.add("low");
      return;
    }
    swatch.value = value.toLowerCase();
    var text = kind === "primary" ? WHITE : textOn(value);
    var r = ratio(text, value);
    preview.style.setProperty("--preview-" + (kind === "primary" ? "brand" : "accent"), value);
    if (kind === "accent") { preview.style.setProperty("--preview-accent-text", text); }
    out.textContent = preview.getAttribute(r >= AA ? "data-msg-ok" : "data-msg-low").replace("{ratio}", formatted(r));
    out.classList.toggle("low", r < AA);
  }

  ["primary", "accent"].forEach(function (kind) {
    var hex = document.getElementById("b-" + kind);
    var swatch = document.getElementById("b-" + kind + "-swatch");
    swatch.addEventListener("input", function () { hex.value = swatch.value; update(kind); });
    hex.addEventListener("input", function () { update(kind); });
    update(kind);
  });
  var name = document.getElementById("b-name");
  var title = preview.querySelector("[data-preview-title]");
  name.addEventListener("input", function () { title.textContent = name.value; });
})();
