// The deep-linking response goes back to the LMS by itself (the button is there without JavaScript).
document.querySelectorAll("form[data-lti-autosubmit]").forEach(function (form) { form.submit(); });
