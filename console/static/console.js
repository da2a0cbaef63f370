// The dashboard's charts, drawn by ECharts from the figures the page carries (no inline script:
// the pages' Content-Security-Policy allows scripts from this server only).
(function () {
  "use strict";
  function draw() {
    var figures = JSON.parse(document.getElementById("figures").textContent);
    var charts = document.querySelector(".charts");
    // No animation: old office PCs draw the final picture at once, and a screenshot shows it.
    function chart(name) {
      var drawn = echarts.init(document.querySelector('[data-chart="' + name + '"]'));
      var setOption = drawn.setOption.bind(drawn);
      drawn.setOption = function (option) { setOption(Object.assign({ animation: false }, option)); };
      return drawn;
    }
    function bars(name, labels, values, extra) {
      chart(name).setOption(Object.assign({
        tooltip: {}, grid: { left: 40, right: 10, bottom: 60 },
        xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 6 ? 40 : 0 } },
        yAxis: { type: "value" }, series: [{ type: "bar", data: values }]
      }, extra || {}));
    }
    var months = Object.keys(figures.certificates_by_month).sort();
    bars("certificates_by_month", months, months.map(function (m) { return figures.certificates_by_month[m]; }));
    bars("certificates_by_district", figures.districts, figures.certificates_by_district);
    var stars = ["1", "2", "3", "4", "5"];
    bars("stars", stars.map(function (s) { return s + "星"; }), stars.map(function (s) { return figures.stars[s] || 0; }));
    var grades = ["A", "2A", "3A", "4A", "5A"];
    bars("grades", grades, grades.map(function (g) { return figures.grades[g] || 0; }));
    chart("bookings").setOption({
      tooltip: {}, legend: { data: ["预约数", "投诉率%"] }, grid: { left: 40, right: 40, bottom: 60 },
      xAxis: { type: "category", data: figures.districts, axisLabel: { rotate: 40 } },
      yAxis: [{ type: "value" }, { type: "value" }],
      series: [{ name: "预约数", type: "bar", data: figures.bookings_by_district },
               { name: "投诉率%", type: "line", yAxisIndex: 1, data: figures.complaint_rate_by_district }]
    });
    fetch(charts.dataset.outlines, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (outlines) {
      echarts.registerMap("guangzhou", outlines);
      chart("map").setOption({
        tooltip: { formatter: function (p) { return p.name; } },
        geo: { map: "guangzhou", roam: true, label: { show: true, fontSize: 10 }, itemStyle: { areaColor: "#eef3f8" } },
        series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 6, data: figures.stations, itemStyle: { color: "#0b5cad" } }]
      });
      charts.dataset.drawn = "true";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
