// "My challenges": what the signed-in user created, with who sees it and from when, and the
// author's actions — new, edit, duplicate, delete (confirmed in the row), import and export.
import { api } from "../../api.js";
import { h, replace } from "../../dom.js";
import { busy, showInfo } from "../../notices.js";
import { navigate } from "../../router.js";
import { currentUser } from "../../session.js";
import { pager } from "../../components/pager.js";
import { exportButtons } from "./exportButtons.js";
import { formatWhen } from "./formControls.js";

const PAGE_SIZE = 50;
const IMPORT_ROLES = ["admin", "instructor"];

/** "public", "scheduled" (public, released later), "draft" or "room". */
function visibilityLabel(challenge) {
  const later = challenge.release_at && new Date(challenge.release_at) > new Date();
  return challenge.visibility === "public" && later ? "scheduled" : challenge.visibility;
}

function deleteControl(challenge, row) {
  const cell = h("span", { class: "row-actions" });
  const ask = () => replace(cell,
    h("span", { class: "confirm", role: "group", "aria-label": `Confirm deleting ${challenge.name}` },
      "Delete for good? ",
      h("button", { type: "button", class: "danger", onclick: (event) => busy(event.currentTarget, "Deleting…", async () => {
        await api.delete(`/challenges/${challenge.id}`);
        row.remove();
        showInfo(`Deleted "${challenge.name}".`);
      }) }, "Yes, delete"),
      " ",
      h("button", { type: "button", class: "secondary", onclick: idle }, "Cancel")));
  const idle = () => replace(cell,
    h("a", { href: `#/my-challenges/${challenge.id}/edit` }, "Edit"), " · ",
    h("a", { href: `#/my-challenges/new?from=${challenge.id}` }, "Duplicate"), " · ",
    h("a", { href: `#/challenges/${challenge.id}/submissions` }, "Submissions"), " · ",
    h("button", { type: "button", class: "link danger", onclick: ask }, "Delete"));
  idle();
  return cell;
}

function challengeRow(challenge) {
  const row = h("tr", { dataset: { challengeId: challenge.id } });
  replace(row,
    h("td", {}, h("input", { type: "checkbox", class: "pick", value: String(challenge.id), "aria-label": `Select ${challenge.name}` })),
    h("td", {}, h("a", { href: `#/my-challenges/${challenge.id}/edit` }, challenge.name)),
    h("td", {}, h("span", { class: `badge visibility-${visibilityLabel(challenge)}` }, visibilityLabel(challenge))),
    h("td", {}, formatWhen(challenge.release_at)),
    h("td", {}, challenge.difficulty || "—"),
    h("td", {}, (challenge.tags || []).join(", ") || "—"),
    h("td", {}, deleteControl(challenge, row)));
  return row;
}

export async function myChallengesPage(root, { query }) {
  const me = currentUser();
  const page = Number(query.get("page") || 0);
  const { items, meta } = await api.page(`/challenges?created_by=${me.id}&page=${page}&size=${PAGE_SIZE}`);
  const table = h("table", { class: "data my-challenges" },
    h("thead", {}, h("tr", {}, ["", "Challenge", "Visibility", "Release", "Difficulty", "Tags", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map(challengeRow)));
  const selectedIds = () => [...table.querySelectorAll("input.pick:checked")].map((box) => Number(box.value));
  root.append(
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "My challenges"),
      h("a", { class: "button primary", href: "#/my-challenges/new" }, "New challenge"),
      IMPORT_ROLES.includes(me.role) ? h("a", { class: "button secondary", href: "#/my-challenges/import" }, "Import a problem set") : null),
    ...(items.length
      ? [h("div", { class: "actions" }, exportButtons(me.id, selectedIds)), table, pager(meta, (next) => navigate(`/my-challenges?page=${next}`))]
      : [h("p", {}, "You have not written a challenge yet.")]));
}
