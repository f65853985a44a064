// Every attempt of a room or a challenge for its organiser: filters, pages, and one attempt opened
// in place with its query and each case's result (hidden cases included: the organiser may read them).
import { api, withQuery } from "../../api.js";
import { h, replace } from "../../dom.js";
import { formatDateTime, formatMs } from "../../clock.js";
import { showError } from "../../notices.js";
import { attemptView } from "../../components/attemptView.js";
import { pager } from "../../components/pager.js";
import { attemptBadge } from "../../components/verdict.js";
import "./organiser.css";

const PAGE_SIZE = 20;

/** A <select> labelled `label` over [{value, label}], "All" first. */
function filterSelect(name, label, options, onChange) {
  const select = h("select", { name, onchange: onChange },
    h("option", { value: "" }, "All"), options.map((o) => h("option", { value: String(o.value) }, o.label)));
  return { select, element: h("label", { class: "field" }, h("span", {}, label), select) };
}

function attemptRow(attempt, names, open) {
  return h("tr", { dataset: { attemptId: attempt.id } },
    h("td", {}, attempt.id),
    h("td", {}, names.user(attempt.user_id)),
    h("td", {}, names.challenge(attempt.challenge_id)),
    h("td", {}, attemptBadge(attempt)),
    h("td", {}, attempt.score ?? "—"),
    h("td", {}, formatMs(attempt.execution_ms)),
    h("td", {}, formatDateTime(attempt.created_at)),
    h("td", {}, h("button", { type: "button", class: "link", "aria-label": `Open attempt ${attempt.id}`,
      onclick: () => open(attempt.id) }, "Open")));
}

/**
 * submissionList({path, filters, names}) → element. `path`: the attempts route; `filters`:
 * [{name, label, options}] sent as query parameters; `names`: {user(id), challenge(id)} → text.
 */
export function submissionList({ path, filters, names }) {
  const list = h("div", { class: "submission-rows", "aria-live": "polite" });
  const detail = h("section", { class: "submission-detail", "aria-label": "The opened attempt", hidden: true });
  const selects = filters.map((f) => ({ name: f.name, ...filterSelect(f.name, f.label, f.options, () => load(0)) }));

  async function open(id) {
    const attempt = await api.get(`/attempts/${id}`).catch((error) => showError(error));
    if (!attempt) return;
    replace(detail,
      h("h3", { tabindex: "-1" }, `Attempt #${attempt.id} by ${names.user(attempt.user_id)}`),
      h("p", { class: "muted" }, `${names.challenge(attempt.challenge_id)} · submitted ${formatDateTime(attempt.created_at)}`),
      h("pre", { class: "sql" }, attempt.query),
      attemptView(attempt, { theirs: true }));
    detail.hidden = false;
    detail.querySelector("h3").focus();
  }

  async function load(page) {
    const params = Object.fromEntries(selects.map((s) => [s.name, s.select.value]));
    const { items, meta } = await api.page(withQuery(path, { ...params, page, size: PAGE_SIZE }))
      .catch((error) => (showError(error), { items: [], meta: { total: 0, page: 0, size: PAGE_SIZE } }));
    replace(list, items.length
      ? [h("p", { class: "muted small" }, `${meta.total} attempt${meta.total === 1 ? "" : "s"}`),
        h("table", { class: "data submissions" },
          h("thead", {}, h("tr", {}, ["#", "Player", "Challenge", "Verdict", "Score", "Time", "Submitted", ""]
            .map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, items.map((a) => attemptRow(a, names, open)))),
        pager(meta, load)]
      : h("p", { class: "muted" }, "No attempts match."));
  }

  load(0);
  return h("div", { class: "submission-list" },
    h("div", { class: "filters" }, selects.map((s) => s.element)), list, detail);
}

/** {user, challenge} name lookups from known id → name maps, "#id" for the rest. */
export function nameLookups(users, challenges) {
  return {
    user: (id) => users.get(id) || `User #${id}`,
    challenge: (id) => challenges.get(id) || `Challenge #${id}`,
  };
}
