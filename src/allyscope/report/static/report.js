/* Draw every figure of the report from its embedded JSON (no network access). */
(function () {
  "use strict";
  var config = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };
  if (window.ALLYSCOPE_TOPOJSON) {
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
    window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
    for (var k in window.ALLYSCOPE_TOPOJSON) {
      window.PlotlyGeoAssets.topojson[k] = window.ALLYSCOPE_TOPOJSON[k];
    }
  }
  var plots = document.querySelectorAll(".plot[data-figure]");
  plots.forEach(function (el) {
    var src = document.getElementById("data-" + el.getAttribute("data-figure"));
    if (!src) { return; }
    var fig = JSON.parse(src.textContent);
    Plotly.newPlot(el, fig.data, fig.layout, config);
  });
  function resizeAll() {
    plots.forEach(function (el) { if (el.data) { Plotly.Plots.resize(el); } });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
