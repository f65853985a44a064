// A challenge's "Submissions" for its creator (and admins): every attempt on it, filter by player
// and verdict, open one. challengeSubmissionsTab(challenge) is mounted by the challenge page for its
// creator; challengeSubmissionsPage serves #/challenges/:id/submissions.
import { api } from "../../api.js";
import { h } from "../../dom.js";
import { VERDICT_OPTIONS } from "../../components/verdict.js";
import { challengeOrganiserHead } from "./challengeHead.js";
import { nameLookups, submissionList } from "./submissionList.js";

/** Players with a judged attempt, from the leaderboard's first page (names for the filter and rows). */
async function playerNames(challengeId) {
  const board = await api.get(`/challenges/${challengeId}/leaderboard?size=100`).catch(() => ({ entries: [] }));
  return new Map(board.entries.map((e) => [e.user_id, e.full_name]));
}

export function challengeSubmissionsTab(challenge) {
  const element = h("div", { class: "challenge-submissions" });
  playerNames(challenge.id).then((players) => element.append(submissionList({
    path: `/challenges/${challenge.id}/attempts`,
    filters: [
      { name: "user_id", label: "Player", options: [...players].map(([value, label]) => ({ value, label })) },
      { name: "verdict", label: "Verdict", options: VERDICT_OPTIONS },
    ],
    names: nameLookups(players, new Map([[challenge.id, challenge.name]])),
  })));
  return element;
}

export async function challengeSubmissionsPage(root, { id }) {
  const challenge = await api.get(`/challenges/${Number(id)}`);
  root.append(challengeOrganiserHead(challenge, "submissions"), challengeSubmissionsTab(challenge));
}
