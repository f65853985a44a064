// The SQL editor: CodeMirror 6 with SQL highlighting, completion of the challenge's
// tables and columns, Run/Submit shortcuts (named in shortcuts.js), and a draft kept across
// reloads. CodeMirror is most of the client's size: pages load this module on demand.
import { EditorView, basicSetup } from "codemirror";
import { Prec } from "@codemirror/state";
import { keymap, placeholder } from "@codemirror/view";
import { PostgreSQL, SQLite, sql } from "@codemirror/lang-sql";
import { columnsForQualifier, schemaFromDdl } from "./schema.js";

function draftKey(draftId) {
  return `sqlarena.draft.${draftId}`;
}

/**
 * After `alias.`, the columns of the table the alias names anywhere in the query (schema.js reads the
 * text): lang-sql alone only knows aliases of a statement whose FROM clause already parses.
 */
function aliasColumns(schema) {
  return (context) => {
    const typed = context.matchBefore(/(?:"[^"]+"|[\w$]+)\.[\w$]*$/);
    if (!typed) return null;
    const dot = typed.text.lastIndexOf(".");
    const columns = columnsForQualifier(context.state.doc.toString(), schema, typed.text.slice(0, dot));
    if (!columns) return null;
    return { from: typed.from + dot + 1, options: columns.map((label) => ({ label, type: "property" })), validFor: /^[\w$]*$/ };
  };
}

/** SQL highlighting and completion in the challenge's dialect, with the tables of its `init`. */
function sqlLanguage(engine, init) {
  const schema = schemaFromDdl(init);
  const support = sql({ dialect: engine === "postgresql" ? PostgreSQL : SQLite, schema, upperCaseKeywords: true });
  return [support, support.language.data.of({ autocomplete: aliasColumns(schema) })];
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
