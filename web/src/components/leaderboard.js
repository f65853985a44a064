// A challenge's live leaderboard: the snapshot on subscribing, then every update.
import { h, replace } from "../dom.js";
import { formatMs } from "../clock.js";
import { on, subscribe } from "../live.js";
import { currentUser } from "../session.js";

function table(entries) {
  const me = currentUser()?.id;
  if (!entries.length) return h("p", { class: "muted" }, "Nobody has a judged attempt yet. Be the first!");
  return h("table", { class: "data leaderboard" },
    h("thead", {}, h("tr", {}, ["#", "Player", "Score", "Time"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, entries.map((entry) =>
      h("tr", { class: entry.user_id === me ? "me" : "", dataset: { userId: entry.user_id } },
        h("td", {}, entry.rank),
        h("td", {}, entry.full_name, entry.user_id === me ? " (you)" : ""),
        h("td", {}, entry.score),
        h("td", {}, formatMs(entry.execution_ms))))));
}

/** Renders challenge `challengeId`'s leaderboard into `container` until `scope` ends. */
export function liveLeaderboard(container, challengeId, scope) {
  replace(container, h("p", { class: "muted" }, "Loading the leaderboard…"));
  const show = (payload) => payload.challenge_id === challengeId && replace(container, table(payload.entries));
  scope.add(on("leaderboard.snapshot", show));
  scope.add(on("leaderboard.updated", show));
  scope.add(subscribe(`challenge:${challengeId}`));
}
