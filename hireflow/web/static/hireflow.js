// Hireflow page glue: CSRF header for HTMX, the visitor's time zone, and technical-problem reports.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf;
  });
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("hf_tz=") === -1) {
      document.cookie = "hf_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* very old browsers: the server default zone applies */ }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
  var sent = 0;
  function report(kind, message, details) {
    if (sent >= 5) { return; }  // a broken page must not flood the log
    sent += 1;
    var body = JSON.stringify({ kind: kind, message: String(message || "").slice(0, 1000), page: location.pathname, details: details || {} });
    try {
      fetch("/api/v1/telemetry", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: body, credentials: "same-origin", keepalive: true });
    } catch (e) { /* nothing else to do */ }
  }
  window.hireflowReport = report;
  window.addEventListener("error", function (event) {
    report("js_error", event.message, { line: event.lineno || 0, column: event.colno || 0 });
  });
  window.addEventListener("unhandledrejection", function (event) {
    report("js_error", event.reason && event.reason.message ? event.reason.message : "unhandled rejection");
  });
  if (!window.fetch || !window.Promise || !("noModule" in document.createElement("script"))) {
    report("unsupported_browser", "browser lacks fetch/Promise/modules");
    var warn = document.getElementById("old-browser");
    if (warn) { warn.hidden = false; }
  }
})();
