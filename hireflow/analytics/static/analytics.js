// The analytics charts (ECharts, vendored): each chart draws the table printed below it, so
// what a person sees in the chart is exactly what the table and the downloads hold.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var draw = {
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
    }
  };
  Array.prototype.forEach.call(document.querySelectorAll(".analytics-chart"), function (box) {
    var data = JSON.parse(box.parentNode.querySelector(".analytics-data").textContent);
    var chart = window.echarts.init(box);
    chart.setOption(draw[box.getAttribute("data-chart")](data));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
