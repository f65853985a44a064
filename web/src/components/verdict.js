// Verdict badges with a human label.
import { h } from "../dom.js";

const LABELS = {
  ACCEPTED: "Accepted",
  WRONG_ANSWER: "Wrong answer",
  TIME_LIMIT_EXCEEDED: "Time limit exceeded",
  RUNTIME_ERROR: "Runtime error",
  OUTPUT_LIMIT_EXCEEDED: "Output limit exceeded",
  REJECTED: "Rejected",
  QUEUED: "Queued",
  RUNNING: "Judging…",
  FAILED: "Judge failed",
};

/** The judge's verdicts (not statuses), in display order, for filters: [{value, label}]. */
export const VERDICT_OPTIONS = ["ACCEPTED", "WRONG_ANSWER", "TIME_LIMIT_EXCEEDED", "RUNTIME_ERROR", "OUTPUT_LIMIT_EXCEEDED",
  "REJECTED"].map((value) => ({ value, label: LABELS[value] }));

export function verdictLabel(key) {
  return LABELS[key] || key;
}

export function verdictBadge(verdictOrStatus) {
  const key = verdictOrStatus || "QUEUED";
  return h("span", { class: `badge verdict-${key.toLowerCase()}`, dataset: { verdict: key } }, verdictLabel(key));
}

/** An attempt's headline: its verdict once judged, else its status. */
export function attemptBadge(attempt) {
  if (attempt.status === "COMPLETED") return verdictBadge(attempt.verdict);
  return verdictBadge(attempt.status);
}
