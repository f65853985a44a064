// The Chart.js pieces the organiser charts use, registered once. Imported only through charts.js's
// dynamic import, so it is a chunk of its own, and naming the pieces lets esbuild drop the rest.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement,
  Tooltip } from "chart.js";

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

export { Chart };
