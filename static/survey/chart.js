// Draw the Plotly figure that the server built (JSON in <script id="history-figure">).
(function () {
  "use strict";
  var data = document.getElementById("history-figure");
  var target = document.getElementById("history-chart");
  if (!data || !target || !window.Plotly) return;
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(target, figure.data, figure.layout, { responsive: true, displaylogo: false });
})();
