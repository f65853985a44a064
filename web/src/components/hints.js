// A challenge's hints, revealed one at a time (POST /challenges/:id/hints/next). The ones already
// revealed, in this browser or any other, are read back from GET /challenges/:id/hints.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { busy } from "../notices.js";

/** hintsBox(challenge) → element, or null when the challenge has no hints. */
export function hintsBox(challenge) {
  if (!challenge.hint_count) return null;
  let revealed = [];
  let remaining = challenge.hint_count;
  const list = h("ol", { class: "hint-list" });
  const button = h("button", { type: "button", class: "secondary hint-button" });
  const note = h("p", { class: "muted small" });

  const render = () => {
    replace(list, revealed.map((text) => h("li", { class: "hint" }, text)));
    button.textContent = remaining > 0 ? `Hint (${remaining} left)` : "No hints left";
    button.disabled = remaining <= 0;
    replace(note, revealed.length
      ? "Revealed hints are recorded on your account."
      : "Each hint you reveal is recorded (a room may take points for it).");
  };
  const keep = (state) => {
    revealed = state.revealed;
    remaining = state.remaining;
  };
  // busy() puts the button's own label back when done: render after it.
  button.addEventListener("click", () => busy(button, "Revealing…", async () => {
    try {
      keep(await api.post(`/challenges/${challenge.id}/hints/next`));
    } catch (error) {
      if (error.status !== 404) throw error;
      keep(await api.get(`/challenges/${challenge.id}/hints`)); // revealed meanwhile in another tab
    }
  }).then(render));
  render();
  api.get(`/challenges/${challenge.id}/hints`).then(keep).then(render).catch(() => {});

  return h("section", { class: "hints", "aria-label": "Hints" },
    h("div", { class: "actions" }, button, note),
    list);
}
