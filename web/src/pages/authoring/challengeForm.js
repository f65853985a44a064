// The challenge editor's form: every field of the challenge body, laid out for an author, each with
// its own error slot. It only reads and shows values; saving is the page's job.
import { h } from "../../dom.js";
import { renderMarkdown } from "../../markdown.js";
import { ENGINE_LABELS, TYPE_LABELS } from "../../components/challengeInfo.js";
import { formField, selectBox, sqlBox } from "./formControls.js";
import { hintsEditor } from "./hintsEditor.js";
import { testCasesEditor } from "./testCasesEditor.js";
import { visibilityFields } from "./visibilityField.js";

const DIFFICULTIES = [["", "Not set"], ["easy", "Easy"], ["medium", "Medium"], ["hard", "Hard"]];

function descriptionField(initial, errors) {
  const area = h("textarea", { name: "description", rows: 6 }, initial || "");
  const preview = h("div", { class: "markdown-preview description", "aria-label": "Description preview" });
  const refresh = () => preview.replaceChildren(renderMarkdown(area.value));
  area.addEventListener("input", refresh);
  refresh();
  return {
    element: h("div", { class: "description-editor" },
      formField("description", "Description (Markdown)", area, errors),
      h("div", { class: "field" }, h("span", {}, "Preview"), preview)),
    read: () => area.value,
  };
}

/** challengeForm(challenge, {scope, errors}) → {element, read(), lockToDraft(message)}. */
export function challengeForm(challenge, { scope, errors }) {
  const name = h("input", { name: "name", value: challenge.name || "", maxlength: 200, autocomplete: "off" });
  const description = descriptionField(challenge.description, errors);
  const engine = selectBox("engine", Object.entries(ENGINE_LABELS), challenge.engine || "sqlite");
  const type = selectBox("type", Object.entries(TYPE_LABELS).map(([code, label]) => [code, `${code} · ${label}`]), challenge.type || "FE");
  const timeLimit = h("input", { type: "number", name: "time_limit_ms", min: 1, max: 10000, value: String(challenge.time_limit_ms || 2000) });
  const difficulty = selectBox("difficulty", DIFFICULTIES, challenge.difficulty || "");
  const tags = h("input", { name: "tags", value: (challenge.tags || []).join(", "), autocomplete: "off", placeholder: "joins, aggregation" });
  const checkNames = h("input", { type: "checkbox", name: "check_column_names", checked: challenge.check_column_names !== false });
  const explanation = h("textarea", { name: "explanation", rows: 4 }, challenge.explanation || "");
  const sqlContext = { engine: challenge.engine, init: challenge.init };
  const init = sqlBox(scope, { ...sqlContext, doc: challenge.init || "", label: "Schema (init) SQL" });
  const solution = sqlBox(scope, { ...sqlContext, doc: challenge.solution || "", label: "Solution SQL" });
  const hints = hintsEditor(challenge.hints || []);
  const cases = testCasesEditor(challenge.test_cases || [], { scope, errors, ...sqlContext });
  const visibility = visibilityFields(challenge, errors);

  const element = h("div", { class: "challenge-form" },
    errors.top,
    h("section", { class: "card", "aria-labelledby": "form-about" }, h("h2", { id: "form-about" }, "About"),
      formField("name", "Name", name, errors),
      description.element,
      h("div", { class: "row" },
        formField("engine", "Engine", engine, errors),
        formField("type", "Type", type, errors),
        formField("time_limit_ms", "Time limit (ms)", timeLimit, errors),
        formField("difficulty", "Difficulty", difficulty, errors)),
      formField("tags", "Tags (comma-separated)", tags, errors),
      visibility.element),
    h("section", { class: "card", "aria-labelledby": "form-sql" }, h("h2", { id: "form-sql" }, "Schema and solution"),
      formField("init", "Schema (init): CREATE TABLE …", init.element, errors),
      formField("solution", "Solution: the reference SELECT", solution.element, errors),
      h("label", { class: "check" }, checkNames, " Column names must match the solution's")),
    h("section", { class: "card", "aria-labelledby": "form-cases" }, h("h2", { id: "form-cases" }, "Test cases"),
      h("p", { class: "muted small" }, "Each test case is one dataset (INSERTs) loaded after the schema."),
      cases.element),
    h("section", { class: "card", "aria-labelledby": "form-learn" }, h("h2", { id: "form-learn" }, "For learners"),
      formField("hints", "Hints, in the order players reveal them", hints.element, errors),
      formField("explanation", "Explanation (shown with the solution)", explanation, errors)));

  const read = () => ({
    name: name.value,
    description: description.read(),
    engine: engine.value,
    type: type.value,
    time_limit_ms: Number(timeLimit.value),
    difficulty: difficulty.value || null,
    tags: tags.value.split(",").map((tag) => tag.trim()).filter(Boolean),
    check_column_names: checkNames.checked,
    init: init.getValue(),
    solution: solution.getValue(),
    test_cases: cases.read(),
    hints: hints.read(),
    explanation: explanation.value,
    ...visibility.read(),
  });
  return { element, read, lockToDraft: visibility.lockToDraft };
}
