// A challenge's analytics for its creator and admins: the totals, then four charts: verdicts,
// acceptance over time, failure rate per test case, execution times (the analytics and trends reports).
import { api } from "../../api.js";
import { h, replace } from "../../dom.js";
import { formatMs } from "../../clock.js";
import { acceptanceSeries, caseFailureSeries, executionHistogram, verdictSeries } from "./analyticsData.js";
import { chartFigure } from "./charts.js";
import { challengeOrganiserHead } from "./challengeHead.js";

function stat(label, value) {
  return h("div", { class: "stat" }, h("span", { class: "stat-value" }, value), h("span", { class: "muted small" }, label));
}

export async function analyticsPage(root, { id }, scope) {
  const challenge = await api.get(`/challenges/${Number(id)}`);
  const [[report], trends] = await Promise.all([api.get(`/admin/analytics?challenge_id=${challenge.id}`),
    api.get(`/admin/analytics/trends?challenge_id=${challenge.id}`)]);
  const acceptance = acceptanceSeries(trends);
  replace(root,
    challengeOrganiserHead(challenge, "analytics"),
    h("div", { class: "stats" },
      stat("attempts", report.attempts), stat("players", report.unique_users), stat("players accepted", report.accepted_users),
      stat("attempts accepted", `${Math.round(report.acceptance_rate * 100)} %`),
      stat("median time", report.median_execution_ms == null ? "—" : formatMs(report.median_execution_ms))),
    report.attempts === 0 ? h("p", { class: "muted" }, "No attempts yet: the charts fill in as players submit.") : null,
    h("div", { class: "charts" },
      chartFigure({ title: "Verdict distribution", kind: "bar", yLabel: "attempts", ...verdictSeries(report) }, scope),
      chartFigure({ title: "Acceptance over time", kind: "line", yLabel: "% accepted", max: 100, xLabel: acceptance.unit,
        labels: acceptance.labels, values: acceptance.values }, scope),
      chartFigure({ title: "Failure rate per test case", kind: "bar", yLabel: "% failed", max: 100,
        ...caseFailureSeries(report, challenge.test_cases) }, scope),
      chartFigure({ title: "Execution time distribution", kind: "bar", yLabel: "attempts", xLabel: "execution time",
        ...executionHistogram(trends) }, scope)),
    h("p", { class: "muted small" }, "Verdicts, acceptance and times count judged attempts; a case's failure rate, every run of it."));
}
