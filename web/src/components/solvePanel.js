// Editor + Run + Submit for one challenge (on its own page, or inside a room with `roomId`).
// The editor module (CodeMirror) is fetched on first use; Run and Submit wait for it.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { formatMs } from "../clock.js";
import { SHORTCUTS } from "../shortcuts.js";
import { busy, clearBanner, showError } from "../notices.js";
import { liveAttempt } from "./liveAttempt.js";
import { resultTable, rowDifferences } from "./resultTable.js";
import { verdictBadge } from "./verdict.js";

/** "Yours" beside "expected", the rows without a partner in the other marked (SPEC 9.6). */
function comparison(result) {
  const expected = result.expected;
  if (!expected) return resultTable(result, "Yours");
  const marks = result.verdict === "ACCEPTED" ? { mine: [], expected: [] } : rowDifferences(result.rows, expected.rows);
  return h("div", { class: "side-by-side" },
    h("div", { class: "yours" }, resultTable(result, "Yours", { marked: marks.mine })),
    h("div", { class: "expected" }, resultTable(expected, "Expected", { marked: marks.expected })));
}

function runCase(result, index) {
  return h("div", { class: "run-case", dataset: { testCaseId: result.test_case_id } },
    h("h4", {}, `Visible case ${index + 1} `, result.verdict ? verdictBadge(result.verdict) : null,
      h("span", { class: "muted" }, ` · ${formatMs(result.execution_ms)}`)),
    result.feedback ? h("p", { class: "feedback" }, result.feedback) : null,
    result.error ? h("pre", { class: "error-text", role: "alert" }, result.error) : comparison(result));
}

function runOutput(results) {
  if (!results.length) return h("p", { class: "muted" }, "This challenge has no visible test data to run on.");
  return results.map(runCase);
}

/** solvePanel({challenge, roomId, scope, onJudged}) → element. */
export function solvePanel({ challenge, roomId = null, scope, onJudged = () => {} }) {
  const editorHost = h("div", { class: "editor" });
  const runArea = h("div", { class: "run-output", "aria-live": "polite" });
  const attemptArea = h("div", { class: "attempt-output" });
  const quota = h("span", { class: "muted small quota" });
  const tracker = liveAttempt(attemptArea, scope, { challengeId: challenge.id, onFinished: onJudged });

  const runButton = h("button", { type: "button", class: "secondary", title: SHORTCUTS.run, disabled: true }, "Run");
  const submitButton = h("button", { type: "button", class: "primary", title: SHORTCUTS.submit, disabled: true }, "Submit");

  let editor = null;
  const query = () => editor.getQuery();
  const run = () => {
    if (runButton.disabled) return;
    busy(runButton, "Running…", async () => {
      clearBanner();
      replace(runArea, h("p", { class: "muted" }, "Running on the visible data…"));
      try {
        replace(runArea, h("h3", {}, "Run result (not submitted)"), runOutput(await api.post(`/challenges/${challenge.id}/run`, { query: query() })));
      } catch (error) {
        replace(runArea);
        throw error;
      }
    });
  };
  const submit = () => {
    if (submitButton.disabled) return;
    busy(submitButton, "Submitting…", async () => {
      clearBanner();
      replace(runArea); // an old Run result next to a new verdict only confuses
      const body = { challenge_id: challenge.id, query: query() };
      if (roomId) body.room_id = roomId;
      tracker.follow(await api.post("/attempts", body));
      refreshQuota();
    });
  };
  const refreshQuota = () =>
    api.get("/attempts/quota")
      .then(({ remain, total }) => replace(quota, `${remain} of ${total} submissions left today`))
      .catch(() => replace(quota));

  runButton.addEventListener("click", run);
  submitButton.addEventListener("click", submit);
  import("../editor.js").then(({ createSqlEditor }) => {
    if (scope.disposed) return;
    editor = createSqlEditor(editorHost, {
      challenge,
      draftId: roomId ? `room${roomId}.c${challenge.id}` : `c${challenge.id}`,
      onRun: run,
      onSubmit: submit,
    });
    scope.add(() => editor.destroy());
    runButton.disabled = false;
    submitButton.disabled = false;
  }, () => showError("The editor could not be loaded. Check your connection and reload the page."));
  refreshQuota();

  return h("section", { class: "solve", "aria-label": "Your query" },
    editorHost,
    h("div", { class: "actions" },
      runButton, submitButton,
      h("span", { class: "muted small" }, `${SHORTCUTS.submit} submits · ${SHORTCUTS.run} runs on the visible data`),
      quota),
    runArea,
    attemptArea);
}

