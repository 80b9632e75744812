// The language menu submits its form when it changes (a file, not an inline handler: the
// Content-Security-Policy allows no inline script, issue 11 item 8).
document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
