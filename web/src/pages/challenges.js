// The challenge list with type, engine and the caller's best score, and one challenge's page.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { navigate } from "../router.js";
import { currentUser } from "../session.js";
import { challengeBadges, challengeBrief, ENGINE_LABELS, TYPE_LABELS } from "../components/challengeInfo.js";
import { liveLeaderboard } from "../components/leaderboard.js";
import { pager } from "../components/pager.js";
import { solvePanel } from "../components/solvePanel.js";

const PAGE_SIZE = 20;

/** The caller's leaderboard entry (their best completed attempt), or null. */
async function myBest(challengeId) {
  const board = await api.get(`/challenges/${challengeId}/leaderboard`);
  return board.entries.find((entry) => entry.user_id === currentUser().id) || null;
}

function bestCell(challengeId) {
  const cell = h("td", { class: "best" }, "…");
  myBest(challengeId)
    .then((entry) => replace(cell, entry ? `${entry.score} (rank ${entry.rank})` : "—"))
    .catch(() => replace(cell, "?"));
  return cell;
}

export async function challengeListPage(root, { query }) {
  const page = Number(query.get("page") || 0);
  root.append(h("h1", { tabindex: "-1" }, "Challenges"));
  const { items, meta } = await api.page(`/challenges?page=${page}&size=${PAGE_SIZE}`);
  if (!items.length) {
    root.append(h("p", {}, "No challenges yet."));
    return;
  }
  root.append(
    h("table", { class: "data challenges" },
      h("thead", {}, h("tr", {}, ["Challenge", "Type", "Engine", "Your best"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, items.map((challenge) =>
        h("tr", {},
          h("td", {}, h("a", { href: `#/challenges/${challenge.id}` }, challenge.name)),
          h("td", { title: TYPE_LABELS[challenge.type] }, challenge.type),
          h("td", {}, ENGINE_LABELS[challenge.engine] || challenge.engine),
          bestCell(challenge.id))))),
    pager(meta, (next) => navigate(`/challenges?page=${next}`)));
}

export async function challengePage(root, { id }, scope) {
  const challenge = await api.get(`/challenges/${Number(id)}`);
  const board = h("div", { class: "leaderboard-host" });
  root.append(
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, challenge.name), challengeBadges(challenge),
      h("a", { href: `#/attempts?challenge=${challenge.id}` }, "Your attempts")),
    h("div", { class: "two-columns" },
      h("div", { class: "main-column" }, challengeBrief(challenge), solvePanel({ challenge, scope })),
      h("aside", { class: "side-column", "aria-label": "Leaderboard" }, h("h2", {}, "Live leaderboard"), board)));
  liveLeaderboard(board, challenge.id, scope);
}
