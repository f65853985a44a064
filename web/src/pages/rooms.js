// Joining a room by code (or a shared #/join/CODE link) and creating a duel or tournament.
import { api } from "../api.js";
import { h } from "../dom.js";
import { navigate } from "../router.js";
import { busy, showError } from "../notices.js";
import { currentUser } from "../session.js";

function joinForm() {
  const input = h("input", { name: "code", required: true, autocomplete: "off", placeholder: "e.g. K7PQ2M", class: "code-input" });
  const button = h("button", { type: "submit", class: "primary" }, "Join");
  const form = h("form", { class: "card", "aria-labelledby": "join-title" },
    h("h2", { id: "join-title" }, "Join with a code"),
    h("label", { class: "field" }, h("span", {}, "Join code"), input), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return showError("Please type the room's join code.");
    return busy(button, "Joining…", async () => {
      const room = await api.post("/rooms/join", { code: input.value.trim() });
      navigate(`/rooms/${room.id}`);
    });
  });
  return form;
}

function numberField(label, name, value, attrs = {}) {
  return h("label", { class: "field" }, h("span", {}, label), h("input", { type: "number", name, value: String(value), required: true, ...attrs }));
}

async function createForm() {
  const { items: challenges } = await api.page("/challenges?size=100");
  const mayHostTournament = ["instructor", "admin"].includes(currentUser().role);
  const button = h("button", { type: "submit", class: "primary" }, "Create room");
  // novalidate: the API's own messages (e.g. "duration_s must be …") are clearer than the browser's bubbles.
  const form = h("form", { class: "card", "aria-labelledby": "create-title", novalidate: true },
    h("h2", { id: "create-title" }, mayHostTournament ? "Create a duel or tournament" : "Create a duel"),
    h("label", { class: "field" }, h("span", {}, "Room name"), h("input", { name: "name", required: true, value: `${currentUser().full_name}'s duel` })),
    h("fieldset", { class: "challenge-picks" }, h("legend", {}, "Challenges"),
      challenges.map((challenge, index) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "challenge_ids", value: String(challenge.id), checked: index === 0 }),
        ` ${challenge.name} `, h("span", { class: "muted small" }, `(${challenge.type}, ${challenge.engine})`)))),
    h("div", { class: "row" },
      numberField("Duration (minutes)", "duration_min", 10, { min: 0.17, max: 1440, step: "any" }),
      numberField("Players (2 = duel)", "max_players", 2, { min: 2, max: mayHostTournament ? 200 : 2 }),
      numberField("Freeze standings for the last (seconds)", "freeze_last_s", 0, { min: 0 })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "host_plays", checked: true }), " I play too (untick to only host)"),
    button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      name: data.get("name").trim(),
      challenge_ids: data.getAll("challenge_ids").map(Number),
      duration_s: Math.round(Number(data.get("duration_min")) * 60),
      max_players: Number(data.get("max_players")),
      freeze_last_s: Number(data.get("freeze_last_s")),
      host_plays: data.get("host_plays") === "on",
    };
    if (!body.name) return showError("Please give the room a name.");
    if (!body.challenge_ids.length) return showError("Pick at least one challenge for the room.");
    if (!Number.isFinite(body.duration_s) || !Number.isInteger(body.max_players)) {
      return showError("Duration and players must be numbers.");
    }
    return busy(button, "Creating…", async () => navigate(`/rooms/${(await api.post("/rooms", body)).id}`));
  });
  return form;
}

export async function roomsPage(root) {
  root.append(h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Rooms"),
    h("a", { class: "button secondary", href: "#/my-rooms", title: "Rooms you host or played, live and past" }, "My rooms")),
    h("p", {}, "Play a live duel, or host a tournament: share the join code, wait in the lobby, and race on the same challenges against the clock."));
  const columns = h("div", { class: "two-columns" }, joinForm());
  root.append(columns);
  columns.append(await createForm());
}

/** #/join/CODE: a shared link joins at once. */
export async function joinByLinkPage(root, { code }) {
  root.append(h("p", { class: "muted" }, `Joining room ${code}…`));
  const room = await api.post("/rooms/join", { code });
  navigate(`/rooms/${room.id}`);
}
