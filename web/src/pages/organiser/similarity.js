// Similar accepted attempts on a challenge (creator, admins): pairs of different players whose
// queries share one structure once names, literals, whitespace and keyword case are normalised,
// rarest structure first. Opening a pair shows both queries side by side, their differences marked.
import { api } from "../../api.js";
import { h, replace } from "../../dom.js";
import { formatDateTime } from "../../clock.js";
import { showError } from "../../notices.js";
import { challengeOrganiserHead } from "./challengeHead.js";

const userNames = new Map();

function userName(id) {
  if (!userNames.has(id)) userNames.set(id, api.get(`/users/${id}`).then((u) => u.full_name, () => `User #${id}`));
  return userNames.get(id);
}

/** The query as text runs, those missing from the other query marked (`<mark>`, labelled for screen readers). */
function markedQuery(parts, side) {
  const skip = side === "left" ? "added" : "removed";
  const flag = side === "left" ? "removed" : "added";
  return h("pre", { class: "sql diff" }, parts.filter((p) => !p[skip]).map((p) => (p[flag]
    ? h("mark", { class: `diff-${flag}`, title: "differs from the other query" }, p.value)
    : p.value)));
}

async function comparison(pair) {
  const [attempts, names, { diffWordsWithSpace }] = await Promise.all([
    Promise.all(pair.attempt_ids.map((id) => api.get(`/attempts/${id}`))),
    Promise.all(pair.user_ids.map(userName)),
    import("diff"),
  ]);
  const parts = diffWordsWithSpace(attempts[0].query, attempts[1].query);
  const pane = (i, side) => h("div", { class: "diff-pane", dataset: { attemptId: attempts[i].id } },
    h("h3", {}, names[i], h("span", { class: "muted small" }, ` · attempt #${attempts[i].id} · ${formatDateTime(attempts[i].created_at)}`)),
    markedQuery(parts, side));
  return h("section", { class: "similar-view", "aria-label": "The two queries side by side" },
    h("p", { class: "shared-by" }, `${pair.shared_by} player${pair.shared_by === 1 ? "" : "s"} share this structure.`,
      h("span", { class: "muted" }, " Highlighted: what differs between the two texts.")),
    h("div", { class: "side-by-side" }, pane(0, "left"), pane(1, "right")));
}

async function pairRow(pair, open) {
  const names = await Promise.all(pair.user_ids.map(userName));
  return h("tr", { dataset: { attempts: pair.attempt_ids.join(",") } },
    h("td", {}, names.join(" and ")),
    h("td", {}, pair.shared_by),
    h("td", {}, pair.attempt_ids.map((id) => `#${id}`).join(" · ")),
    h("td", {}, h("button", { type: "button", class: "link", onclick: () => open(pair) }, "Compare")));
}

export async function similarityPage(root, { id }) {
  const challenge = await api.get(`/challenges/${Number(id)}`);
  const pairs = await api.get(`/admin/similar-attempts?challenge_id=${challenge.id}`);
  root.append(challengeOrganiserHead(challenge, "similar"));
  if (!pairs.length) {
    root.append(h("p", {}, "No two players' accepted queries share a structure."));
    return;
  }
  const view = h("div", { class: "similar-host" });
  const open = (pair) => comparison(pair).then((node) => replace(view, node), showError);
  root.append(
    h("p", { class: "muted" }, "Rarest structure first: one that only two players share says more than the textbook answer half the class wrote."),
    h("table", { class: "data similar-pairs" },
      h("thead", {}, h("tr", {}, ["Players", "Players sharing the structure", "Attempts", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, await Promise.all(pairs.map((pair) => pairRow(pair, open))))),
    view);
  await open(pairs[0]);
}
