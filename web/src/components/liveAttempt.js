// Follows one attempt live. Events come on the user's channel (subscribed when the page opens,
// so none is missed); the REST copy is fetched after submitting, on completion and after a
// reconnect, and merged case by case, so a dropped or late event never leaves it stale.
// A fast judge can send the first events before POST /api/attempts has answered: events for
// this challenge's new attempts are kept until `follow()` says which attempt is ours.
import { api } from "../api.js";
import { on, onReconnect, subscribe } from "../live.js";
import { currentUser } from "../session.js";
import { replace } from "../dom.js";
import { attemptView } from "./attemptView.js";

const RANK = { QUEUED: 0, RUNNING: 1, COMPLETED: 2, FAILED: 2 };
const EARLY_EVENTS_KEPT = 100;

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

/** liveAttempt(container, scope, {challengeId, onFinished}) → {follow(attempt)}; renders into `container`. */
export function liveAttempt(container, scope, { challengeId, onFinished = () => {} } = {}) {
  const me = currentUser().id;
  let attempt = null;
  let finishedReported = false;
  let early = []; // [handler, payload] for attempts newer than the one followed

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

  const onQueued = (payload) => apply(payload);
  const onProgress = (event) => {
    const { judged, total, attempt_id: id, user_id: _user, challenge_id: _challenge, ...testCase } = event;
    apply({ ...attempt, id, total, status: attempt.status === "QUEUED" ? "RUNNING" : attempt.status, cases: [testCase] });
  };
  const onCompleted = (payload) => {
    apply({ ...payload, cases: [] });
    refresh(); // the completed event carries no case results: fetch them
  };

  /** Routes an attempt event: to the followed attempt, or kept if it may be the one being submitted. */
  const route = (handler) => (payload) => {
    const id = payload.attempt_id ?? payload.id;
    if (payload.user_id !== me || payload.challenge_id !== challengeId) return;
    if (attempt && id === attempt.id) handler(payload);
    else if (!attempt || id > attempt.id) early = [...early, [id, handler, payload]].slice(-EARLY_EVENTS_KEPT);
  };

  scope.add(subscribe(`user:${me}`));
  scope.add(on("attempt.queued", route(onQueued)));
  scope.add(on("attempt.progress", route(onProgress)));
  scope.add(on("attempt.completed", route(onCompleted)));
  scope.add(onReconnect(() => !isFinal(attempt) && refresh()));

  return {
    follow(submitted) {
      attempt = null;
      finishedReported = false;
      apply(submitted);
      const replay = early.filter(([id]) => id === submitted.id);
      early = early.filter(([id]) => id > submitted.id);
      replay.forEach(([, handler, payload]) => handler(payload));
      if (!isFinal(attempt)) refresh();
    },
  };
}
