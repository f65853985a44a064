// What describes a challenge: difficulty, tags, type, engine and time limit labels, and the schema/data blocks.
import { h } from "../dom.js";
import { renderMarkdown } from "../markdown.js";
import { schemaFromDdl } from "../schema.js";

export const TYPE_LABELS = { FE: "Fastest wins", LE: "Longest wins" };
export const ENGINE_LABELS = { sqlite: "SQLite", postgresql: "PostgreSQL" };

export const DIFFICULTY_LABELS = { easy: "Easy", medium: "Medium", hard: "Hard" };

export function difficultyBadge(difficulty) {
  if (!difficulty) return null;
  return h("span", { class: `badge difficulty difficulty-${difficulty}`, dataset: { difficulty } }, DIFFICULTY_LABELS[difficulty] || difficulty);
}

/** The tags as links that filter the challenge list by that tag. */
export function tagLinks(tags = []) {
  if (!tags.length) return null;
  return h("span", { class: "tags" }, tags.map((tag) =>
    h("a", { class: "tag", href: `#/challenges?tag=${encodeURIComponent(tag)}`, dataset: { tag } }, `#${tag}`)));
}

export function challengeBadges(challenge) {
  return h("span", { class: "badges" },
    difficultyBadge(challenge.difficulty),
    h("span", { class: "badge", title: "Ranking among correct queries" }, `${challenge.type} · ${TYPE_LABELS[challenge.type] || ""}`),
    h("span", { class: "badge" }, ENGINE_LABELS[challenge.engine] || challenge.engine),
    challenge.time_limit_ms ? h("span", { class: "badge" }, `limit ${challenge.time_limit_ms} ms`) : null);
}

/**
 * Description, schema (init) and the visible test data; `compact` (in a room) folds the data away;
 * `sampleData` (an element) takes the place of the raw INSERT text.
 */
export function challengeBrief(challenge, { compact = false, sampleData = null } = {}) {
  const visible = challenge.test_cases.filter((tc) => tc.is_visible && tc.data);
  const hidden = challenge.test_cases.length - visible.length;
  return h("div", { class: "brief" },
    h("div", { class: "description" }, renderMarkdown(challenge.description)),
    tableSummary(challenge.init),
    h("details", { open: !compact }, h("summary", {}, "Schema (init)"), h("pre", { class: "sql" }, challenge.init.trim())),
    sampleData || visible.map((tc, index) =>
      h("details", { open: index === 0 && !compact }, h("summary", {}, `Visible test data ${index + 1}`), h("pre", { class: "sql" }, tc.data.trim()))),
    hidden ? h("p", { class: "muted small" }, `…and ${hidden} hidden test case${hidden === 1 ? "" : "s"}.`) : null);
}

/** "customers (id, name, country)" per table: the names a query needs, at a glance. */
function tableSummary(init) {
  const tables = Object.entries(schemaFromDdl(init));
  if (!tables.length) return null;
  return h("ul", { class: "tables", "aria-label": "Tables" }, tables.map(([name, columns]) =>
    h("li", {}, h("code", { class: "table-name" }, name), " ", h("span", { class: "muted" }, `(${columns.join(", ")})`))));
}
