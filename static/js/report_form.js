// Keeps a clerk's typing safe in the browser (localStorage) until the server has it, warns before
// leaving with unsaved changes, and asks before submitting.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var key = "report-backup-" + form.dataset.report;
  var version = form.dataset.version;
  var dirty = false;
  var banner = document.getElementById("local-backup");
  var dirtyNote = form.querySelector("[data-dirty-note]");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "version" && el.type !== "submit";
    });
  }
  function snapshot() {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.value; });
    return values;
  }
  // What the server sent, not what is on screen now: a browser may refill the form itself when
  // the page is opened again, and that must not hide the backup.
  function served(el) {
    if (el.tagName === "SELECT") {
      var chosen = Array.prototype.find.call(el.options, function (o) { return o.defaultSelected; });
      return chosen ? chosen.value : (el.options[0] ? el.options[0].value : "");
    }
    return el.defaultValue;
  }
  function differsFromServer(values) {
    return fields().some(function (el) { return el.name in values && values[el.name] !== served(el); });
  }
  function save() {
    try {
      localStorage.setItem(key, JSON.stringify({ version: version, at: new Date().toISOString(), values: snapshot() }));
    } catch (e) { /* storage full or disabled: the server save still works */ }
  }

  function markDirty() {
    dirty = true;
    dirtyNote.hidden = false;
  }

  // Typing can start before this script has run (an old PC, a slow intranet): whatever differs
  // from what the server sent at this point was typed by the clerk and is kept like later typing.
  var typedEarly = differsFromServer(snapshot());
  var stored = null;
  try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
  // A backup taken on this same version that differs from what the server sent is unsaved work:
  // offer it. The restore button uses this copy, so later typing may overwrite the stored one.
  if (stored && stored.version === version && differsFromServer(stored.values)) {
    banner.querySelector("[data-backup-time]").textContent = new Date(stored.at).toLocaleString("zh-CN");
    banner.classList.remove("d-none");
  } else {
    localStorage.removeItem(key);
  }
  // The server shows the form again with the clerk's text when it could not save it.
  if (typedEarly || form.hasAttribute("data-unsaved")) {
    markDirty();
    save();
  }
  banner.querySelector("[data-backup-restore]").addEventListener("click", function () {
    fields().forEach(function (el) { if (el.name in stored.values) el.value = stored.values[el.name]; });
    banner.classList.add("d-none");
    markDirty();
    save();
  });
  banner.querySelector("[data-backup-discard]").addEventListener("click", function () {
    banner.classList.add("d-none");
    // What is on screen now (typed since the page opened) is still worth keeping.
    if (dirty) save(); else localStorage.removeItem(key);
  });

  form.addEventListener("input", function () {
    markDirty();
    save();
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    dirty = false;
    // Back where the clerk was after the page reloads, with 「草稿已保存」 in the bar in view.
    try { sessionStorage.setItem(key + "-scroll", String(window.scrollY)); } catch (e) { /* no storage */ }
  });
  (function restorePosition() {
    var saved = null;
    try { saved = sessionStorage.getItem(key + "-scroll"); sessionStorage.removeItem(key + "-scroll"); } catch (e) { saved = null; }
    if (saved !== null && (document.getElementById("saved-note") || form.hasAttribute("data-unsaved"))) {
      window.scrollTo(0, parseInt(saved, 10) || 0);
    }
  })();
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
