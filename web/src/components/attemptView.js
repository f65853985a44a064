// An attempt's live progress: verdict, judged/total, and each case with its verdict,
// time, feedback and, for visible cases, the expected and actual results as tables.
import { h } from "../dom.js";
import { formatMs } from "../clock.js";
import { parseResult, resultTable } from "./resultTable.js";
import { attemptBadge, verdictBadge } from "./verdict.js";
import { COST_EXPLAINED, formatCost } from "./cost.js";

function timeAndCost(item) {
  return `${formatMs(item.execution_ms)} · cost ${formatCost(item.cost)}`;
}

function caseRow(testCase, index, resultLabel) {
  const expected = parseResult(testCase.expected_result);
  const actual = parseResult(testCase.actual_result);
  const comparison = expected || actual
    ? h("details", { class: "comparison", open: testCase.verdict !== "ACCEPTED" },
      h("summary", {}, `Expected vs ${resultLabel.toLowerCase()}`),
      h("div", { class: "side-by-side" },
        expected ? resultTable(expected, "Expected") : null,
        actual ? resultTable(actual, resultLabel) : null))
    : null;
  return h("li", { class: "case", dataset: { testCaseId: testCase.test_case_id } },
    h("div", { class: "case-head" },
      h("span", { class: "case-name" }, `Case ${index + 1}`, testCase.is_visible ? "" : " (hidden)"),
      verdictBadge(testCase.verdict || testCase.status),
      h("span", { class: "muted", title: COST_EXPLAINED }, timeAndCost(testCase))),
    testCase.feedback ? h("p", { class: "feedback" }, testCase.feedback) : null,
    testCase.error ? h("pre", { class: "error-text" }, testCase.error) : null,
    comparison);
}

/** `theirs`: an organiser reading someone else's attempt ("Their result" instead of "Your result"). */
export function attemptView(attempt, { theirs = false } = {}) {
  const resultLabel = theirs ? "Their result" : "Your result";
  const cases = [...(attempt.cases || [])].sort((a, b) => a.test_case_id - b.test_case_id);
  const total = attempt.total || cases.length;
  const judged = attempt.status === "COMPLETED" ? total : cases.length;
  const done = attempt.status === "COMPLETED" || attempt.status === "FAILED";
  return h("section", { class: "attempt", dataset: { attemptId: attempt.id, status: attempt.status }, "aria-live": "polite" },
    h("div", { class: "attempt-head" },
      h("strong", {}, `Attempt #${attempt.id}`),
      attemptBadge(attempt),
      done && attempt.status === "COMPLETED"
        ? h("span", { title: COST_EXPLAINED }, `Score ${attempt.score ?? 0} · ${attempt.passed}/${total} cases · ${timeAndCost(attempt)}`)
        : h("span", { class: "muted" }, `${judged}/${total || "?"} cases judged`)),
    total ? h("progress", { max: total, value: judged, "aria-label": "Cases judged" }) : null,
    attempt.error ? h("p", { class: "error-text" }, attempt.error) : null,
    h("ol", { class: "cases" }, cases.map((testCase, index) => caseRow(testCase, index, resultLabel))));
}
