// The SQL editor: CodeMirror 6 with SQL highlighting, completion of the challenge's
// tables and columns, Run/Submit shortcuts (named in shortcuts.js), and a draft kept across
// reloads. CodeMirror is most of the client's size: pages load this module on demand.
import { EditorView, basicSetup } from "codemirror";
import { Prec } from "@codemirror/state";
import { keymap, placeholder } from "@codemirror/view";
import { PostgreSQL, SQLite, sql } from "@codemirror/lang-sql";
import { schemaFromDdl } from "./schema.js";

function draftKey(draftId) {
  return `sqlarena.draft.${draftId}`;
}

/** SQL highlighting and completion in the challenge's dialect, with the tables of its `init`. */
function sqlLanguage(engine, init) {
  return sql({ dialect: engine === "postgresql" ? PostgreSQL : SQLite, schema: schemaFromDdl(init), upperCaseKeywords: true });
}

/**
 * createSqlEditor(parent, {challenge, draftId, onRun, onSubmit}) → {getQuery, focus}.
 * Mod-Enter submits; Mod-' (or Mod-Shift-Enter) runs. Mod is Cmd on macOS, Ctrl elsewhere.
 */
export function createSqlEditor(parent, { challenge, draftId, onRun, onSubmit }) {
  const saveDraft = EditorView.updateListener.of((update) => {
    if (update.docChanged) localStorage.setItem(draftKey(draftId), update.state.doc.toString());
  });
  const shortcuts = Prec.highest(
    keymap.of([
      { key: "Mod-Enter", run: () => (onSubmit(), true) },
      { key: "Mod-'", run: () => (onRun(), true) },
      { key: "Mod-Shift-Enter", run: () => (onRun(), true) },
    ]),
  );
  const view = new EditorView({
    parent,
    doc: localStorage.getItem(draftKey(draftId)) || "",
    extensions: [
      shortcuts,
      basicSetup,
      sqlLanguage(challenge.engine, challenge.init),
      saveDraft,
      EditorView.lineWrapping, // long queries wrap instead of scrolling sideways (phones)
      placeholder(`-- One SELECT (or WITH … SELECT). Tables: ${Object.keys(schemaFromDdl(challenge.init)).join(", ") || "see the schema"}`),
      EditorView.contentAttributes.of({ "aria-label": "SQL query", "aria-multiline": "true" }),
    ],
  });
  return {
    getQuery: () => view.state.doc.toString(),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}

/** createSqlField(parent, {doc, engine, init, label}) → {getValue, focus, destroy}: a plain SQL editor for forms. */
export function createSqlField(parent, { doc = "", engine = "sqlite", init = "", label }) {
  const view = new EditorView({
    parent,
    doc,
    extensions: [basicSetup, sqlLanguage(engine, init), EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true" })],
  });
  return {
    getValue: () => view.state.doc.toString(),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
