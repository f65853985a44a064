// A room's standings: rank, player, total, each challenge's best score, time to reach the total.
import { h } from "../../dom.js";
import { formatClock } from "../../clock.js";

export function standingsTable(ctx, standings, { winners = [] } = {}) {
  const me = ctx.me.id;
  const ids = ctx.room.challenge_ids;
  const players = new Map(ctx.room.players.map((p) => [p.user_id, p]));
  if (!standings?.length) return h("p", { class: "muted" }, "No players yet.");
  return h("table", { class: "data standings" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "#"), h("th", { scope: "col" }, "Player"), h("th", { scope: "col" }, "Total"),
      ids.map((id, i) => h("th", { scope: "col", title: ctx.challengeName(id) }, `C${i + 1}`)),
      h("th", { scope: "col", title: "Time when the total was first reached" }, "Time"))),
    h("tbody", {}, standings.map((row) => {
      const seat = players.get(row.user_id);
      const notes = [
        row.user_id === me ? "you" : null,
        winners.includes(row.user_id) ? "winner" : null,
        row.forfeited ? "forfeited" : null,
        seat && !seat.connected && !row.forfeited ? "disconnected" : null,
      ].filter(Boolean);
      return h("tr", { class: [row.user_id === me ? "me" : "", winners.includes(row.user_id) ? "winner" : ""].join(" "), dataset: { userId: row.user_id } },
        h("td", {}, row.rank),
        h("td", {}, row.full_name, notes.length ? h("span", { class: "muted small" }, ` (${notes.join(", ")})`) : null),
        h("td", { class: "total" }, row.total_score),
        ids.map((id) => h("td", {}, row.per_challenge?.[id] ?? row.per_challenge?.[String(id)] ?? 0)),
        h("td", {}, row.elapsed_s ? formatClock(row.elapsed_s * 1000) : "—"));
    })));
}
