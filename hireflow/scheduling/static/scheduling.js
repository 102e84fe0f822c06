// Scheduling pages: "select all" boxes, and the candidate's device check (SPEC D5).
// The device check only reports whether each part worked (and a round-trip time); failures go
// to the technical log through window.hireflowReport, which carries no personal data.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.hasAttribute || !box.hasAttribute("data-select-all")) { return; }
    var name = box.getAttribute("data-select-all");
    var form = box.form || document;
    form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (item) {
      item.checked = box.checked;
    });
  });

  var root = document.getElementById("device-check");
  if (!root) { return; }
  var button = document.getElementById("run-check");
  var video = document.getElementById("check-video");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var text = {
    ok: root.getAttribute("data-ok"),
    fail: root.getAttribute("data-fail"),
    slow: root.getAttribute("data-slow"),
    running: root.getAttribute("data-running")
  };

  function show(name, state, extra) {
    var item = root.querySelector('[data-check="' + name + '"] span');
    if (!item) { return; }
    item.textContent = (state === "ok" ? "✓ " + text.ok : state === "slow" ? "! " + text.slow :
      state === "running" ? text.running : "✗ " + text.fail) + (extra ? " (" + extra + ")" : "");
    item.setAttribute("data-state", state);
  }

  // Reported like every browser problem (the technical log, SPEC A3), but with the page given
  // as "/i/…": the personal link's token is a credential and never goes into a log.
  var reported = 0;
  function report(message, details) {
    if (reported >= 5) { return; }
    reported += 1;
    try {
      fetch("/api/v1/telemetry", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        credentials: "same-origin",
        keepalive: true,
        body: JSON.stringify({ kind: "device_check", message: String(message).slice(0, 1000), page: "/i/…", details: details || {} })
      });
    } catch (error) { /* nothing else to do */ }
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  async function microphoneLevel(stream) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return 0; }
    var context = new Context();
    var source = context.createMediaStreamSource(stream);
    var analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    var data = new Float32Array(analyser.fftSize);
    var peak = 0;
    for (var i = 0; i < 15; i += 1) {
      await sleep(60);
      analyser.getFloatTimeDomainData(data);
      for (var j = 0; j < data.length; j += 1) { peak = Math.max(peak, Math.abs(data[j])); }
    }
    context.close();
    return peak;
  }

  async function network() {
    var times = [];
    for (var i = 0; i < 3; i += 1) {
      var started = performance.now();
      var response = await fetch(root.getAttribute("data-ping") + "?n=" + Math.random(), { cache: "no-store" });
      await response.arrayBuffer();
      times.push(performance.now() - started);
    }
    times.sort(function (a, b) { return a - b; });
    return Math.round(times[1]);
  }

  // In-app browsers (WeChat, QQ, DingTalk, Feishu...) often cannot record in the page; the
  // candidate is told how to open the link in the phone's own browser instead.
  var inApp = /MicroMessenger|QQ\/|DingTalk|Lark|Feishu|wxwork/i.test(navigator.userAgent || "");

  function ready(ok) {
    var hint = document.getElementById("start-hint");
    var readyText = document.getElementById("start-ready");
    var start = document.getElementById("start-go");
    if (hint) { hint.hidden = true; }
    if (readyText) { readyText.hidden = false; }
    if (start) { start.hidden = false; }
    var inAppNote = document.getElementById("check-inapp");
    if (inAppNote) { inAppNote.hidden = ok || !inApp; }
  }

  async function run() {
    button.disabled = true;
    var result = { camera: false, microphone: false, network_ms: null, browser_ok: false,
      recorder: !!window.MediaRecorder, microphone_silent: false };
    ["browser", "camera", "microphone", "network"].forEach(function (name) { show(name, "running"); });
    result.browser_ok = !!(window.fetch && window.Promise && navigator.mediaDevices &&
      navigator.mediaDevices.getUserMedia && window.MediaRecorder);
    show("browser", result.browser_ok ? "ok" : "fail");
    if (!result.browser_ok) { report("browser lacks media support", { step: "browser", recorder: result.recorder, in_app: inApp }); }
    var stream = null;
    if (result.browser_ok) {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      } catch (error) {
        report("camera/microphone not available: " + (error && error.name), { step: "permission", code: error && error.name });
      }
    }
    if (stream) {
      var videoTrack = stream.getVideoTracks()[0];
      if (videoTrack && videoTrack.readyState === "live") {
        video.srcObject = stream;
        video.style.display = "block";
        try { await video.play(); } catch (error) { /* autoplay blocked: the track itself is what counts */ }
        for (var i = 0; i < 20 && !video.videoWidth; i += 1) { await sleep(100); }
        result.camera = video.videoWidth > 0 || videoTrack.readyState === "live";
      }
      var audioTrack = stream.getAudioTracks()[0];
      if (audioTrack && audioTrack.readyState === "live") {
        var level = await microphoneLevel(stream);
        result.microphone = true;
        result.microphone_silent = !(level > 0.001);
        show("microphone", level > 0.001 ? "ok" : "slow", level > 0.001 ? "" : "silent");
      } else {
        show("microphone", "fail");
      }
    } else {
      show("microphone", "fail");
    }
    show("camera", result.camera ? "ok" : "fail");
    if (!result.camera) { report("camera check failed", { camera: false, step: "camera" }); }
    if (!result.microphone) { report("microphone check failed", { microphone: false, step: "microphone" }); }
    try {
      result.network_ms = await network();
      show("network", result.network_ms < 1500 ? "ok" : "slow", result.network_ms + " ms");
      if (result.network_ms >= 1500) { report("slow connection", { network_ms: result.network_ms, step: "network" }); }
    } catch (error) {
      show("network", "fail");
      report("network check failed", { step: "network" });
    }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    try {
      await fetch(root.getAttribute("data-post"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        credentials: "same-origin",
        body: JSON.stringify(result)
      });
    } catch (error) { report("could not save the device check", { step: "save" }); }
    var ok = result.camera && result.microphone && result.browser_ok;
    var summary = document.getElementById("check-summary");
    if (summary) { summary.hidden = ok; }
    root.setAttribute("data-done", ok ? "ok" : "fail");
    ready(ok);
    button.disabled = false;
  }

  button.addEventListener("click", function () { run(); });
  if (inApp && root.getAttribute("data-done") === "fail") { ready(false); }
})();
