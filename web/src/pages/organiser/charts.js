// Charts drawn with Chart.js, loaded on first use (its own chunk: pages without charts never fetch it).
// Only the pieces used here are bundled and registered (chartSetup.js). Animation is off: the numbers
// are the point, and a screenshot or a test sees the final chart at once.
import { h } from "../../dom.js";

let loading = null;

function loadChartJs() {
  loading ??= import("./chartSetup.js").then((module) => module.Chart);
  return loading;
}

const COLOR = "#2f6fdf";

/**
 * chartFigure({title, kind: "bar"|"line", labels, values, yLabel, xLabel, max, colors}, scope) → a
 * <figure> whose canvas is drawn once Chart.js has loaded; the chart is destroyed with the page.
 */
export function chartFigure({ title, kind, labels, values, xLabel, yLabel, max, colors }, scope) {
  const canvas = h("canvas", { role: "img", "aria-label": `${title}: ${labels.map((l, i) => `${l} ${values[i]}`).join(", ")}` });
  const figure = h("figure", { class: "chart", dataset: { chart: title } }, h("figcaption", {}, title), h("div", { class: "chart-box" }, canvas));
  loadChartJs().then((Chart) => {
    if (scope.disposed) return;
    const chart = new Chart(canvas, {
      type: kind,
      data: { labels, datasets: [{ label: yLabel, data: values, backgroundColor: colors || COLOR, borderColor: COLOR, tension: 0.2 }] },
      options: {
        animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: Boolean(xLabel), text: xLabel } },
          y: { beginAtZero: true, max, ticks: { precision: 0 }, title: { display: Boolean(yLabel), text: yLabel } },
        },
      },
    });
    figure.dataset.drawn = "true";
    scope.add(() => chart.destroy());
  });
  return figure;
}
