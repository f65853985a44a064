// A challenge's hints, revealed one at a time (POST /challenges/:id/hints/next). The server
// records each reveal but offers no way to read them back, so this browser keeps the texts it
// was shown; revealing the next hint anywhere returns every earlier one too.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { busy } from "../notices.js";
import { currentUser } from "../session.js";

function storageKey(challengeId) {
  return `sqlarena.hints.${currentUser()?.id}.${challengeId}`;
}

function remembered(challengeId) {
  try {
    const texts = JSON.parse(localStorage.getItem(storageKey(challengeId)));
    return Array.isArray(texts) ? texts : [];
  } catch {
    return [];
  }
}

/** hintsBox(challenge) → element, or null when the challenge has no hints. */
export function hintsBox(challenge) {
  if (!challenge.hint_count) return null;
  let revealed = remembered(challenge.id).slice(0, challenge.hint_count);
  let remaining = challenge.hint_count - revealed.length;
  const list = h("ol", { class: "hint-list" });
  const button = h("button", { type: "button", class: "secondary hint-button" });
  const note = h("p", { class: "muted small" });

  const render = () => {
    replace(list, revealed.map((text) => h("li", { class: "hint" }, text)));
    button.textContent = remaining > 0 ? `Hint (${remaining} left)` : "No hints left";
    button.disabled = remaining <= 0;
    const lost = remaining <= 0 && revealed.length < challenge.hint_count;
    replace(note, lost
      ? "You revealed the other hints elsewhere; the server does not show revealed hints again."
      : revealed.length
        ? "Revealed hints are recorded on the server and remembered in this browser."
        : "Each hint you reveal is recorded (a room may take points for it).");
  };
  button.addEventListener("click", () => busy(button, "Revealing…", async () => {
    try {
      const hint = await api.post(`/challenges/${challenge.id}/hints/next`);
      revealed = hint.revealed;
      remaining = hint.remaining;
    } catch (error) {
      if (error.status !== 404) throw error;
      remaining = 0; // every hint was revealed already (another browser, or storage cleared)
    }
    localStorage.setItem(storageKey(challenge.id), JSON.stringify(revealed));
  }).then(render));
  render();

  return h("section", { class: "hints", "aria-label": "Hints" },
    h("div", { class: "actions" }, button, note),
    list);
}
