// A room's "Submissions" for its host: every attempt made in the room (filter by player and
// challenge, open one), and the gradebook as CSV. roomSubmissionsTab(room) is the tab the room page
// mounts; roomSubmissionsPage serves #/rooms/:id/submissions on its own.
import { api } from "../../api.js";
import { h } from "../../dom.js";
import { busy } from "../../notices.js";
import { downloadFile } from "../../download.js";
import { challengeNameMap } from "../../components/challengeNames.js";
import { nameLookups, submissionList } from "./submissionList.js";

/** "Download results (CSV)": one row per player, per challenge score, attempts and time to accept. */
export function roomCsvButton(room) {
  const button = h("button", { type: "button", class: "secondary" }, "Download results (CSV)");
  button.addEventListener("click", () => busy(button, "Downloading…", () =>
    downloadFile(`/rooms/${room.id}/results?format=csv`, "text/csv", `room-${room.id}-results.csv`)));
  return button;
}

export function roomSubmissionsTab(room) {
  const players = new Map(room.players.map((p) => [p.user_id, p.full_name]));
  const element = h("div", { class: "room-submissions" }, h("div", { class: "actions" }, roomCsvButton(room)));
  challengeNameMap(room.challenge_ids).then((challenges) => element.append(submissionList({
    path: `/rooms/${room.id}/attempts`,
    filters: [
      { name: "user_id", label: "Player", options: [...players].map(([value, label]) => ({ value, label })) },
      { name: "challenge_id", label: "Challenge", options: [...challenges].map(([value, label]) => ({ value, label })) },
    ],
    names: nameLookups(players, challenges),
  })));
  return element;
}

export async function roomSubmissionsPage(root, { id }) {
  const room = await api.get(`/rooms/${Number(id)}`);
  root.append(
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, `Submissions: ${room.name}`),
      h("a", { href: `#/rooms/${room.id}` }, "Back to the room")),
    roomSubmissionsTab(room));
}
