// A challenge's leaderboard in pages of PAGE_SIZE: REST for the page and its total (meta), then
// live. Live events carry the top LIVE_ENTRIES, so pages inside them update from the event;
// a page beyond them is re-read (debounced) when the board changes.
import { api, withQuery } from "../api.js";
import { h, replace } from "../dom.js";
import { formatMs } from "../clock.js";
import { on, subscribe } from "../live.js";
import { currentUser } from "../session.js";
import { pager } from "./pager.js";
import { COST_EXPLAINED, formatCost } from "./cost.js";

const PAGE_SIZE = 20;
const LIVE_ENTRIES = 100; // the server's MAX_ENTRIES for leaderboard events
const REREAD_MS = 500;

// A player none of whose cases passed has no standing: no rank, cost or time that could read as a lead.
function row(entry, me) {
  const solved = entry.score > 0;
  return h("tr", { class: [entry.user_id === me ? "me" : "", solved ? "" : "unsolved"].join(" ").trim(),
    dataset: { userId: entry.user_id } },
  h("td", {}, solved ? entry.rank : "—"),
  h("td", {}, entry.full_name, entry.user_id === me ? " (you)" : ""),
  h("td", {}, solved ? entry.score : "not solved"),
  h("td", { class: "cost" }, solved ? formatCost(entry.cost) : "—"),
  h("td", {}, solved ? formatMs(entry.execution_ms) : "—"));
}

function table(entries) {
  const me = currentUser()?.id;
  if (!entries.length) return h("p", { class: "muted" }, "Nobody has a judged attempt yet. Be the first!");
  const head = [["#"], ["Player"], ["Score"], ["Cost", COST_EXPLAINED], ["Time"]];
  return h("div", {},
    h("table", { class: "data leaderboard" },
      h("thead", {}, h("tr", {}, head.map(([t, title]) => h("th", { scope: "col", title }, t)))),
      h("tbody", {}, entries.map((entry) => row(entry, me)))),
    h("p", { class: "muted cost-legend" }, COST_EXPLAINED));
}

/** Renders `challenge`'s leaderboard into `container` until `scope` ends. */
export function liveLeaderboard(container, challenge, scope) {
  let page = 0;
  let meta = { total: 0, page: 0, size: PAGE_SIZE };
  let rereadTimer = null;
  scope.add(() => clearTimeout(rereadTimer));

  const render = (entries) => {
    if (scope.disposed) return;
    replace(container, table(entries), pager(meta, (next) => { page = next; load(); }));
  };
  const load = async () => {
    try {
      const { items: board, meta: fresh } = await api.page(withQuery(`/challenges/${challenge.id}/leaderboard`, { page, size: PAGE_SIZE }));
      meta = fresh;
      render(board.entries);
    } catch {
      replace(container, h("p", { class: "muted" }, "The leaderboard could not be loaded; it updates on the next change."));
    }
  };
  const live = (payload) => {
    if (payload.challenge_id !== challenge.id) return;
    const start = page * PAGE_SIZE;
    if (start + PAGE_SIZE > LIVE_ENTRIES || payload.entries.length >= LIVE_ENTRIES) {
      clearTimeout(rereadTimer); // beyond what the event carries, or more users than it shows
      rereadTimer = setTimeout(load, REREAD_MS);
      return;
    }
    meta = { ...meta, page, total: payload.entries.length };
    render(payload.entries.slice(start, start + PAGE_SIZE));
  };

  replace(container, h("p", { class: "muted" }, "Loading the leaderboard…"));
  scope.add(on("leaderboard.snapshot", live));
  scope.add(on("leaderboard.updated", live));
  scope.add(subscribe(`challenge:${challenge.id}`));
  load();
}
