// draws every chart of the analysis page from the data the page embeds (no inline script,
// so the Content-Security-Policy stays strict). Each chart's numbers are also in its table.
(function () {
  "use strict";
  var node = document.getElementById("oms-charts");
  if (!node || typeof echarts === "undefined") {
    return;
  }
  var charts = JSON.parse(node.textContent);
  // Amounts arrive as exact decimal strings (the server keeps money in Decimal); ECharts plots numbers.
  function numbers(values) { return values.map(Number); }
  // Many labels, or several long ones (Chinese step names), are tilted so that they do not overlap.
  function tilted(labels) {
    return labels.length > 6 || (labels.length > 3 && labels.some(function (l) { return String(l).length > 4; }));
  }
  var drawn = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = charts[el.getAttribute("data-chart")];
    if (!spec || !spec.x || spec.x.length === 0) {
      return;
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var names = Object.keys(spec.series || {});
    var option;
    if (spec.type === "pie") {
      option = {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          data: spec.x.map(function (label, i) { return { name: label, value: Number(spec.series[names[0]][i]) }; })
        }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 48, right: names.length > 1 ? 56 : 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: spec.x, axisLabel: { interval: 0, rotate: tilted(spec.x) ? 30 : 0 } },
        yAxis: names.map(function (name, i) { return { type: "value", name: i === 0 ? "" : name, position: i === 0 ? "left" : "right" }; }),
        series: names.map(function (name, i) {
          return { name: name, type: spec.type === "line" ? "line" : "bar", yAxisIndex: i, data: numbers(spec.series[name]), smooth: true };
        })
      };
    }
    chart.setOption(option);
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
