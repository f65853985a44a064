// Follows one attempt live. Events come on the user's channel (subscribed before submitting,
// so none is missed); the REST copy is fetched after submitting, on completion and after a
// reconnect, and merged case by case, so a dropped or late event never leaves it stale.
import { api } from "../api.js";
import { on, onReconnect, subscribe } from "../live.js";
import { currentUser } from "../session.js";
import { replace } from "../dom.js";
import { attemptView } from "./attemptView.js";

const RANK = { QUEUED: 0, RUNNING: 1, COMPLETED: 2, FAILED: 2 };

function merge(current, incoming) {
  if (!current || current.id !== incoming.id) return { ...incoming, cases: incoming.cases || [] };
  const cases = new Map((current.cases || []).map((c) => [c.test_case_id, c]));
  for (const c of incoming.cases || []) cases.set(c.test_case_id, { ...cases.get(c.test_case_id), ...c });
  const newer = RANK[incoming.status] >= RANK[current.status] ? incoming : current;
  return { ...current, ...newer, cases: [...cases.values()] };
}

function isFinal(attempt) {
  return attempt && (attempt.status === "COMPLETED" || attempt.status === "FAILED");
}

/** liveAttempt(container, scope, {onFinished}) → {follow(attempt)}; renders into `container`. */
export function liveAttempt(container, scope, { onFinished = () => {} } = {}) {
  let attempt = null;
  let finishedReported = false;

  const render = () => replace(container, attempt ? attemptView(attempt) : null);
  const apply = (incoming) => {
    attempt = merge(attempt, incoming);
    render();
    if (isFinal(attempt) && !finishedReported) {
      finishedReported = true;
      onFinished(attempt);
    }
  };
  const refresh = async () => {
    if (!attempt) return;
    try {
      apply(await api.get(`/attempts/${attempt.id}`));
    } catch {
      // the live events still arrive; the next reconnect or completion retries
    }
  };
  const mine = (payload) => attempt && (payload.attempt_id ?? payload.id) === attempt.id;

  scope.add(subscribe(`user:${currentUser().id}`));
  scope.add(on("attempt.queued", (payload) => mine(payload) && apply(payload)));
  scope.add(on("attempt.progress", (event) => {
    if (!mine(event)) return;
    const { judged, total, attempt_id: id, ...testCase } = event;
    apply({ ...attempt, id, total, status: attempt.status === "QUEUED" ? "RUNNING" : attempt.status, cases: [testCase] });
  }));
  scope.add(on("attempt.completed", (payload) => {
    if (!mine(payload)) return;
    apply({ ...payload, cases: [] });
    refresh(); // the completed event carries no case results: fetch them
  }));
  scope.add(onReconnect(() => !isFinal(attempt) && refresh()));

  return {
    follow(submitted) {
      attempt = null;
      finishedReported = false;
      apply(submitted);
      if (!isFinal(attempt)) refresh();
    },
  };
}
