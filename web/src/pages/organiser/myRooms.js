// "My rooms": the rooms the user hosts or played (admins: all), live and past, newest first, each with
// a link back into it and, for its host, its submissions and the results as CSV.
import { api, withQuery } from "../../api.js";
import { h } from "../../dom.js";
import { formatDateTime } from "../../clock.js";
import { navigate } from "../../router.js";
import { pager } from "../../components/pager.js";
import { roomCsvButton } from "./roomSubmissions.js";
import "./organiser.css";

const PAGE_SIZE = 20;
const STATES = ["LOBBY", "COUNTDOWN", "RUNNING", "FINISHED"];
const RELATION = { host: "Host", player: "Player", admin: "Admin view" };

function hostTools(room) {
  if (room.relation === "player") return "—";
  return h("span", { class: "row-actions" },
    h("a", { href: `#/rooms/${room.id}/submissions` }, "Submissions"), " ", roomCsvButton(room));
}

function roomRow(room) {
  return h("tr", { dataset: { roomId: room.id, state: room.state } },
    h("td", {}, h("a", { href: `#/rooms/${room.id}` }, room.name)),
    h("td", {}, h("span", { class: `badge state-${room.state.toLowerCase()}` }, room.state === "FINISHED" ? "Finished" : `Live · ${room.state.toLowerCase()}`)),
    h("td", {}, RELATION[room.relation] || room.relation),
    h("td", {}, room.max_players === 2 ? "Duel" : `Up to ${room.max_players}`),
    h("td", {}, room.challenge_ids.length),
    h("td", {}, formatDateTime(room.created_at)),
    h("td", {}, hostTools(room)));
}

function stateFilter(current) {
  const select = h("select", { name: "state", onchange: () => navigate(withQuery("/my-rooms", { state: select.value })) },
    h("option", { value: "" }, "Live and past"),
    STATES.map((s) => h("option", { value: s, selected: s === current }, s.toLowerCase())));
  return h("label", { class: "field" }, h("span", {}, "State"), select);
}

export async function myRoomsPage(root, { query }) {
  const page = Number(query.get("page") || 0);
  const state = query.get("state") || "";
  const { items, meta } = await api.page(withQuery("/rooms", { state, page, size: PAGE_SIZE }));
  root.append(
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "My rooms"),
      h("a", { class: "button secondary", href: "#/rooms" }, "Join or create a room")),
    h("div", { class: "filters" }, stateFilter(state)),
    items.length
      ? h("table", { class: "data my-rooms" },
        h("thead", {}, h("tr", {}, ["Room", "State", "You are", "Kind", "Challenges", "Created", "Host tools"]
          .map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, items.map(roomRow)))
      : h("p", {}, "No rooms yet. ", h("a", { href: "#/rooms" }, "Join or create one")),
    pager(meta, (next) => navigate(withQuery("/my-rooms", { state, page: next }))));
}
