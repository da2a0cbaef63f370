// The console's charts, drawn by ECharts from the figures the page carries (no inline script:
// the pages' Content-Security-Policy allows scripts from this server only). Every figure is a
// chart as the statistics API answers it: {keys, labels, series: [{key, name, data}]}.
(function () {
  "use strict";
  // No animation: old office PCs draw the final picture at once, and a screenshot shows it.
  function chart(element) {
    var drawn = echarts.init(element);
    return { setOption: function (option) { drawn.setOption(Object.assign({ animation: false }, option)); } };
  }
  function keysOf(text) { return text ? text.split(",") : []; }
  function at(figures, path) {
    return path.split(".").reduce(function (found, name) { return found && found[name]; }, figures);
  }
  function percent(value) { return Math.round(value * 1000) / 10 + "%"; }

  // A [data-chart] element draws the chart its name points to (e.g. "bookings.by_district"):
  // data-series the series drawn as bars (every series when not given), data-lines those drawn
  // as lines, on a second axis of their own when data-line-axis (shares when data-rates),
  // data-stack stacks the bars.
  function draw(element, figure) {
    var lines = keysOf(element.dataset.lines), bars = keysOf(element.dataset.series);
    var shown = figure.series.filter(function (s) {
      return bars.length ? bars.indexOf(s.key) >= 0 || lines.indexOf(s.key) >= 0 : true;
    });
    var rates = element.dataset.rates === "true", ownAxis = element.dataset.lineAxis === "true";
    chart(element).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: shown.map(function (s) { return s.name; }), type: "scroll" },
      grid: { left: 48, right: ownAxis ? 56 : 16, bottom: 64, top: 48 },
      xAxis: { type: "category", data: figure.labels, axisLabel: { rotate: figure.labels.length > 6 ? 40 : 0 } },
      yAxis: [{ type: "value", minInterval: 1 }].concat(ownAxis ? [{
        type: "value", axisLabel: rates ? { formatter: percent } : {}
      }] : []),
      series: shown.map(function (s) {
        var line = lines.indexOf(s.key) >= 0;
        return {
          name: s.name, data: s.data, type: line ? "line" : "bar", yAxisIndex: line && ownAxis ? 1 : 0,
          stack: !line && element.dataset.stack === "true" ? "all" : undefined, connectNulls: false
        };
      })
    });
  }

  // One station's figures (station staff): each series a bar of its own, the station's value.
  function transposed(element, figure) {
    var shown = figure.series.filter(function (s) { return keysOf(element.dataset.series).indexOf(s.key) >= 0; });
    var rates = element.dataset.rates === "true";
    chart(element).setOption({
      tooltip: {}, grid: { left: 56, right: 16, bottom: 48 },
      xAxis: { type: "category", data: shown.map(function (s) { return s.name; }) },
      yAxis: { type: "value", axisLabel: rates ? { formatter: percent } : {}, max: rates ? 1 : undefined },
      series: [{ type: "bar", data: shown.map(function (s) { return s.data.length ? s.data[0] : 0; }) }]
    });
  }

  // The stations on the districts' outlines, each marker coloured by the booking figure chosen.
  function stationsMap(figures, charts) {
    var element = document.querySelector('[data-chart="map"]');
    var choice = document.querySelector("[data-map-figure]");
    var byStation = figures.bookings.by_station;
    function markers(key) {
      var series = byStation.series.filter(function (s) { return s.key === key; })[0];
      var values = {};
      byStation.keys.forEach(function (code, i) { values[code] = series.data[i]; });
      // A station without bookings in the period has counts of 0 and rates of nothing (null).
      var missing = /_rate$/.test(key) ? null : 0;
      return figures.stations.map(function (station) {
        var value = values[station.code];
        return { name: station.name, value: station.value.concat([value === undefined ? missing : value]) };
      });
    }
    return fetch(charts.dataset.outlines, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (outlines) {
      echarts.registerMap("guangzhou", outlines);
      var map = chart(element);
      function paint() {
        var all = markers(choice.value);
        var data = all.filter(function (d) { return d.value[2] !== null; });
        var none = all.filter(function (d) { return d.value[2] === null; });
        var numbers = data.map(function (d) { return d.value[2]; });
        var rates = /_rate$/.test(choice.value);
        map.setOption({
          tooltip: { formatter: function (p) {
            var v = p.value && p.value[2];
            return p.name + (v === null || v === undefined ? "" : "：" + (rates ? percent(v) : v));
          } },
          geo: { map: "guangzhou", roam: true, label: { show: true, fontSize: 10 }, itemStyle: { areaColor: "#eef3f8" } },
          visualMap: {
            type: "continuous", dimension: 2, seriesIndex: 0, min: 0,
            max: rates ? 1 : Math.max.apply(null, numbers.concat([1])),
            inRange: { color: ["#9ecae1", "#08306b"] }, calculable: false,
            formatter: rates ? percent : undefined, left: 8, bottom: 8
          },
          series: [
            { type: "scatter", coordinateSystem: "geo", symbolSize: 7, data: data },
            { type: "scatter", coordinateSystem: "geo", symbolSize: 5, data: none, itemStyle: { color: "#999" } }
          ]
        });
      }
      paint();
      choice.addEventListener("change", paint);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("figures");
    var charts = document.querySelector(".charts");
    if (!source || !charts) { return; }
    var figures = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.chart === "map") { return; }
      var figure = at(figures, element.dataset.chart);
      if (element.dataset.transpose === "true") { transposed(element, figure); } else { draw(element, figure); }
    });
    var done = function () { charts.dataset.drawn = "true"; };
    if (charts.dataset.outlines) { stationsMap(figures, charts).then(done); } else { done(); }
  });
})();
