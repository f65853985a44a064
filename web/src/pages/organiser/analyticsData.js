// Shapes the analytics and trends reports into chart series (pure functions, no DOM).
import { verdictLabel } from "../../components/verdict.js";

const VERDICT_COLORS = {
  ACCEPTED: "#2e9d5b", WRONG_ANSWER: "#d04a3a", TIME_LIMIT_EXCEEDED: "#e0a030", RUNTIME_ERROR: "#9b59b6",
  OUTPUT_LIMIT_EXCEEDED: "#4a90c0", REJECTED: "#777777",
};
const percent = (rate) => Math.round(rate * 1000) / 10;

export function verdictSeries(report) {
  const keys = Object.keys(report.verdicts);
  return { labels: keys.map(verdictLabel), values: keys.map((k) => report.verdicts[k]), colors: keys.map((k) => VERDICT_COLORS[k] || "#888") };
}

/** Failure rate (%) per test case, labelled in the challenge's case order. */
export function caseFailureSeries(report, testCases = []) {
  const hidden = new Map(testCases.map((tc) => [tc.id, !tc.is_visible]));
  return {
    labels: report.cases.map((c, i) => `Case ${i + 1}${hidden.get(c.test_case_id) ? " (hidden)" : ""}`),
    values: report.cases.map((c) => percent(1 - c.accepted_rate)),
  };
}

/** Share of judged attempts accepted (%) per period of the trends report. */
export function acceptanceSeries(trends) {
  return {
    labels: trends.acceptance.map((p) => p.period_start.replace("T", " ")),
    values: trends.acceptance.map((p) => percent(p.accepted / p.judged)),
    unit: `${trends.period} (UTC)`,
  };
}

/** Judged attempts per execution-time range of the trends report. */
export function executionHistogram(trends) {
  const round = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
  const bins = trends.execution_ms;
  return {
    labels: bins.map((b) => (b.from_ms === b.to_ms ? `${round(b.from_ms)} ms` : `${round(b.from_ms)}–${round(b.to_ms)} ms`)),
    values: bins.map((b) => b.attempts),
  };
}
