// The overall ranking (GET /leaderboard): challenges solved, then total best score, in the
// order the server gives, PAGE_SIZE players a page; the caller's row is highlighted.
import { api, withQuery } from "../api.js";
import { h } from "../dom.js";
import { navigate } from "../router.js";
import { currentUser } from "../session.js";
import { pager } from "../components/pager.js";

const PAGE_SIZE = 20;

export async function overallLeaderboardPage(root, { query }) {
  const page = Number(query.get("page") || 0);
  const me = currentUser()?.id;
  root.append(h("h1", { tabindex: "-1" }, "Leaderboard"),
    h("p", { class: "muted" }, "Everyone with a judged attempt: most challenges solved first, then the highest total of best scores; on a tie, whoever got there first."));
  const { items, meta } = await api.page(withQuery("/leaderboard", { page, size: PAGE_SIZE }));
  if (!items.length) {
    root.append(h("p", {}, "Nobody is ranked yet. ", h("a", { href: "#/challenges" }, "Solve a challenge")));
    return;
  }
  root.append(
    h("table", { class: "data overall-leaderboard" },
      h("thead", {}, h("tr", {}, ["#", "Player", "Solved", "Total score"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, items.map((entry) =>
        h("tr", { class: entry.user_id === me ? "me" : "", dataset: { userId: entry.user_id } },
          h("td", {}, entry.rank),
          h("td", {}, entry.full_name, entry.user_id === me ? " (you)" : ""),
          h("td", {}, entry.solved),
          h("td", {}, entry.total_score))))),
    pager(meta, (next) => navigate(`/leaderboard?page=${next}`)));
}
