// A query result ({columns, rows, truncated}) as an accessible table.
import { h } from "../dom.js";

function cell(value) {
  if (value === null || value === undefined) return h("td", { class: "null" }, "NULL");
  return h("td", {}, typeof value === "object" ? JSON.stringify(value) : String(value));
}

export function resultTable({ columns = [], rows = [], truncated = false }, caption) {
  return h("div", { class: "result" },
    h("table", { class: "data" },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows.length
        ? rows.map((row) => h("tr", {}, row.map(cell)))
        : h("tr", {}, h("td", { class: "empty", colspan: Math.max(columns.length, 1) }, "(no rows)")))),
    h("p", { class: "muted small" }, `${rows.length} row${rows.length === 1 ? "" : "s"}${truncated ? " shown (truncated)" : ""}`));
}

/** `expected_result`/`actual_result` arrive as JSON strings; null when hidden. */
export function parseResult(json) {
  if (!json) return null;
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}
