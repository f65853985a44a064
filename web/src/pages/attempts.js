// The caller's attempt history (newest first, filterable by challenge) and one attempt in full.
import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, formatMs } from "../clock.js";
import { navigate } from "../router.js";
import { attemptView } from "../components/attemptView.js";
import { challengeNameMap } from "../components/challengeNames.js";
import { attemptBadge } from "../components/verdict.js";
import { pager } from "../components/pager.js";

const PAGE_SIZE = 20;

export async function attemptListPage(root, { query }) {
  const page = Number(query.get("page") || 0);
  const challengeId = query.get("challenge");
  const filter = challengeId ? `&challenge_id=${Number(challengeId)}` : "";
  root.append(h("h1", { tabindex: "-1" }, "Your attempts"));
  const { items, meta } = await api.page(`/attempts?page=${page}&size=${PAGE_SIZE}${filter}`);
  const names = await challengeNameMap(items.map((a) => a.challenge_id));
  if (challengeId) {
    root.append(h("p", {}, `Only "${names.get(Number(challengeId)) || `challenge ${challengeId}`}". `, h("a", { href: "#/attempts" }, "Show all")));
  }
  if (!items.length) {
    root.append(h("p", {}, "No attempts yet. ", h("a", { href: "#/challenges" }, "Pick a challenge")));
    return;
  }
  root.append(
    h("table", { class: "data attempts" },
      h("thead", {}, h("tr", {}, ["#", "Challenge", "Verdict", "Score", "Time", "Room", "Submitted"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, items.map((attempt) =>
        h("tr", {},
          h("td", {}, h("a", { href: `#/attempts/${attempt.id}` }, attempt.id)),
          h("td", {}, h("a", { href: `#/challenges/${attempt.challenge_id}` }, names.get(attempt.challenge_id))),
          h("td", {}, attemptBadge(attempt)),
          h("td", {}, attempt.score ?? "—"),
          h("td", {}, formatMs(attempt.execution_ms)),
          h("td", {}, attempt.room_id ? h("a", { href: `#/rooms/${attempt.room_id}` }, attempt.room_id) : "—"),
          h("td", {}, formatDateTime(attempt.created_at)))))),
    pager(meta, (next) => navigate(`/attempts?page=${next}${challengeId ? `&challenge=${challengeId}` : ""}`)));
}

export async function attemptPage(root, { id }) {
  const attempt = await api.get(`/attempts/${Number(id)}`);
  const challenge = await api.get(`/challenges/${attempt.challenge_id}`).catch(() => null);
  root.append(
    h("h1", { tabindex: "-1" }, `Attempt #${attempt.id}`),
    h("p", {}, "Challenge: ", h("a", { href: `#/challenges/${attempt.challenge_id}` }, challenge?.name || `#${attempt.challenge_id}`),
      ` · submitted ${formatDateTime(attempt.created_at)}`),
    h("pre", { class: "sql" }, attempt.query),
    attemptView(attempt));
}
