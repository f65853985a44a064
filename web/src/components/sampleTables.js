// A challenge's sample data as tables: each visible test case's tables as the sandbox loaded them
// (GET /challenges/:id/sample-data), instead of the raw INSERT text.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { resultTable } from "./resultTable.js";

function countNote(table) {
  const plural = table.row_count === 1 ? "" : "s";
  if (table.rows.length >= table.row_count) return `${table.row_count} row${plural}`;
  return `first ${table.rows.length} of ${table.row_count} row${plural}`;
}

function caseTables(item, index, compact) {
  return h("details", { class: "sample-case", open: index === 0 && !compact, dataset: { testCaseId: item.test_case_id } },
    h("summary", {}, `Visible test data ${index + 1}`),
    item.error
      ? h("p", { class: "error-text" }, item.error)
      : item.tables.map((table) => h("div", { class: "sample-table", dataset: { table: table.name } },
        resultTable(table, table.name, { note: countNote(table) }))));
}

/** sampleTables(challengeId, {compact}) → element, filled once the tables arrive. */
export function sampleTables(challengeId, { compact = false } = {}) {
  const element = h("div", { class: "sample-data", "aria-label": "Sample data" }, h("p", { class: "muted small" }, "Loading the sample data…"));
  api.get(`/challenges/${challengeId}/sample-data`).then(
    (items) => replace(element, items.map((item, index) => caseTables(item, index, compact))),
    (error) => replace(element, h("p", { class: "error-text" }, `The sample data could not be loaded: ${error.message}`)));
  return element;
}
