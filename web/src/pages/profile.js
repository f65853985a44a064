// The signed-in user's profile: who they are, their progress (challenges solved, attempts, rooms,
// latest attempts) and a password change (the other sessions end; this one goes on).
import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime } from "../clock.js";
import { busy, showError, showInfo } from "../notices.js";
import { currentUser } from "../session.js";
import { attemptBadge } from "../components/verdict.js";
import { challengeNameMap } from "../components/challengeNames.js";
import { field } from "./auth.js";
import "./organiser/organiser.css";

const RECENT = 5;

const countOf = async (path) => (await api.page(path)).meta.total;

function stat(label, value) {
  return h("div", { class: "stat" }, h("span", { class: "stat-value" }, value), h("span", { class: "muted small" }, label));
}

async function progress() {
  const [solved, challenges, attempts, rooms, recent] = await Promise.all([
    countOf("/challenges?solved=true&size=1"), countOf("/challenges?size=1"), countOf("/attempts?size=1"),
    countOf("/rooms?size=1"), api.page(`/attempts?size=${RECENT}`).then((p) => p.items)]);
  const names = await challengeNameMap(recent.map((a) => a.challenge_id));
  return h("section", { class: "card progress-card", "aria-labelledby": "progress-title" },
    h("h2", { id: "progress-title" }, "Your progress"),
    h("div", { class: "stats" },
      stat("challenges solved", `${solved} of ${challenges}`), stat("attempts", attempts), stat("rooms", rooms)),
    h("progress", { max: Math.max(challenges, 1), value: solved, "aria-label": "Challenges solved" }),
    recent.length
      ? h("div", {}, h("h3", {}, "Latest attempts"),
        h("ul", { class: "recent-attempts" }, recent.map((a) => h("li", {},
          h("a", { href: `#/attempts/${a.id}` }, `#${a.id}`), " ", names.get(a.challenge_id), " ", attemptBadge(a),
          h("span", { class: "muted small" }, ` ${formatDateTime(a.created_at)}`)))),
        h("a", { href: "#/attempts" }, "All your attempts"), " · ", h("a", { href: "#/challenges?solved=false" }, "Unsolved challenges"))
      : h("p", {}, "No attempts yet. ", h("a", { href: "#/challenges" }, "Pick a challenge")));
}

function passwordForm() {
  const fields = [
    field("Current password", { name: "old", type: "password", autocomplete: "current-password" }),
    field("New password", { name: "new", type: "password", autocomplete: "new-password" }),
    field("Repeat the new password", { name: "repeat", type: "password", autocomplete: "new-password" }),
  ];
  const button = h("button", { type: "submit", class: "primary" }, "Change password");
  const form = h("form", { class: "card narrow", "aria-labelledby": "password-title", novalidate: true },
    h("h2", { id: "password-title" }, "Change your password"), fields, button,
    h("p", { class: "muted small" }, "Your other signed-in browsers and scripts are signed out; this one stays signed in."));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    if (!values.old || !values.new) return showError("Please fill in your current and your new password.");
    if (values.new !== values.repeat) return showError("The two new passwords differ.");
    return busy(button, "Changing…", async () => {
      await api.post("/me/password", { old: values.old, new: values.new });
      form.reset();
      showInfo("Password changed.");
    });
  });
  return form;
}

export async function profilePage(root) {
  const me = await api.get("/me").catch(() => currentUser());
  root.append(
    h("h1", { tabindex: "-1" }, "Your profile"),
    h("p", {}, h("strong", {}, me.full_name), ` · ${me.email} · ${me.role} · member since ${formatDateTime(me.created_at)}`),
    h("div", { class: "two-columns" }, await progress(), passwordForm()));
}
