// The analytics charts (ECharts, vendored): each chart draws the table printed below it, so
// what a person sees in the chart is exactly what the table and the downloads hold.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var percent = function (v) { return v === "" ? null : parseFloat(v); };
  // Bars of the given columns, one bar group per row labelled by `label(row)`.
  var bars = function (d, columns, label, opts) {
    opts = opts || {};
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { bottom: 70, containLabel: true },
      xAxis: { type: "category", data: d.rows.map(label), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", max: opts.max },
      series: columns.map(function (i) {
        return {
          name: d.headers[i], type: "bar", stack: opts.stack,
          data: d.rows.map(function (r) { return (opts.value || function (v) { return v; })(r[i]); })
        };
      })
    };
  };
  var first = function (r) { return r[0]; };
  var pair = function (r) { return r[0] + " · " + r[1]; };
  var draw = {
    // rows: stage, moved on, rejected, withdrew, pass rate
    pass_rates: function (d) { return bars(d, [1, 2, 3], first, { stack: "all" }); },
    // rows: measure, count, median, mean, p90 (hours)
    end_to_end: function (d) { return bars(d, [2, 3, 4], first); },
    // rows: group, value, invited, started, completed, completion %, drop-off %
    completion: function (d) { return bars(d, [5, 6], pair, { value: percent, max: 100 }); },
    // rows: group, value, count, invited, opened, completed, opened %, completed %
    reach: function (d) { return bars(d, [6, 7], pair, { value: percent, max: 100 }); },
    // rows: competency, rank, candidate, opening, score: the best score per competency
    top: function (d) {
      var best = d.rows.filter(function (r) { return r[1] === 1; });
      return bars({ headers: d.headers, rows: best }, [4], first, { max: 10 });
    },
    // rows: interviewer, scorecards, live rounds
    interviewer_load: function (d) { return bars(d, [1, 2], first, { stack: "all" }); },
    // rows: channel, kind, messages, sent, failed, pending, failure %
    deliveries: function (d) { return bars(d, [3, 4, 5], pair, { stack: "all" }); },
    funnel: function (d) {
      return {
        tooltip: { trigger: "item" },
        series: [{
          type: "funnel", sort: "none", minSize: "8%", left: "10%", width: "80%",
          label: { formatter: "{b}: {c}" },
          data: d.rows.map(function (r) { return { name: r[0], value: r[1] }; })
        }]
      };
    },
    stage_time: function (d) {
      return {
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.rows.map(function (r) { return r[0]; }) },
        yAxis: { type: "value", name: d.headers[2] },
        series: [{ type: "bar", data: d.rows.map(function (r) { return r[2]; }) }]
      };
    },
    scores: function (d) {
      var bins = d.headers.slice(3);
      return {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0 },
        xAxis: { type: "category", data: bins },
        yAxis: { type: "value" },
        series: d.rows.map(function (r) { return { name: r[0], type: "line", smooth: true, data: r.slice(3) }; })
      };
    },
    // rows: competency, pairs, QWK, low, high, difference, low, high, flag
    ai_agreement: function (d) {
      return {
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.rows.map(function (r) { return r[0]; }), axisLabel: { interval: 0, rotate: 20 } },
        yAxis: { type: "value", name: d.headers[2], min: -1, max: 1 },
        series: [{
          name: d.headers[2], type: "bar",
          data: d.rows.map(function (r) { return r[2] === "" ? null : r[2]; }),
          markLine: { symbol: "none", data: [{ yAxis: 0.4 }], lineStyle: { type: "dashed" } }
        }]
      };
    },
    ai_recommendation: function (d) {
      return {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: d.rows.map(function (r) { return r[0]; }) },
        yAxis: { type: "value" },
        series: [1, 2].map(function (i) {
          return { name: d.headers[i], type: "bar", stack: "all", data: d.rows.map(function (r) { return r[i]; }) };
        })
      };
    },
    ai_overrides: function (d) {
      return {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: d.rows.map(function (r) { return r[0]; }), axisLabel: { interval: 0, rotate: 20 } },
        yAxis: { type: "value" },
        series: [
          { name: d.headers[1], type: "bar", stack: "all", data: d.rows.map(function (r) { return r[1]; }) },
          { name: d.headers[2], type: "bar", stack: "all", data: d.rows.map(function (r) { return -r[2]; }) }
        ]
      };
    },
    ai_drift: function (d) {
      var months = d.rows.map(function (r) { return r[0]; });
      var line = function (i) {
        return { name: d.headers[i], type: "line", data: d.rows.map(function (r) { return r[i] === "" ? null : r[i]; }) };
      };
      return {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: months },
        yAxis: { type: "value" },
        series: [line(2), line(3)]
      };
    },
    // rows: competency, outcome, n, r, low, high, rho, low, high, SD ratio, corrected r, note
    validity: function (d) {
      var dims = [], outcomes = [], cells = {};
      d.rows.forEach(function (r) {
        if (dims.indexOf(r[0]) < 0) { dims.push(r[0]); }
        if (outcomes.indexOf(r[1]) < 0) { outcomes.push(r[1]); }
        cells[r[0] + "\u0000" + r[1]] = r;
      });
      var value = function (r, i) { return r === undefined || r[i] === "" ? null : r[i]; };
      return {
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var r = cells[p.name + "\u0000" + p.seriesName];
            return p.seriesName + "<br>" + p.name + ": r = " + r[3] + " [" + r[4] + ", " + r[5] + "], n = " + r[2];
          }
        },
        legend: { type: "scroll", bottom: 0 },
        grid: { bottom: 70, containLabel: true },
        xAxis: { type: "category", data: dims, axisLabel: { interval: 0, rotate: 20 } },
        yAxis: { type: "value", name: d.headers[3], min: -1, max: 1 },
        series: outcomes.map(function (o) {
          return { name: o, type: "bar", data: dims.map(function (k) { return value(cells[k + "\u0000" + o], 3); }) };
        })
      };
    },
    // rows: competency, current %, fitted %, proposed %
    validity_weights: function (d) {
      return {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: d.rows.map(function (r) { return r[0]; }), axisLabel: { interval: 0, rotate: 20 } },
        yAxis: { type: "value", name: "%" },
        series: [1, 3].map(function (i) {
          return { name: d.headers[i], type: "bar", data: d.rows.map(function (r) { return r[i]; }) };
        })
      };
    },
    // rows: category, group, outcome, assessed, selected, rate, impact ratio, notes
    bias_audit: function (d) {
      var groups = [], outcomes = [], ratios = {};
      d.rows.forEach(function (r) {
        if (r[6] === "") { return; }
        var group = r[0] + " · " + r[1];
        if (groups.indexOf(group) < 0) { groups.push(group); }
        if (outcomes.indexOf(r[2]) < 0) { outcomes.push(r[2]); }
        ratios[group + "\u0000" + r[2]] = Number(r[6]);
      });
      return {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0 },
        grid: { bottom: 90, containLabel: true },
        xAxis: { type: "category", data: groups, axisLabel: { rotate: 30, interval: 0 } },
        yAxis: { type: "value", name: d.title, min: 0 },
        series: outcomes.map(function (o, i) {
          var s = {
            name: o, type: "bar",
            data: groups.map(function (g) { var v = ratios[g + "\u0000" + o]; return v === undefined ? null : v; })
          };
          if (i === 0) { s.markLine = { symbol: "none", data: [{ yAxis: d.line }], lineStyle: { type: "dashed" } }; }
          return s;
        })
      };
    }
  };
  Array.prototype.forEach.call(document.querySelectorAll(".analytics-chart"), function (box) {
    var data = JSON.parse(box.parentNode.querySelector(".analytics-data").textContent);
    var chart = window.echarts.init(box);
    chart.setOption(draw[box.getAttribute("data-chart")](data));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
