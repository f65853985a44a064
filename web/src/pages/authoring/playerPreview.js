// "Preview as a player": the challenge page's own components fed the player's view of the
// challenge being edited — hidden cases' data removed, no solution, hints or explanation.
import { h } from "../../dom.js";
import { challengeBadges, challengeBrief } from "../../components/challengeInfo.js";

/** What the API gives a player for this challenge (the creator-only fields dropped). */
export function playerView(challenge) {
  const { solution, hints, explanation, ...rest } = challenge;
  return {
    ...rest,
    hint_count: (hints || []).length,
    test_cases: (challenge.test_cases || []).map((tc) => ({ ...tc, data: tc.is_visible ? tc.data : null })),
  };
}

export function playerPreview(challenge) {
  const seen = playerView(challenge);
  return h("div", { class: "player-preview", "aria-label": "Preview as a player" },
    h("p", { class: "preview-note" }, "This is the challenge page a player sees (unsaved edits included). Hidden test data, the solution, the hints' texts and the explanation are not shown."),
    h("div", { class: "page-head" },
      h("h2", { class: "preview-title" }, seen.name || "(no name yet)"), challengeBadges(seen),
      seen.difficulty ? h("span", { class: "badge" }, seen.difficulty) : null,
      (seen.tags || []).map((tag) => h("span", { class: "badge tag" }, tag))),
    challengeBrief({ ...seen, init: seen.init || "" }),
    h("div", { class: "editor preview-editor muted" }, "-- Players write their query here, then Run or Submit."));
}
