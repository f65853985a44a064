// One challenge: its brief, hints and the editor on one tab, the solution (locked until solved)
// on another, every player's submissions on a third for its creator, and the leaderboard beside them.
import { api } from "../api.js";
import { h } from "../dom.js";
import { challengeBadges, challengeBrief, tagLinks } from "../components/challengeInfo.js";
import { hintsBox } from "../components/hints.js";
import { liveLeaderboard } from "../components/leaderboard.js";
import { sampleTables } from "../components/sampleTables.js";
import { solutionView } from "../components/solution.js";
import { solvePanel } from "../components/solvePanel.js";
import { tabs } from "../components/tabs.js";
import { showError } from "../notices.js";
import { currentUser } from "../session.js";
import { challengeSubmissionsTab } from "./organiser/challengeSubmissions.js";

export async function challengePage(root, { id }, scope) {
  const challenge = await api.get(`/challenges/${Number(id)}`);
  const me = currentUser();
  const organises = challenge.created_user_id === me.id || me.role === "admin"; // every attempt is theirs to read
  const submissions = h("div", {}); // filled when first opened
  const board = h("div", { class: "leaderboard-host" });
  const solution = solutionView(challenge.id);
  const showLock = (unlocked) => tabbed.setLabel("solution", unlocked ? "Solution" : "Solution 🔒");
  const refreshSolution = () => solution.refresh().then(showLock, (error) => !scope.disposed && showError(error));

  const tabbed = tabs([
    { id: "problem", label: "Problem", panel: h("div", {},
      challengeBrief(challenge, { sampleData: sampleTables(challenge.id) }), hintsBox(challenge),
      solvePanel({ challenge, scope, onJudged: (attempt) => attempt.verdict === "ACCEPTED" && refreshSolution() })) },
    { id: "solution", label: "Solution 🔒", panel: solution.element },
    ...(organises ? [{ id: "submissions", label: "Submissions", panel: submissions }] : []),
  ], { onSelect: (tab) => {
    if (tab === "solution") refreshSolution();
    if (tab === "submissions" && !submissions.firstChild) submissions.append(challengeSubmissionsTab(challenge));
  } });

  root.append(
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, challenge.name), challengeBadges(challenge), tagLinks(challenge.tags),
      h("a", { href: `#/attempts?challenge=${challenge.id}` }, "Your attempts"),
      organises && me.role !== "player" ? h("a", { href: `#/challenges/${challenge.id}/analytics` }, "Analytics") : null,
      organises ? h("a", { href: `#/challenges/${challenge.id}/similar` }, "Similar attempts") : null),
    h("div", { class: "two-columns" },
      h("div", { class: "main-column" }, tabbed.element),
      h("aside", { class: "side-column", "aria-label": "Leaderboard" }, h("h2", {}, "Live leaderboard"), board)));
  liveLeaderboard(board, challenge, scope);
  refreshSolution();
}
