// HR's interview report: the radar chart (ECharts, vendored) and playback of each recorded
// answer at 1×/1.5×/2× with its transcript; quoted sentences are marked, and clicking any
// sentence jumps to it. A recording is fetched once (one audited view) and played from memory,
// so seeking works whatever the container.
(function () {
  "use strict";
  var chart = document.getElementById("radar");
  if (chart && window.echarts) {
    var data = JSON.parse(chart.getAttribute("data-radar") || "{}");
    var labels = JSON.parse(chart.getAttribute("data-labels") || "{}");
    if (data.names && data.names.length) {
      var radar = window.echarts.init(chart);
      var num = function (v) { return v === null || v === undefined ? 0 : v; };
      radar.setOption({
        legend: { bottom: 0, data: [labels.ai, labels.hr, labels.required] },
        tooltip: {},
        radar: { indicator: data.names.map(function (n) { return { name: n, max: 10 }; }), radius: "62%" },
        series: [{
          type: "radar",
          data: [
            { value: data.ai.map(num), name: labels.ai, areaStyle: { opacity: 0.15 } },
            { value: data.effective.map(num), name: labels.hr, lineStyle: { type: "solid", width: 2 } },
            { value: data.required.map(num), name: labels.required, lineStyle: { type: "dashed" }, symbol: "none" }
          ]
        }]
      });
      window.addEventListener("resize", function () { radar.resize(); });
    }
  }

  function attach(block) {
    var player = block.querySelector(".player");
    if (!player) { return; }
    var button = player.querySelector(".load-media");
    var speeds = player.querySelector(".speed");
    var media = null;
    var spans = Array.prototype.slice.call(block.querySelectorAll(".segments span[data-start]"));

    function load() {
      if (media) { return Promise.resolve(media); }
      button.disabled = true;
      return fetch(player.getAttribute("data-src"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.blob();
        })
        .then(function (blob) {
          media = document.createElement(player.getAttribute("data-kind") === "video" ? "video" : "audio");
          media.controls = true;
          media.preload = "auto";
          media.src = URL.createObjectURL(blob);
          media.className = "answer-media";
          player.insertBefore(media, speeds);
          button.hidden = true;
          speeds.hidden = false;
          media.addEventListener("timeupdate", function () {
            var t = media.currentTime;
            spans.forEach(function (s) {
              var on = t >= parseFloat(s.getAttribute("data-start")) && t < parseFloat(s.getAttribute("data-end"));
              s.classList.toggle("playing", on);
            });
          });
          return media;
        })
        .catch(function () { button.disabled = false; });
    }

    button.addEventListener("click", function () { load().then(function (m) { if (m) { m.play().catch(function () {}); } }); });
    button.disabled = false;  // rendered disabled: a click before this script ran would be lost
    Array.prototype.forEach.call(speeds.querySelectorAll("button"), function (b) {
      b.addEventListener("click", function () {
        if (!media) { return; }
        media.playbackRate = parseFloat(b.getAttribute("data-rate"));
        Array.prototype.forEach.call(speeds.querySelectorAll("button"), function (o) { o.classList.toggle("active", o === b); });
      });
    });
    spans.forEach(function (s) {
      s.addEventListener("click", function () {
        load().then(function (m) {
          if (!m) { return; }
          m.currentTime = parseFloat(s.getAttribute("data-start"));
          m.play().catch(function () {});
        });
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".answer-block"), attach);

  // A submitted interview being scored: look again shortly, so the report appears by itself.
  var waiting = document.getElementById("report-waiting");
  if (waiting && waiting.getAttribute("data-refresh")) {
    setTimeout(function () { window.location.reload(); }, 1000 * parseInt(waiting.getAttribute("data-refresh"), 10));
  }
})();
