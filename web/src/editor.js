// The SQL editor: CodeMirror 6 with SQL highlighting, completion of the challenge's
// tables and columns, Run/Submit shortcuts, and a draft kept across reloads.
import { EditorView, basicSetup } from "codemirror";
import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { PostgreSQL, SQLite, sql } from "@codemirror/lang-sql";
import { schemaFromDdl } from "./schema.js";

export const SHORTCUTS = { run: "Ctrl+Enter", submit: "Ctrl+Shift+Enter" };

function draftKey(draftId) {
  return `sqlarena.draft.${draftId}`;
}

/**
 * createSqlEditor(parent, {challenge, draftId, onRun, onSubmit}) → {getQuery, focus}.
 * Mod-Enter runs and Mod-Shift-Enter submits (Mod is Cmd on macOS, Ctrl elsewhere).
 */
export function createSqlEditor(parent, { challenge, draftId, onRun, onSubmit }) {
  const saveDraft = EditorView.updateListener.of((update) => {
    if (update.docChanged) localStorage.setItem(draftKey(draftId), update.state.doc.toString());
  });
  const shortcuts = Prec.highest(
    keymap.of([
      { key: "Mod-Enter", run: () => (onRun(), true) },
      { key: "Mod-Shift-Enter", run: () => (onSubmit(), true) },
    ]),
  );
  const view = new EditorView({
    parent,
    doc: localStorage.getItem(draftKey(draftId)) || "",
    extensions: [
      shortcuts,
      basicSetup,
      sql({
        dialect: challenge.engine === "postgresql" ? PostgreSQL : SQLite,
        schema: schemaFromDdl(challenge.init),
        upperCaseKeywords: true,
      }),
      saveDraft,
      EditorView.contentAttributes.of({ "aria-label": "SQL query", "aria-multiline": "true" }),
    ],
  });
  return {
    getQuery: () => view.state.doc.toString(),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
