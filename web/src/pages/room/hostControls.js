// The host's announce box (every phase but the results).
import { h } from "../../dom.js";
import { busy, showError } from "../../notices.js";

export function announceForm(ctx) {
  const input = h("input", { name: "text", maxlength: 1000, placeholder: "Message to everyone in the room", "aria-label": "Announcement" });
  const button = h("button", { type: "submit", class: "secondary" }, "Announce");
  const form = h("form", { class: "announce" }, input, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return showError("Type a message to announce.");
    return busy(button, "Sending…", async () => {
      await ctx.actions.announce(input.value.trim());
      input.value = "";
    });
  });
  return form;
}
