/*
 * Draws the dashboard's charts (templates/reports/dashboard.html) from the JSON the page embeds;
 * the same figures are in the tables under each chart. Chart.js is vendored in
 * static/vendor/chartjs and loaded only on this page.
 */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#6c757d", "#20c997"];
  JSON.parse(source.textContent).forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) {
      return;
    }
    var horizontal = !!spec.horizontal;
    var valueAxis = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
    if (spec.max) {
      valueAxis.max = spec.max;
    }
    var categoryAxis = { stacked: !!spec.stacked, ticks: { autoSkip: true } };
    canvas.chart = new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return {
            label: d.label,
            data: d.data,
            backgroundColor: palette[i % palette.length],
            borderColor: palette[i % palette.length],
            tension: 0.2
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.dataset.drawn = "true";
  });
})();
