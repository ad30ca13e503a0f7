// Small behaviours shared by pages. The CSP allows no inline scripts or style="" attributes, so
// everything a page does lives here or in another static file.
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

// Progress bars carry their width in data-progress (style="" is refused by the CSP); setting it
// from script is allowed. Runs on load and after every htmx swap (export progress polling).
(function () {
  function showProgress() {
    document.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.dataset.progress + "%";
    });
  }
  showProgress();
  document.addEventListener("htmx:afterSwap", showProgress);
})();
