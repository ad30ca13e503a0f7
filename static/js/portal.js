// Small behaviours shared by pages; no inline scripts so a strict CSP can be used later.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});
