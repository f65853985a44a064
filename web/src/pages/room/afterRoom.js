// After a FINISHED room, per challenge: the player's last query in the room beside the reference
// solution (GET /challenges/:id/solution unlocks for members of a finished room).
import { api } from "../../api.js";
import { h, replace } from "../../dom.js";
import { verdictBadge } from "../../components/verdict.js";

/** The player's newest attempt at `challengeId` made in this room, or null. */
async function lastAttemptInRoom(challengeId, roomId) {
  const attempts = await api.get(`/attempts?challenge_id=${challengeId}&size=100`);
  const mine = attempts.filter((attempt) => attempt.room_id === roomId);
  return mine.reduce((newest, attempt) => (!newest || attempt.id > newest.id ? attempt : newest), null);
}

async function challengeReview(ctx, challengeId, element) {
  const [attempt, solution] = await Promise.all([
    lastAttemptInRoom(challengeId, ctx.room.id),
    api.get(`/challenges/${challengeId}/solution`).catch((error) => ({ locked: error.message })),
  ]);
  replace(element,
    h("h3", {}, ctx.challengeName(challengeId), " ", attempt ? verdictBadge(attempt.status === "COMPLETED" ? attempt.verdict : attempt.status) : null),
    h("div", { class: "side-by-side" },
      h("div", { class: "your-query" }, h("h4", {}, "Your last query"),
        attempt ? h("pre", { class: "sql" }, attempt.query.trim()) : h("p", { class: "muted" }, "You submitted nothing for this one.")),
      h("div", { class: "reference" }, h("h4", {}, "Reference solution"),
        solution.locked ? h("p", { class: "muted" }, solution.locked) : h("pre", { class: "sql" }, solution.solution.trim()),
        solution.explanation ? h("p", { class: "muted small" }, solution.explanation) : null)));
}

/** afterRoomView(ctx) → element: one review per challenge of the room, loaded once. */
export function afterRoomView(ctx) {
  const element = h("section", { class: "after-room", "aria-label": "Your queries and the solutions" },
    h("h2", {}, "Your queries and the solutions"));
  for (const challengeId of ctx.room.challenge_ids) {
    const item = h("div", { class: "review", dataset: { challengeId } }, h("p", { class: "muted small" }, "Loading…"));
    element.append(item);
    challengeReview(ctx, challengeId, item).catch((error) =>
      replace(item, h("p", { class: "error-text" }, `${ctx.challengeName(challengeId)}: ${error.message}`)));
  }
  return element;
}
