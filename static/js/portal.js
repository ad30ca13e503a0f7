// Small behaviours shared by pages; no inline scripts so a strict CSP can be used later.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});

// Buttons with data-confirm ask before their form is sent.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.dataset.confirm && !event.target.matches("#report-form")) {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  }
});
