// The final standings, the winner(s), and the rematch.
import { h, replace } from "../../dom.js";
import { busy } from "../../notices.js";
import { navigate } from "../../router.js";
import { afterRoomView } from "./afterRoom.js";
import { standingsTable } from "./standingsTable.js";

function winnerLine(ctx, results) {
  const names = results.standings.filter((row) => results.winner_user_ids.includes(row.user_id)).map((row) => row.full_name);
  if (!names.length) return h("p", { class: "winner-line" }, "No winner this time.");
  const youWon = results.winner_user_ids.includes(ctx.me.id);
  return h("p", { class: "winner-line" }, names.length > 1 ? `Draw: ${names.join(" and ")}` : `Winner: ${names[0]}`, youWon ? " — well played, that's you!" : "");
}

function rematchBox(ctx) {
  if (ctx.rematch) {
    return h("p", { class: "banner banner-info" }, "A rematch is ready. ",
      h("button", { type: "button", class: "primary", onclick: () => navigate(`/rooms/${ctx.rematch.new_room_id}`) }, "Join the rematch"));
  }
  if (ctx.isHost) {
    return h("button", { type: "button", class: "primary", onclick: (e) => busy(e.target, "Creating…", () => ctx.actions.rematch()) }, "Rematch");
  }
  return h("p", { class: "muted small" }, "The host may start a rematch.");
}

export function resultsView(ctx) {
  const body = h("div");
  return {
    element: h("section", { class: "card results" }, h("h2", {}, "Results"), body,
      ctx.isPlayer ? afterRoomView(ctx) : null,
      h("p", {}, h("a", { href: "#/rooms" }, "Back to rooms"))),
    update() {
      const results = ctx.results || { standings: ctx.room.standings, winner_user_ids: [] };
      replace(body, winnerLine(ctx, results), standingsTable(ctx, results.standings, { winners: results.winner_user_ids }), rematchBox(ctx));
    },
  };
}
