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

// The session ends after a while without a request (settings.SESSION_IDLE_SECONDS): say so five
// minutes before (or at four fifths of a shorter timeout), and let the user stay; typing in a long form keeps the session too.
(function () {
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (!idle) return;
  var warnAfter = Math.max(idle - 300, idle * 0.8) * 1000;
  var last = Date.now();
  var lastPing = Date.now();
  var banner = null;
  function hide() { if (banner) { banner.remove(); banner = null; } }
  function ping() {
    lastPing = Date.now();
    fetch(body.dataset.keepalive, { credentials: "same-origin" }).then(function (response) {
      if (response.ok) { last = Date.now(); hide(); }
    });
  }
  function show() {
    if (banner) return;
    banner = document.createElement("div");
    banner.className = "alert alert-warning shadow idle-warning";
    banner.setAttribute("role", "alert");
    banner.id = "idle-warning";
    var minutes = Math.max(1, Math.round((idle * 1000 - warnAfter) / 60000));
    banner.textContent = "您已较长时间没有操作，约 " + minutes + " 分钟后将自动退出登录。正在填写的内容已暂存在本机。";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-primary ms-2";
    button.textContent = "继续使用";
    button.addEventListener("click", ping);
    banner.appendChild(button);
    body.appendChild(banner);
    button.focus();
  }
  setInterval(function () { if (Date.now() - last >= warnAfter) show(); }, 10000);
  document.addEventListener("input", function () { if (Date.now() - lastPing > 300000) ping(); });
  document.addEventListener("htmx:afterRequest", function () { last = Date.now(); });
})();
