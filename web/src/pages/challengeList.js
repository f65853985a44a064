// The challenge list: search, difficulty, tag and solved filters kept in the URL, pages of
// PAGE_SIZE, each row with difficulty, tags, type, engine and whether the caller solved it.
// "Solved" costs one more request per list (the same filters with solved=true), never one per row.
import { api, withQuery } from "../api.js";
import { h, replace } from "../dom.js";
import { ENGINE_LABELS, TYPE_LABELS, difficultyBadge, tagLinks } from "../components/challengeInfo.js";
import { challengeFilters } from "../components/challengeFilters.js";
import { pager } from "../components/pager.js";
import { showError } from "../notices.js";

const PAGE_SIZE = 20;
const MAX_SIZE = 100;

/** Ids of the challenges the caller solved among those matching `filters`; null when the
 * solved filter already answers it. */
async function solvedIds(filters) {
  if (filters.solved) return null;
  const ids = new Set();
  for (let page = 0; ; page += 1) {
    const { items, meta } = await api.page(withQuery("/challenges", { ...filters, solved: true, page, size: MAX_SIZE }));
    items.forEach((challenge) => ids.add(challenge.id));
    if ((page + 1) * MAX_SIZE >= meta.total || !items.length) return ids;
  }
}

function youCell(solved) {
  return h("td", { class: "you" }, solved
    ? h("span", { class: "badge verdict-accepted", dataset: { solved: "true" } }, "Solved ✓")
    : h("span", { class: "muted", dataset: { solved: "false" } }, "Not solved"));
}

function challengeRows(items, isSolved) {
  return h("table", { class: "data challenges" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Challenge"), h("th", { scope: "col" }, "Level"),
      h("th", { scope: "col", class: "wide" }, "Type"), h("th", { scope: "col", class: "wide" }, "Engine"),
      h("th", { scope: "col" }, "You"))),
    h("tbody", {}, items.map((challenge) =>
      h("tr", { dataset: { challengeId: challenge.id } },
        h("td", { class: "name" }, h("a", { href: `#/challenges/${challenge.id}` }, challenge.name), " ", tagLinks(challenge.tags)),
        h("td", {}, difficultyBadge(challenge.difficulty) || h("span", { class: "muted" }, "—")),
        h("td", { class: "wide", title: TYPE_LABELS[challenge.type] }, challenge.type),
        h("td", { class: "wide" }, ENGINE_LABELS[challenge.engine] || challenge.engine),
        youCell(isSolved(challenge.id))))));
}

function stateFrom(query) {
  return {
    q: query.get("q") || "",
    tag: query.get("tag") || "",
    difficulty: query.get("difficulty") || "",
    solved: query.get("solved") || "",
    page: Number(query.get("page") || 0),
  };
}

export async function challengeListPage(root, { query }, scope) {
  const state = stateFrom(query);
  const results = h("div", { class: "challenge-results", "aria-live": "polite" });
  let latest = 0; // answers to older requests are dropped

  const load = async () => {
    const ticket = ++latest;
    const { page, ...filters } = state;
    history.replaceState(null, "", `#${withQuery("/challenges", { ...filters, page: page || null })}`);
    replace(results, h("p", { class: "muted" }, "Loading…"));
    const [{ items, meta }, solved] = await Promise.all([
      api.page(withQuery("/challenges", { ...filters, page, size: PAGE_SIZE })),
      solvedIds(filters),
    ]);
    if (ticket !== latest || scope.disposed) return;
    filterBar.knowTags(items.flatMap((challenge) => challenge.tags || []));
    const filtered = Object.values(filters).some(Boolean);
    replace(results,
      h("p", { class: "muted small", dataset: { total: meta.total } }, `${meta.total} challenge${meta.total === 1 ? "" : "s"}${filtered ? " match" : ""}`),
      items.length
        ? challengeRows(items, (id) => (solved ? solved.has(id) : state.solved === "true"))
        : h("p", {}, filtered ? "No challenge matches these filters." : "No challenges yet."),
      pager(meta, (next) => { state.page = next; reload(); }));
  };

  const reload = () => load().catch((error) => !scope.disposed && showError(error));
  const filterBar = challengeFilters(state, scope, () => {
    state.page = 0;
    reload();
  });
  root.append(h("h1", { tabindex: "-1" }, "Challenges"), filterBar.element, results);
  await load();
}
