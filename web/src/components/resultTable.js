// A query result ({columns, rows, truncated}) as an accessible table, and which rows of two results
// differ (for "yours" beside "expected").
import { h } from "../dom.js";

function cell(value) {
  if (value === null || value === undefined) return h("td", { class: "null" }, "NULL");
  return h("td", {}, typeof value === "object" ? JSON.stringify(value) : String(value));
}

function rowsNote(rows, truncated) {
  return `${rows.length} row${rows.length === 1 ? "" : "s"}${truncated ? " shown (truncated)" : ""}`;
}

/**
 * resultTable(result, caption, {marked, note}): `marked[i]` flags row i as differing (class
 * "differs", a visually-hidden "differs" label for screen readers); `note` replaces the row count line.
 */
export function resultTable({ columns = [], rows = [], truncated = false }, caption, { marked = [], note = null } = {}) {
  return h("div", { class: "result" },
    h("table", { class: "data" },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows.length
        ? rows.map((row, i) => h("tr", marked[i] ? { class: "differs", dataset: { differs: "true" }, title: "not in the other result" } : {},
          row.map(cell)))
        : h("tr", {}, h("td", { class: "empty", colspan: Math.max(columns.length, 1) }, "(no rows)")))),
    h("p", { class: "muted small" }, note ?? rowsNote(rows, truncated)));
}

/**
 * Which rows of `mine` and of `expected` have no partner in the other, compared as multisets
 * (a row twice in one and once in the other leaves one of the two marked). Order is ignored:
 * the feedback line says when only the order is wrong.
 */
export function rowDifferences(mine = [], expected = []) {
  const key = (row) => JSON.stringify(row);
  const unmatched = (rows, others) => {
    const left = new Map();
    for (const row of others) left.set(key(row), (left.get(key(row)) || 0) + 1);
    return rows.map((row) => {
      const count = left.get(key(row)) || 0;
      if (count) left.set(key(row), count - 1);
      return count === 0;
    });
  };
  return { mine: unmatched(mine, expected), expected: unmatched(expected, mine) };
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
