// The server-timed countdown between Start and the first second of play.
import { h, replace } from "../../dom.js";
import { msUntil } from "../../clock.js";

export function countdownView(ctx, scope) {
  const number = h("p", { class: "countdown-number", role: "timer", "aria-live": "assertive" });
  const tick = () => {
    const seconds = Math.max(0, Math.ceil(msUntil(ctx.room.starts_at) / 1000));
    replace(number, seconds > 0 ? String(seconds) : "Go!");
  };
  scope.interval(tick, 100);
  return {
    element: h("section", { class: "card countdown" }, h("h2", {}, "Get ready…"), number,
      h("p", {}, "Challenges: ", ctx.room.challenge_ids.map((id) => ctx.challengeName(id)).join(", "))),
    update: tick,
  };
}
