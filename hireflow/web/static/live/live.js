// Live interview room (SPEC E2): WebRTC between the browsers with signalling over the app's
// HTTP API, consent on screen, and the audio of each utterance posted for transcription.
// HR's page also shows the assistant (plan checklist, transcript, hints, time), pushed by the
// server as server-sent events (the speech queue transcribes each posted utterance).
(function () {
  "use strict";
  var root = document.getElementById("live-room");
  if (!root) { return; }
  var api = root.getAttribute("data-api");
  var side = root.getAttribute("data-side");
  var mode = root.getAttribute("data-mode");
  var lang = root.getAttribute("data-lang") || "en";
  var texts = JSON.parse(root.getAttribute("data-texts") || "{}");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var me = null;
  var peers = {};           // peer id -> RTCPeerConnection
  var localStream = null;
  var recording = false;
  var ended = root.getAttribute("data-status") === "ended";
  var lastSignal = 0, lastUtterance = 0, lastHint = 0;
  var segmenters = [];
  // The end of an utterance (bench/live_transcription.py reads PAUSE_MS): that much quiet,
  // "quiet" measured against this speaker's own level rather than a fixed one, so a pause
  // is heard as soon as the level falls well below their speech, loud or soft voice alike.
  var PAUSE_MS = 400;
  var TICK_MS = 20;
  var MIN_LEVEL = 0.004;    // never speech below this (hiss, digital silence)
  var NOISE_RATIO = 3;      // speech stands this far above the room's noise floor
  var SPEECH_RATIO = 0.2;   // and above a fifth (-14 dB) of the speaker's usual speech level

  function $(id) { return document.getElementById(id); }
  function t(key) { return texts[key] || key; }

  function call(method, path, body, isForm) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (body && isForm) { options.body = body; }
    else if (body) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(api + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { var error = new Error("HTTP " + response.status); error.status = response.status; error.data = data; throw error; }
        return data;
      });
    });
  }

  function showError(text) {
    var box = $("media-error");
    if (box) { box.textContent = text; box.hidden = false; }
  }

  // ------------------------------------------------------------------ WebRTC

  function connection(peer) {
    if (peers[peer]) { return peers[peer]; }
    var pc = new RTCPeerConnection({ iceServers: me.ice_servers || [] });
    peers[peer] = pc;
    if (localStream) { localStream.getTracks().forEach(function (track) { pc.addTrack(track, localStream); }); }
    pc.onicecandidate = function (event) {
      if (event.candidate) { call("POST", "/signals", { to: peer, kind: "ice", payload: event.candidate.toJSON() }).catch(function () {}); }
    };
    pc.ontrack = function (event) {
      var id = "remote-" + peer;
      var video = $(id);
      if (!video) {
        video = document.createElement("video");
        video.id = id; video.autoplay = true; video.playsInline = true; video.className = "remote-video";
        $("remotes").appendChild(video);
      }
      video.srcObject = event.streams[0];
      root.setAttribute("data-connected", "1");
    };
    return pc;
  }

  function offerTo(peer) {
    var pc = connection(peer);
    pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); }).then(function () {
      return call("POST", "/signals", { to: peer, kind: "offer", payload: { type: "offer", sdp: pc.localDescription.sdp } });
    }).catch(function () {});
  }

  function onSignal(signal) {
    var pc = connection(signal.from);
    if (signal.kind === "offer") {
      pc.setRemoteDescription(signal.payload).then(function () { return pc.createAnswer(); })
        .then(function (answer) { return pc.setLocalDescription(answer); })
        .then(function () { return call("POST", "/signals", { to: signal.from, kind: "answer", payload: { type: "answer", sdp: pc.localDescription.sdp } }); })
        .catch(function () {});
    } else if (signal.kind === "answer") {
      pc.setRemoteDescription(signal.payload).catch(function () {});
    } else if (signal.kind === "ice") {
      pc.addIceCandidate(signal.payload).catch(function () {});
    } else if (signal.kind === "bye") {
      pc.close(); delete peers[signal.from];
    }
  }

  function meet(present) {
    // The peer with the smaller id makes the offer: never two offers crossing.
    present.forEach(function (item) {
      if (!peers[item.peer] && me.peer < item.peer) { offerTo(item.peer); }
    });
  }

  function pollSignals() {
    if (ended) { return; }
    call("GET", "/signals?after=" + lastSignal).then(function (data) {
      data.signals.forEach(function (signal) { lastSignal = Math.max(lastSignal, signal.id); onSignal(signal); });
      meet(data.peers);
      setRecording(data.recording);
      if (data.status === "ended") { finish(); }
    }).catch(function () {}).then(function () { setTimeout(pollSignals, 700); });
  }

  // ------------------------------------------------------------------ consent and audio

  function setRecording(on) {
    if (on === recording) { return; }
    recording = on;
    var status = $("recording-status");
    if (status) { status.textContent = t(on ? "recording" : "waiting"); }
    root.setAttribute("data-recording", on ? "1" : "0");
    segmenters.forEach(function (s) { s.enabled = on; });
  }

  // One recorder per utterance: speech starts it, PAUSE_MS of quiet (or 10 s of speech) stops
  // it, and the finished file (a complete WebM/Ogg) is posted at once: short chunks on the
  // speaker's pauses keep each transcription short. The level is read from an analyser and
  // compared with two levels this segmenter learns: the noise floor (the quietest moments)
  // and the speaker's speech level (a running average of the moments above that floor).
  function Segmenter(stream, source) {
    this.enabled = recording; this.source = source; this.stream = stream;
    var context = new (window.AudioContext || window.webkitAudioContext)();
    var input = context.createMediaStreamSource(stream);
    this.analyser = context.createAnalyser(); this.analyser.fftSize = 1024;
    input.connect(this.analyser);
    this.buffer = new Float32Array(this.analyser.fftSize);
    this.recorder = null; this.quietSince = 0; this.startedAt = 0;
    this.noise = 0; this.speech = 0;
    var self = this;
    this.timer = setInterval(function () { self.tick(); }, TICK_MS);
    if (context.state === "suspended") { context.resume(); }
  }
  Segmenter.prototype.level = function () {
    this.analyser.getFloatTimeDomainData(this.buffer);
    var sum = 0;
    for (var i = 0; i < this.buffer.length; i++) { sum += this.buffer[i] * this.buffer[i]; }
    return Math.sqrt(sum / this.buffer.length);
  };
  Segmenter.prototype.loud = function (level) {
    // The noise floor follows the quietest moments down at once and rises about 2 % a tick
    // (a fan switched on is the floor within seconds; gaps between words keep it low).
    this.noise = Math.max(1e-4, Math.min(this.noise ? this.noise * 1.015 : level, level));
    var voiced = level > Math.max(MIN_LEVEL, this.noise * NOISE_RATIO);
    if (voiced) { this.speech = this.speech ? this.speech * 0.95 + level * 0.05 : level; }
    return voiced && level > this.speech * SPEECH_RATIO;
  };
  Segmenter.prototype.tick = function () {
    var now = Date.now();
    var loud = this.loud(this.level());
    if (!this.recorder) {
      if (loud && this.enabled && !ended) { this.begin(now); }
      return;
    }
    if (loud) { this.quietSince = 0; } else if (!this.quietSince) { this.quietSince = now; }
    if ((this.quietSince && now - this.quietSince > PAUSE_MS) || now - this.startedAt > 10000 || !this.enabled) { this.end(); }
  };
  Segmenter.prototype.begin = function (now) {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"];
    var type = types.filter(function (x) { return window.MediaRecorder && MediaRecorder.isTypeSupported(x); })[0];
    var audioOnly = new MediaStream(this.stream.getAudioTracks());
    this.recorder = new MediaRecorder(audioOnly, type ? { mimeType: type } : undefined);
    this.parts = []; this.startedAt = now; this.quietSince = 0;
    var self = this, recorder = this.recorder;
    recorder.ondataavailable = function (event) { if (event.data && event.data.size) { self.parts.push(event.data); } };
    recorder.onstop = function () { self.send(new Blob(self.parts, { type: recorder.mimeType || "audio/webm" }), Date.now() - self.startedAt); };
    recorder.start();
  };
  Segmenter.prototype.end = function () {
    var recorder = this.recorder; this.recorder = null;
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
  };
  Segmenter.prototype.send = function (blob, length) {
    if (length < 500 || !blob.size || !this.enabled) { return; }
    var form = new FormData();
    form.append("file", blob, blob.type.indexOf("ogg") >= 0 ? "utterance.ogg" : "utterance.webm");
    form.append("source", this.source);
    root.setAttribute("data-sent", String(Number(root.getAttribute("data-sent") || 0) + 1));
    call("POST", "/audio", form, true).catch(function () {});  // the line comes by the stream
  };

  function consent() {
    var others = $("consent-others");
    var body = { agree: true, for_others: !!(others && others.checked) };
    call("POST", "/consent", body).then(function (data) {
      $("consent").disabled = true;
      $("consent").textContent = "✓";
      setRecording(data.recording);
    }).catch(function () {});
  }

  function startMedia() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { showError(t("no_media")); return Promise.resolve(); }
    var wantVideo = mode === "webrtc";
    return navigator.mediaDevices.getUserMedia({ audio: true, video: wantVideo })
      .catch(function () { return navigator.mediaDevices.getUserMedia({ audio: true, video: false }); })
      .then(function (stream) {
        localStream = stream;
        $("local-video").srcObject = stream;
        segmenters.push(new Segmenter(stream, "microphone"));
      }).catch(function () { showError(t("no_media")); });
  }

  function startCapture() {
    navigator.mediaDevices.getDisplayMedia({ video: true, audio: true }).then(function (stream) {
      if (!stream.getAudioTracks().length) { showError(t("no_media")); return; }
      segmenters.push(new Segmenter(stream, "call"));
      $("start-capture").textContent = t("captured");
      $("start-capture").disabled = true;
    }).catch(function () { showError(t("no_media")); });
  }

  // ------------------------------------------------------------------ the assistant (HR)

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function pick(text) { return (text && (text[lang] || text.en || text.zh)) || ""; }
  function clock(seconds) { var s = Math.max(0, Math.round(seconds)); return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2); }

  function addUtterance(u) {
    if ($("utterance-" + u.id)) { return; }
    lastUtterance = Math.max(lastUtterance, u.id);
    var item = el("li", "utterance " + u.speaker);
    item.id = "utterance-" + u.id;
    item.setAttribute("data-speaker", u.speaker);
    item.appendChild(el("span", "when mono", clock(u.start_s)));
    item.appendChild(el("strong", "who", t(u.speaker) + ": "));
    item.appendChild(el("span", "said", u.text));
    $("transcript").appendChild(item);
  }

  function addHint(h) {
    if ($("hint-" + h.id)) { return; }
    lastHint = Math.max(lastHint, h.id);
    var item = el("li", "hint " + h.kind, pick(h.text));
    item.id = "hint-" + h.id;
    item.setAttribute("data-kind", h.kind);
    $("hints").insertBefore(item, $("hints").firstChild);
  }

  function renderChecklist(list) {
    var box = $("checklist");
    box.textContent = "";
    list.questions.forEach(function (q) {
      var item = el("li", "question" + (q.id === list.current ? " current" : ""));
      item.setAttribute("data-question", q.id);
      item.setAttribute("data-kind", q.kind);
      item.setAttribute("data-status", q.status || (q.asked ? "asked" : "not_asked"));
      item.appendChild(el("span", "text", pick(q.text)));
      var badges = el("span", "badges");
      if (q.required) { badges.appendChild(el("span", "badge required", t("required"))); }
      badges.appendChild(el("span", "badge", q.status ? t(q.status) : t(q.asked ? "asked" : "not_asked")));
      if (q.id === list.current) { badges.appendChild(el("span", "badge", t("current"))); }
      item.appendChild(badges);
      var ask = el("button", "secondary small", t("ask"));
      ask.type = "button";
      ask.addEventListener("click", function () {
        call("PUT", "/question", { question_id: q.id }).then(function (data) { (data.hints || []).forEach(addHint); }).catch(function () {});
      });
      item.appendChild(ask);
      box.appendChild(item);
    });
    var dims = $("competencies");
    dims.textContent = "";
    list.competencies.forEach(function (d) {
      var item = el("li", d.evidence ? "evidence" : "no-evidence", pick(d.name) + " · " + t(d.evidence ? "evidence" : "no_evidence"));
      item.setAttribute("data-competency", d.id);
      dims.appendChild(item);
    });
  }

  var timeBase = null;
  function showTime() {
    if (!timeBase) { return; }
    var passed = recording && !ended ? (Date.now() - timeBase.at) / 1000 : 0;
    var elapsed = timeBase.elapsed_s + passed, left = timeBase.left_s - passed;
    $("time").textContent = t("time").replace("{elapsed}", Math.round(elapsed / 60)).replace("{planned}", Math.round(timeBase.planned_s / 60)).replace("{left}", Math.max(0, Math.round(left / 60)));
  }

  function apply(state) {
    state.utterances.forEach(addUtterance);
    state.hints.forEach(addHint);
    renderChecklist(state.checklist);
    timeBase = { elapsed_s: state.time.elapsed_s, planned_s: state.time.planned_s, left_s: state.time.left_s, at: Date.now() };
    showTime();
    setRecording(state.recording);
    if (state.status === "ended") { finish(); }
  }

  function refresh() {
    return call("GET", "?after_utterance=" + lastUtterance + "&after_hint=" + lastHint).then(apply);
  }

  // The server pushes a "state" event whenever a line, a hint, a consent or the checklist
  // changed; the browser reconnects by itself (Last-Event-ID) after a network hiccup.
  var events = null;
  function listen() {
    if (ended) { return; }
    if (!window.EventSource) { refresh().catch(function () {}).then(function () { setTimeout(listen, 1000); }); return; }
    events = new EventSource(api + "/stream");
    events.addEventListener("state", function (event) {
      root.setAttribute("data-stream", "1");
      apply(JSON.parse(event.data));
    });
    setInterval(showTime, 1000);
  }

  function finish() {
    if (ended && root.getAttribute("data-status") === "ended") { return; }
    ended = true;
    if (events) { events.close(); }
    root.setAttribute("data-status", "ended");
    segmenters.forEach(function (s) { s.enabled = false; s.end(); clearInterval(s.timer); });
    Object.keys(peers).forEach(function (peer) { peers[peer].close(); });
    if (localStream) { localStream.getTracks().forEach(function (track) { track.stop(); }); }
    var status = $("recording-status");
    if (status) { status.textContent = t("ended"); }
  }

  function wireStaff() {
    $("save-notes").addEventListener("click", function () {
      call("PUT", "/notes", { notes: $("notes").value }).then(function () { $("notes-status").textContent = t("saved"); }).catch(function () {});
    });
    var end = $("end-room");
    if (end) {
      end.addEventListener("click", function () {
        end.disabled = true;
        call("PUT", "/notes", { notes: $("notes").value }).then(function () { return call("POST", "/end", {}); }).then(function (room) {
          $("end-result").textContent = t("ended") + (room.job_match !== null ? " (" + Math.round(room.job_match) + "%)" : "");
          finish();
        }).catch(function () { end.disabled = false; });
      });
    }
    var capture = $("start-capture");
    if (capture) { capture.addEventListener("click", startCapture); }
    listen();
  }

  if (ended) { return; }
  call("POST", "/join", {}).then(function (data) {
    me = data;
    $("consent").addEventListener("click", consent);
    // rendered disabled until joined: a click before the handler existed would be lost
    $("consent").disabled = !!data.consented;
    return startMedia();
  }).then(function () {
    if (side === "staff") { wireStaff(); }
    pollSignals();
  }).catch(function (error) { showError(t("refused") + " " + (error.status || "")); });
})();
