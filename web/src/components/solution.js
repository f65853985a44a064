// The reference solution and its explanation, locked until the caller solved the challenge
// (or finished a room using it): GET /challenges/:id/solution answers 403 until then.
import { api } from "../api.js";
import { h, inlineCode, replace } from "../dom.js";

/** solutionView(challengeId) → {element, refresh(): Promise<boolean unlocked>}. */
export function solutionView(challengeId) {
  const element = h("section", { class: "solution", "aria-label": "Solution" });
  let unlocked = false;

  const refresh = async () => {
    if (unlocked) return true;
    try {
      const { solution, explanation } = await api.get(`/challenges/${challengeId}/solution`);
      unlocked = true;
      replace(element,
        h("h2", {}, "Reference solution"),
        h("pre", { class: "sql" }, solution.trim()),
        explanation
          ? [h("h3", {}, "Why it works"), explanation.split(/\n{2,}/).map((paragraph) => h("p", {}, inlineCode(paragraph)))]
          : h("p", { class: "muted" }, "The author gave no explanation."));
    } catch (error) {
      if (error.status !== 403) throw error;
      replace(element, h("p", { class: "locked", dataset: { locked: "true" } },
        "🔒 Locked. ", error.message.replace(/^./, (c) => c.toUpperCase()), "."));
    }
    return unlocked;
  };
  return { element, refresh };
}
