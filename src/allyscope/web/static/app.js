/* Draw every figure on the page from its embedded JSON; map geometry is served locally. */
(function () {
  "use strict";
  var config = {
    displaylogo: false,
    responsive: true,
    topojsonURL: "/static/app/topojson/",
    modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };
  document.querySelectorAll(".plot[data-figure]").forEach(function (el) {
    var src = document.getElementById("data-" + el.getAttribute("data-figure"));
    if (!src || typeof Plotly === "undefined") { return; }
    var fig = JSON.parse(src.textContent);
    Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {
      el.setAttribute("data-rendered", "true");
    });
  });
})();
