// The heading of a challenge's organiser pages, with links between them (the current one marked).
import { h } from "../../dom.js";
import "./organiser.css";

const VIEWS = [
  ["submissions", "Submissions"],
  ["analytics", "Analytics"],
  ["similar", "Similar attempts"],
];

export function challengeOrganiserHead(challenge, current) {
  return h("div", { class: "page-head" },
    h("h1", { tabindex: "-1" }, `${challenge.name}: ${VIEWS.find(([id]) => id === current)[1].toLowerCase()}`),
    h("nav", { class: "organiser-views", "aria-label": "Organiser views" },
      h("a", { href: `#/challenges/${challenge.id}` }, "Challenge"),
      VIEWS.map(([id, label]) => h("a", { href: `#/challenges/${challenge.id}/${id}`,
        "aria-current": id === current ? "page" : null }, label))));
}
