// The console's charts, drawn by ECharts from the figures the page carries (no inline script:
// the pages' Content-Security-Policy allows scripts from this server only).
(function () {
  "use strict";
  // No animation: old office PCs draw the final picture at once, and a screenshot shows it.
  function chart(element) {
    var drawn = echarts.init(element);
    return { setOption: function (option) { drawn.setOption(Object.assign({ animation: false }, option)); } };
  }
  function named(name) { return document.querySelector('[data-chart="' + name + '"]'); }
  function bars(element, labels, values) {
    chart(element).setOption({
      tooltip: {}, grid: { left: 40, right: 10, bottom: 60 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 6 ? 40 : 0 } },
      yAxis: { type: "value" }, series: [{ type: "bar", data: values }]
    });
  }
  function operatorCharts(figures, charts) {
    var months = Object.keys(figures.certificates_by_month).sort();
    bars(named("certificates_by_month"), months, months.map(function (m) { return figures.certificates_by_month[m]; }));
    bars(named("certificates_by_district"), figures.districts, figures.certificates_by_district);
    var stars = ["1", "2", "3", "4", "5"];
    bars(named("stars"), stars.map(function (s) { return s + "星"; }), stars.map(function (s) { return figures.stars[s] || 0; }));
    var grades = ["A", "2A", "3A", "4A", "5A"];
    bars(named("grades"), grades, grades.map(function (g) { return figures.grades[g] || 0; }));
    chart(named("bookings")).setOption({
      tooltip: {}, legend: { data: ["预约数", "投诉率%"] }, grid: { left: 40, right: 40, bottom: 60 },
      xAxis: { type: "category", data: figures.districts, axisLabel: { rotate: 40 } },
      yAxis: [{ type: "value" }, { type: "value" }],
      series: [{ name: "预约数", type: "bar", data: figures.bookings_by_district },
               { name: "投诉率%", type: "line", yAxisIndex: 1, data: figures.complaint_rate_by_district }]
    });
    fetch(charts.dataset.outlines, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (outlines) {
      echarts.registerMap("guangzhou", outlines);
      chart(named("map")).setOption({
        tooltip: { formatter: function (p) { return p.name; } },
        geo: { map: "guangzhou", roam: true, label: { show: true, fontSize: 10 }, itemStyle: { areaColor: "#eef3f8" } },
        series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 6, data: figures.stations, itemStyle: { color: "#0b5cad" } }]
      });
      charts.dataset.drawn = "true";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var figures = JSON.parse(document.getElementById("figures").textContent);
    var charts = document.querySelector(".charts");
    // A page's plain bar charts: each [data-bars] element draws figures[its name] ({label: count}).
    document.querySelectorAll("[data-bars]").forEach(function (element) {
      var counts = figures[element.dataset.bars];
      bars(element, Object.keys(counts), Object.values(counts));
    });
    if (charts.dataset.outlines) { operatorCharts(figures, charts); } else { charts.dataset.drawn = "true"; }
  });
})();
