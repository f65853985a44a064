// Shapes an analytics report and a sample of attempts into chart series (pure functions, no DOM).
import { verdictLabel } from "../../components/verdict.js";

const VERDICT_COLORS = {
  ACCEPTED: "#2e9d5b", WRONG_ANSWER: "#d04a3a", TIME_LIMIT_EXCEEDED: "#e0a030", RUNTIME_ERROR: "#9b59b6",
  OUTPUT_LIMIT_EXCEEDED: "#4a90c0", REJECTED: "#777777",
};
const HISTOGRAM_BINS = 10;
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

/** Share of judged attempts accepted (%), per day, or per hour when they all fall on one day. */
export function acceptanceSeries(attempts) {
  const judged = attempts.filter((a) => a.status === "COMPLETED").sort((a, b) => a.created_at.localeCompare(b.created_at));
  const days = new Set(judged.map((a) => a.created_at.slice(0, 10)));
  const keyLength = days.size > 1 ? 10 : 13; // "2026-12-01" or "2026-12-01T10"
  const buckets = new Map();
  for (const attempt of judged) {
    const key = attempt.created_at.slice(0, keyLength);
    const bucket = buckets.get(key) || { accepted: 0, total: 0 };
    bucket.total += 1;
    bucket.accepted += attempt.verdict === "ACCEPTED" ? 1 : 0;
    buckets.set(key, bucket);
  }
  return {
    labels: [...buckets.keys()].map((key) => (keyLength === 13 ? `${key.replace("T", " ")}:00` : key)),
    values: [...buckets.values()].map((b) => percent(b.accepted / b.total)),
    unit: keyLength === 13 ? "hour (UTC)" : "day (UTC)",
  };
}

/** Judged attempts per execution-time range: HISTOGRAM_BINS equal ranges from the fastest to the slowest. */
export function executionHistogram(attempts) {
  const times = attempts.filter((a) => a.status === "COMPLETED" && a.execution_ms != null).map((a) => a.execution_ms);
  if (!times.length) return { labels: [], values: [] };
  const low = Math.min(...times);
  const span = Math.max(...times) - low;
  const bins = span > 0 ? HISTOGRAM_BINS : 1;
  const width = span > 0 ? span / bins : 1;
  const values = new Array(bins).fill(0);
  for (const ms of times) values[Math.min(bins - 1, Math.floor((ms - low) / width))] += 1;
  const round = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
  if (span === 0) return { labels: [`${round(low)} ms`], values };
  return { labels: values.map((_, i) => `${round(low + i * width)}–${round(low + (i + 1) * width)} ms`), values };
}
