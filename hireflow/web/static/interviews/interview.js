// The candidate's one-way AI interview (SPEC E1): consent, questions with timers, text, voice
// or video answers (MediaRecorder), live subtitles where the browser transcribes, resumable
// uploads that survive lost connections and closed tabs (IndexedDB), two-tab detection, the
// candidate's own questions, and live events (server-sent) from the recruiter.
(function () {
  "use strict";
  var root = document.getElementById("interview");
  if (!root) { return; }
  var BASE = root.getAttribute("data-base");
  var SPEECH_LANG = root.getAttribute("data-speech-lang");
  var NOTICE = root.getAttribute("data-notice");
  var RECORDINGS = root.getAttribute("data-recordings") !== "0";
  var UNITS = JSON.parse(root.getAttribute("data-units") || '["%s min", "%s min %s s", "%s s"]');
  var T = JSON.parse(document.getElementById("iv-text-strings").textContent);
  var meta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = meta ? meta.getAttribute("content") : "";
  var CHUNK = 512 * 1024;
  var TAB = randomId();
  var st = null;           // the server's state
  var current = null;      // the question view on screen
  var mode = "text";
  var timer = null;
  var deadlineAt = 0;      // performance-clock ms when the current question's time ends
  var recorder = null, stream = null, chunks = [], recognition = null;
  var autosave = null, lastSaved = "";
  var hiddenSince = 0;
  var busy = false;
  var pendingUploads = 0;  // recordings still being sent (they may finish after the deadline)

  function $(id) { return document.getElementById(id); }
  var SCREENS = ["iv-ready", "iv-question", "iv-pause", "iv-review"];
  var onScreen = "";
  function screen(name) {
    onScreen = name;
    SCREENS.forEach(function (id) { $(id).hidden = id !== name; });
  }
  function show(id, on) { $(id).hidden = !on; }
  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  // How many more recordings a question allows, in words ("once more", "3 more times").
  function rerecordsHint(left) {
    if (left <= 0) return T.no_rerecords;
    return left === 1 ? T.rerecords_once : fmt(T.rerecords_left, { count: left });
  }
  // A time limit as the server words it: 90 s is "1 min 30 s", never a rounded "2 min".
  function duration(seconds) {
    var m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
    var pattern = m && s ? UNITS[1] : m ? UNITS[0] : UNITS[2];
    return pattern.replace("{m}", m).replace("{s}", s);
  }
  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function banner(text) {
    var el = $("iv-banner");
    el.textContent = text; el.hidden = !text;
  }
  function error(text) {
    var el = $("iv-error");
    el.textContent = text || ""; el.hidden = !text;
  }

  // ------------------------------------------------------------------ HTTP

  function request(method, path, body, raw) {
    var headers = { "X-CSRF-Token": CSRF, "Accept": "application/json" };
    var options = { method: method, headers: headers, credentials: "same-origin" };
    if (raw !== undefined) {
      headers["Content-Type"] = "application/octet-stream";
      options.body = raw;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(BASE + path, options).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var err = new Error((data.error && data.error.message) || T.generic_error);
          err.status = response.status;
          err.code = data.error ? data.error.code : "";
          err.fields = data.error ? data.error.fields || {} : {};
          throw err;
        }
        return data;
      });
    });
  }
  function post(path, body) { return request("POST", path, body === undefined ? {} : body); }

  function handle(err) {
    if (err && err.code === "tab_superseded") { superseded(); return; }
    if (err && err.status) { error(err.message); return; }
    error(T.generic_error);
  }

  // ------------------------------------------------------------------ pending uploads (IndexedDB)

  var db = null;
  function openDb() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(null); return; }
      var req = indexedDB.open("hireflow-interview", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("uploads"); };
      req.onsuccess = function () { db = req.result; resolve(db); };
      req.onerror = function () { resolve(null); };
    });
  }
  function idb(method, key, value) {
    return new Promise(function (resolve) {
      if (!db) { resolve(null); return; }
      try {
        var tx = db.transaction("uploads", method === "get" || method === "all" ? "readonly" : "readwrite");
        var store = tx.objectStore("uploads");
        var req = method === "get" ? store.get(key) : method === "put" ? store.put(value, key)
          : method === "delete" ? store.delete(key) : store.getAll();
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { resolve(null); };
      } catch (e) { resolve(null); }
    });
  }
  function pendingKey(qid) { return BASE + "|" + qid; }

  // ------------------------------------------------------------------ state and screens

  function load() {
    return request("GET", "/state").then(function (data) { st = data; render(); return data; });
  }

  function render() {
    clearInterval(timer);
    ["iv-notice", "iv-runner", "iv-done", "iv-human-done"].forEach(function (id) { show(id, false); });
    screen("");
    show("iv-ask", st.status !== "invited");
    renderAsked();
    if (st.status === "submitted" || st.status === "scored" || st.status === "reviewed") { show("iv-done", true); return; }
    if (st.human_review_requested) { show("iv-human-done", true); return; }
    if (Date.parse(st.now) > Date.parse(st.deadline) && !pendingUploads) {
      error(T.deadline_passed);
      return;
    }
    if (st.consent_needed) { show("iv-notice", true); return; }
    show("iv-runner", true);
    var done = st.questions.filter(function (q) { return q.status === "answered" || q.status === "skipped"; }).length;
    $("iv-count").textContent = fmt(T.question_of, { index: Math.min(done + 1, st.total), total: st.total });
    $("iv-bar").style.width = (100 * done / Math.max(1, st.total)) + "%";
    var q = byId(st.current_question_id);
    if (!q) { renderReview(); return; }
    if (q.started && q.accepting) { showQuestion(q); return; }
    $("iv-ready-title").textContent = done === 0 ? T.ready_first : T.ready_next;
    $("iv-ready-text").textContent = fmt(RECORDINGS ? T.time_limit : T.time_limit_text, { limit: duration(q.time_limit_s) });
    screen("iv-ready");
  }

  function byId(id) {
    for (var i = 0; st && i < st.questions.length; i++) { if (st.questions[i].id === id) { return st.questions[i]; } }
    return null;
  }

  function renderReview() {
    var list = $("iv-review-list");
    list.innerHTML = "";
    st.questions.forEach(function (q) {
      var li = document.createElement("li");
      var label = q.status === "answered" ? T.answered : q.status === "skipped" ? T.skipped : T.pending;
      if (q.media_status === "uploading") { label = T.uploading_short; }
      li.textContent = q.text.slice(0, 80) + (q.text.length > 80 ? "…" : "") + " — " + label;
      list.appendChild(li);
    });
    screen("iv-review");
  }

  function renderAsked() {
    var list = $("iv-asked");
    list.innerHTML = "";
    (st.asked || []).forEach(function (a) {
      var li = document.createElement("li");
      var q = document.createElement("b"); q.textContent = a.question; li.appendChild(q);
      var p = document.createElement("p");
      if (a.status === "answered") {
        var src = document.createElement("span"); src.className = "badge";
        src.textContent = a.source === "faq" ? T.source_faq : T.source_opening;
        var quote = document.createElement("blockquote"); quote.textContent = a.quote;
        p.appendChild(src); p.appendChild(quote);
      } else if (a.status === "answered_by_hr") {
        p.textContent = T.hr_reply + ": " + a.hr_answer;
      } else {
        p.textContent = T.forwarded;
      }
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ a question

  function begin() {
    var q = byId(st.current_question_id);
    if (!q || busy) { return; }
    busy = true;
    post("/questions/" + encodeURIComponent(q.id) + "/open", { tab: TAB }).then(function (view) {
      busy = false;
      replaceQuestion(view);
      if (view.status === "answered" || view.status === "skipped") { return load(); }
      showQuestion(view);
    }).catch(function (err) { busy = false; handle(err); });
  }

  function replaceQuestion(view) {
    for (var i = 0; i < st.questions.length; i++) { if (st.questions[i].id === view.id) { st.questions[i] = view; } }
  }

  function showQuestion(q) {
    current = q;
    screen("iv-question");
    $("iv-qnum").textContent = fmt(T.question_of, { index: q.index + 1, total: st.total });
    $("iv-hr-badge").hidden = !q.added_by_hr;
    $("iv-qtext").textContent = q.text;
    $("iv-text").value = q.draft || "";
    lastSaved = q.draft || "";
    deadlineAt = performance.now() + q.remaining_s * 1000;
    tick();
    clearInterval(timer);
    timer = setInterval(tick, 500);
    var coding = !!q.coding;
    show("iv-modes", !coding);
    show("iv-code-pane", coding);
    if (coding) {
      clearInterval(autosave);
      show("iv-text-pane", false);
      show("iv-rec-pane", false);
      $("iv-qtext").textContent = "";
      withCoding(function (c) { c.show(q, codingContext()); });
      return;
    }
    if (window.HireflowCoding) { window.HireflowCoding.hide(); }
    var recorded = q.mode !== "text" && (q.media_status === "stored" || q.media_status === "processed");
    setMode(recorded ? q.mode : (q.mode || "text"), recorded);
    resumePending(q.id);
  }

  // The coding editor is an ES module (coding.js) that may still be loading.
  function withCoding(fn) {
    if (window.HireflowCoding) { fn(window.HireflowCoding); return; }
    document.addEventListener("hireflow-coding-ready", function () { fn(window.HireflowCoding); }, { once: true });
  }
  function codingContext() {
    return { base: BASE, tab: TAB, T: T, request: request, handle: handle, error: error, afterAnswer: afterAnswer };
  }

  function tick() {
    var left = Math.max(0, Math.round((deadlineAt - performance.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    var el = $("iv-timer");
    el.textContent = T.remaining + " " + m + ":" + (s < 10 ? "0" : "") + s;
    el.className = "iv-timer" + (left <= 30 ? " low" : "");
    if (left <= 0) { clearInterval(timer); timeUp(); }
  }

  function timeUp() {
    banner(T.time_up);
    if (current && current.coding) { withCoding(function (c) { c.timeUp(); }); return; }
    if (recorder && recorder.state === "recording") { stopRecording(); return; }
    if (mode === "text") { saveText(true); }
  }

  function setMode(next, recorded) {
    mode = next;
    ["text", "voice", "video"].forEach(function (m) {
      $("iv-mode-" + m).className = m === next ? "" : "secondary";
      $("iv-mode-" + m).setAttribute("aria-selected", m === next ? "true" : "false");
    });
    show("iv-text-pane", next === "text");
    show("iv-rec-pane", next !== "text");
    clearInterval(autosave);
    if (next === "text") {
      autosave = setInterval(function () { saveText(false); }, 5000);
    } else {
      $("iv-preview").hidden = next !== "video";
      var canRecord = canRecordHere();
      $("iv-rec-hint").textContent = canRecord ? "" : T.use_capture;
      show("iv-rec-start", canRecord && !recorded);
      offerCapture(!canRecord && !recorded, next);
      show("iv-rec-stop", false);
      show("iv-rec-again", !!recorded && current && current.rerecords_left > 0);
      show("iv-rec-next", !!recorded);
      if (recorded && current) {
        $("iv-rec-hint").textContent = rerecordsHint(current.rerecords_left);
      }
    }
  }

  function saveText(final) {
    if (!current || busy) { return Promise.resolve(); }
    var text = $("iv-text").value;
    if (!final && text === lastSaved) { return Promise.resolve(); }
    // A question cannot be reopened: an empty answer sent by mistake would lose it for good.
    if (final && !text.trim() && !window.confirm(T.confirm_empty)) { return Promise.resolve(); }
    if (final) { busy = true; clearInterval(autosave); }
    $("iv-saved").textContent = T.saving;
    return request("POST", "/questions/" + encodeURIComponent(current.id) + "/text", { tab: TAB, text: text, final: final })
      .then(function (out) {
        busy = false;
        lastSaved = text;
        $("iv-saved").textContent = T.saved_at + " " + new Date().toLocaleTimeString();
        if (final) { afterAnswer(); }
        return out;
      }).catch(function (err) {
        busy = false;
        if (!err.status) { $("iv-saved").textContent = T.retrying; if (final) { setTimeout(function () { saveText(true); }, 3000); } return; }
        if (err.code === "time_up" || err.code === "question_done") { afterAnswer(); return; }
        handle(err);
      });
  }

  function afterAnswer() {
    clearInterval(timer); clearInterval(autosave);
    stopStream();
    current = null;
    load().then(function () {
      if (st.current_question_id && st.status === "in_progress") { screen("iv-pause"); }
    }).catch(handle);
  }

  // ------------------------------------------------------------------ recording

  function pickType(kind) {
    var options = kind === "video"
      ? ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"]
      : ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
    for (var i = 0; i < options.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(options[i])) { return options[i]; }
    }
    return "";
  }

  // Where the page cannot record (no MediaRecorder, as in older iOS web views such as
  // WeChat's, or the camera was refused), the phone's own camera or voice recorder can: a file
  // input with "capture" opens it, and the file is sent like any recording (resumable).
  function canRecordHere() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  }

  function offerCapture(on, kind) {
    var input = $("iv-capture-input");
    input.setAttribute("accept", kind === "video" ? "video/*" : "audio/*");
    input.setAttribute("capture", kind === "video" ? "user" : "");
    show("iv-capture", on);
  }

  function sendCaptured() {
    var input = $("iv-capture-input");
    var file = input.files && input.files[0];
    if (!file || !current) { return; }
    show("iv-capture", false);
    error("");
    sendRecording(current.id, file, mode, new Date().toISOString());
    input.value = "";
  }

  function startRecording() {
    if (!current) { return; }
    error("");
    var wantVideo = mode === "video";
    navigator.mediaDevices.getUserMedia({ audio: true, video: wantVideo ? { width: 640, height: 480 } : false })
      .then(function (media) {
        stream = media;
        if (wantVideo) { var v = $("iv-preview"); v.srcObject = media; v.hidden = false; v.play().catch(function () {}); }
        var type = pickType(mode);
        var options = type ? { mimeType: type } : {};
        options.audioBitsPerSecond = 48000;
        if (wantVideo) { options.videoBitsPerSecond = 600000; }
        recorder = new MediaRecorder(media, options);
        chunks = [];
        var captured = new Date().toISOString();
        recorder.ondataavailable = function (event) { if (event.data && event.data.size) { chunks.push(event.data); } };
        recorder.onstop = function () {
          var blob = new Blob(chunks, { type: recorder.mimeType || type || (wantVideo ? "video/webm" : "audio/webm") });
          stopStream();
          sendRecording(current.id, blob, mode, captured);
        };
        recorder.start(1000);
        startSubtitles();
        show("iv-rec-start", false); show("iv-rec-again", false); show("iv-rec-next", false);
        show("iv-rec-stop", true);
        $("iv-rec-hint").textContent = T.recording;
      })
      .catch(function () { error(T.media_denied); offerCapture(true, mode); });
  }

  function stopRecording() {
    show("iv-rec-stop", false);
    stopSubtitles();
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
  }

  function stopStream() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    var v = $("iv-preview"); if (v) { v.srcObject = null; }
  }

  function startSubtitles() {
    var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    $("iv-subtitles").textContent = "";
    if (!Recognition) { $("iv-subtitles").textContent = T.subtitles_off; return; }
    try {
      recognition = new Recognition();
      recognition.lang = SPEECH_LANG;
      recognition.continuous = true;
      recognition.interimResults = true;
      recognition.onresult = function (event) {
        var text = "";
        for (var i = 0; i < event.results.length; i++) { text += event.results[i][0].transcript; }
        $("iv-subtitles").textContent = text;
      };
      recognition.onerror = function () { $("iv-subtitles").textContent = T.subtitles_off; };
      recognition.start();
    } catch (e) { $("iv-subtitles").textContent = T.subtitles_off; }
  }
  function stopSubtitles() { try { if (recognition) { recognition.stop(); } } catch (e) { /* already stopped */ } recognition = null; }

  // ------------------------------------------------------------------ resumable upload

  function sendRecording(qid, blob, kind, captured) {
    var record = { qid: qid, blob: blob, mode: kind, type: blob.type, captured: captured, token: null };
    active[qid] = true;  // before the IndexedDB write, so nothing resumes it meanwhile
    idb("put", pendingKey(qid), record).then(function () { upload(record); });
  }

  var active = {};  // question id -> an upload of it is running in this page
  function resumePending(qid) {
    if (active[qid]) { return; }
    idb("get", pendingKey(qid)).then(function (record) {
      if (record && record.blob && !active[record.qid]) { upload(record); }
    });
  }

  function progress(sent, total, text) {
    show("iv-upload", true);
    $("iv-upload-bar").style.width = Math.round(100 * sent / Math.max(1, total)) + "%";
    $("iv-upload-text").textContent = text;
  }

  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function upload(record) {
    active[record.qid] = true;
    pendingUploads += 1;
    var size = record.blob.size;
    var attempt = 0;
    progress(0, size, T.uploading);
    var starting = record.token ? Promise.resolve(record.token)
      : post("/questions/" + encodeURIComponent(record.qid) + "/uploads", {
        tab: TAB, mode: record.mode, content_type: record.type || "application/octet-stream", size: size, captured_at: record.captured
      }).then(function (out) { record.token = out.upload_token; return idb("put", pendingKey(record.qid), record).then(function () { return out.upload_token; }); });

    function status(token) { return request("GET", "/uploads/" + token).then(function (s) { return s; }); }

    function sendFrom(token, offset) {
      if (offset >= size) {
        return post("/uploads/" + token + "/complete").then(function (out) {
          idb("delete", pendingKey(record.qid));
          progress(size, size, T.uploaded);
          if (out.warning_message) { banner(out.warning_message); }
          return out;
        });
      }
      var piece = record.blob.slice(offset, Math.min(size, offset + CHUNK));
      return request("PUT", "/uploads/" + token + "?offset=" + offset, undefined, piece).then(function (out) {
        attempt = 0;
        progress(out.received, size, T.uploading);
        return sendFrom(token, out.received);
      }).catch(function (err) {
        if (err.code === "upload_offset") { return sendFrom(token, parseInt(err.fields.received || "0", 10)); }
        if (err.status) { throw err; }
        // Lost connection: keep trying, forever while the page is open (the recording is safe
        // in IndexedDB, so a closed tab resumes here too).
        attempt += 1;
        progress(offset, size, T.retrying);
        return wait(Math.min(30000, 1000 * Math.pow(2, Math.min(attempt, 5)))).then(function () {
          return status(token).then(function (s) { return sendFrom(token, s.received); }, function (e) {
            if (e.status) { throw e; }
            return sendFrom(token, offset);
          });
        });
      });
    }

    return starting.then(function (token) { return status(token).then(function (s) {
      if (s.status === "complete") { idb("delete", pendingKey(record.qid)); return { status: "answered" }; }
      return sendFrom(token, s.received);
    }); }).then(function () {
      // Stay on the question: the candidate may record again or continue.
      return request("GET", "/state").then(function (data) {
        st = data;
        var q = byId(record.qid);
        if (q && current && q.id === current.id && onScreen === "iv-question") {
          current = q;
          show("iv-rec-start", false);
          show("iv-rec-again", q.rerecords_left > 0 && q.accepting);
          show("iv-rec-next", true);
          $("iv-rec-hint").textContent = rerecordsHint(q.rerecords_left);
        }
      });
    }).catch(function (err) {
      if (err && (err.code || "").indexOf("media_") === 0) {
        idb("delete", pendingKey(record.qid));
        show("iv-upload", false);
        error(err.message);
        if (canRecordHere()) { show("iv-rec-start", true); } else { offerCapture(true, record.mode); }
        return;
      }
      if (err && err.status === 409 && err.code === "upload_closed") { idb("delete", pendingKey(record.qid)); return; }
      handle(err);
    }).then(function () {
      pendingUploads = Math.max(0, pendingUploads - 1);
      delete active[record.qid];
    });
  }

  // ------------------------------------------------------------------ two tabs, live events

  function superseded() {
    ["iv-notice", "iv-runner", "iv-done", "iv-ask"].forEach(function (id) { show(id, false); });
    clearInterval(autosave);
    show("iv-superseded", true);
    clearInterval(timer); clearInterval(autosave);
    if (recorder && recorder.state === "recording") { stopRecording(); }
  }

  var claimedAt = 0;  // the event id of this tab's newest claim: older take-overs are stale
  function claim() {
    return post("/claim", { tab: TAB }).then(function (data) {
      st = data; claimedAt = data.last_event_id; show("iv-superseded", false); render();
    });
  }

  var source = null;
  function listen() {
    if (!window.EventSource || source) { return; }
    source = new EventSource(BASE + "/stream?after=" + (st ? st.last_event_id : 0));
    source.addEventListener("question_added", function () {
      banner(T.question_added);
      request("GET", "/state").then(function (data) {
        st = data;
        if (onScreen === "iv-question" && current) {
          $("iv-qnum").textContent = fmt(T.question_of, { index: current.index + 1, total: st.total });
          $("iv-count").textContent = fmt(T.question_of, { index: current.index + 1, total: st.total });
        } else if (onScreen === "iv-review" || onScreen === "iv-ready") {
          render();
        } else if (onScreen === "iv-pause") {
          var done = st.questions.filter(function (q) { return q.status === "answered" || q.status === "skipped"; }).length;
          $("iv-count").textContent = fmt(T.question_of, { index: Math.min(done + 1, st.total), total: st.total });
        }
      }).catch(function () { /* the next state load shows it */ });
    });
    source.addEventListener("hr_answer", function () {
      banner(T.hr_answered);
      request("GET", "/state").then(function (data) { st.asked = data.asked; renderAsked(); });
    });
    source.addEventListener("tab_claimed", function (event) {
      var data = JSON.parse(event.data || "{}");
      if (parseInt(event.lastEventId || "0", 10) <= claimedAt) { return; }
      if (data.superseded === TAB) { superseded(); }
    });
  }

  // ------------------------------------------------------------------ wiring

  $("iv-consent").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    post("/consent", { tab: TAB, recording: form.recording.checked, ai_assessment: form.ai_assessment.checked, notice_version: NOTICE })
      .then(function (data) { st = data; render(); }).catch(handle);
  });
  $("iv-human").addEventListener("click", function () {
    post("/human-review").then(function (data) { st = data; render(); }).catch(handle);
  });
  $("iv-begin").addEventListener("click", begin);
  $("iv-continue").addEventListener("click", function () {
    banner("");
    // Straight to the next question (its clock starts now); the pause stays until it opens.
    if (st.current_question_id) { begin(); } else { render(); }
  });
  $("iv-text-save").addEventListener("click", function () { saveText(true); });
  ["text", "voice", "video"].forEach(function (m) {
    $("iv-mode-" + m).addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { return; }
      var recorded = current && current.mode !== "text" && (current.media_status === "stored" || current.media_status === "processed");
      setMode(m, recorded && m === current.mode);
    });
  });
  $("iv-rec-start").addEventListener("click", startRecording);
  $("iv-capture-input").addEventListener("change", sendCaptured);
  if (!RECORDINGS) { ["voice", "video"].forEach(function (m) { $("iv-mode-" + m).hidden = true; }); }
  $("iv-rec-stop").addEventListener("click", stopRecording);
  $("iv-rec-again").addEventListener("click", function () {
    if (canRecordHere()) { startRecording(); return; }
    show("iv-rec-again", false); show("iv-rec-next", false);
    offerCapture(true, mode);
  });
  $("iv-rec-next").addEventListener("click", function () { afterAnswer(); });
  $("iv-submit").addEventListener("click", function () {
    var open = st.questions.some(function (q) { return q.status !== "answered" && q.status !== "skipped"; });
    if (open && !window.confirm(T.confirm_submit)) { return; }
    post("/submit", { tab: TAB }).then(function (data) { st = data; render(); }).catch(handle);
  });
  $("iv-claim").addEventListener("click", function () { claim().catch(handle); });
  $("iv-ask-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = event.target.question;
    var text = input.value.trim();
    if (!text) { return; }
    post("/ask", { question: text }).then(function () {
      input.value = "";
      return request("GET", "/state").then(function (data) { st.asked = data.asked; renderAsked(); });
    }).catch(handle);
  });

  document.addEventListener("visibilitychange", function () {
    if (!st || st.status !== "in_progress") { return; }
    var qid = current ? current.id : "";
    if (document.hidden) {
      hiddenSince = Date.now();
      post("/events", { tab: TAB, kind: "tab_hidden", question_id: qid }).catch(function () {});
    } else if (hiddenSince) {
      var seconds = (Date.now() - hiddenSince) / 1000;
      hiddenSince = 0;
      post("/events", { tab: TAB, kind: "tab_visible", question_id: qid, seconds: seconds }).catch(function () {});
    }
  });
  window.addEventListener("offline", function () { show("iv-offline", true); });
  window.addEventListener("online", function () {
    show("iv-offline", false);
    if (current) { resumePending(current.id); }
  });
  setInterval(function () {
    if (st && st.status === "in_progress" && $("iv-superseded").hidden) {
      post("/heartbeat", { tab: TAB, question_id: current ? current.id : "" }).catch(function (err) {
        if (err && err.code === "tab_superseded") { superseded(); }
      });
    }
  }, 15000);

  openDb().then(function () {
    return post("/claim", { tab: TAB });
  }).then(function (data) {
    st = data;
    claimedAt = data.last_event_id;
    render();
    listen();
  }).catch(function (err) {
    if (err && err.status) { error(err.message); return; }
    load().then(listen).catch(handle);
  });
  window.hireflowInterview = { tab: TAB, state: function () { return st; } };
})();
