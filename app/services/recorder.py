"""Stores judge completions idempotently and announces them live.

Each JobCompletionEvent becomes one AttemptCase row (unique per attempt and
test case), so a redelivered event changes nothing. When the last case lands
the attempt is finalised: status, score, verdict, time, fingerprint, the
user's best, and the room's standings.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

from sqlalchemy.exc import IntegrityError

from app.concurrency import run_blocking
from app.extensions import db
from app.judge.engines import DIALECTS
from app.judge.events import JobCompletionEvent
from app.judge.verdicts import ACCEPTED, COMPLETED, FAILED, QUEUED, RUNNING
from app.models import Attempt, AttemptCase, Challenge
from app.models.timestamps import utcnow
from app.services import challenge_stats, leaderboard, live
from app.services.case_results import case_result_view
from app.services.fingerprint import query_fingerprint

log = logging.getLogger("sqlarena.recorder")

# Called with a finalised attempt; rooms register here to update standings.
attempt_completed_hooks: list[Callable[[Attempt], None]] = []


def progress_payload(event: JobCompletionEvent, judged: int, total: int) -> dict:
    # Progress goes to the attempt's owner (and its room, through live.public_attempt_payload).
    payload = case_result_view(event.to_dict(), reveal_hidden=False)
    payload.update({"judged": judged, "total": total})
    return payload


def record(event: JobCompletionEvent) -> None:
    attempt = db.session.get(Attempt, event.attempt_id)
    if attempt is None:
        log.warning("completion for unknown attempt attempt_id=%s", event.attempt_id)
        return
    if event.challenge_version and attempt.challenge_version and event.challenge_version != attempt.challenge_version:
        log.info("stale completion ignored attempt_id=%s", attempt.id)
        return
    if attempt.status in (COMPLETED, FAILED):
        return
    if event.test_case_id is None:
        _fail(attempt, event.error or "the judge could not judge this attempt")
        return
    if not _store_case(attempt, event):
        return
    judged = len(attempt.cases)
    live.publish_attempt("attempt.progress", attempt, progress_payload(event, judged, attempt.total))
    if judged >= attempt.total:
        _finalise(attempt)


def _store_case(attempt: Attempt, event: JobCompletionEvent) -> bool:
    """Inserts the case row; False when it was already there (a redelivery)."""
    if any(case.test_case_id == event.test_case_id for case in attempt.cases):
        return False
    case = AttemptCase(
        attempt_id=attempt.id, test_case_id=event.test_case_id, is_visible=event.is_visible,
        status=event.status, verdict=event.verdict, score=event.score or 0.0,
        execution_ms=event.execution_ms, cost=event.cost, expected_result=event.expected_result,
        actual_result=event.actual_result, feedback=event.feedback, error=event.error,
    )
    attempt.cases.append(case)
    if attempt.status == QUEUED:
        attempt.status = RUNNING
    attempt.dispatched_at = utcnow()   # a sign of life: the sweeper leaves a progressing attempt alone
    try:
        challenge_stats.case_stored(case)   # flushes the case first: a duplicate fails right here
        db.session.commit()
    except IntegrityError:  # another recorder stored it first
        db.session.rollback()
        return False
    log.info("case recorded attempt_id=%s test_case_id=%s verdict=%s", attempt.id, event.test_case_id, event.verdict)
    return True


def _finalise(attempt: Attempt) -> None:
    cases = sorted(attempt.cases, key=lambda c: c.test_case_id)
    failed = [c for c in cases if c.status == FAILED]
    if failed:
        _fail(attempt, failed[0].error or "the judge failed on a test case")
        return
    passed = sum(1 for c in cases if c.verdict == ACCEPTED)
    first_bad = next((c.verdict for c in cases if c.verdict != ACCEPTED), None)
    attempt.passed = passed
    attempt.score = round(100.0 * passed / len(cases), 2) if cases else 0.0
    attempt.verdict = first_bad or ACCEPTED
    attempt.execution_ms = round(sum(c.execution_ms or 0.0 for c in cases), 3)
    attempt.cost = attempt_cost(cases)
    attempt.status = COMPLETED
    attempt.judged_at = utcnow()
    challenge = db.session.get(Challenge, attempt.challenge_id)
    changed = challenge is not None and leaderboard.record_completed(attempt, challenge)
    challenge_stats.attempt_completed(attempt)
    db.session.commit()
    log.info("attempt completed attempt_id=%s verdict=%s score=%s", attempt.id, attempt.verdict, attempt.score)
    live.publish_attempt("attempt.completed", attempt, attempt.to_dict())
    if changed:
        # A new best always changes the user's (score, time), so the visible ranking changed
        # exactly when the user is on the board now (a better best never falls off it).
        board = leaderboard.board(challenge)
        if any(entry["user_id"] == attempt.user_id for entry in board["entries"]):
            live.publish("leaderboard.updated", {"challenge_id": challenge.id, "entries": board["entries"]},
                         [f"challenge:{challenge.id}"])
    if challenge is not None and attempt.verdict == ACCEPTED:
        # After the live events, and off the event loop: parsing is CPU work (bounded by its own budget).
        attempt.fingerprint = run_blocking(query_fingerprint, attempt.query, DIALECTS.get(challenge.engine, "sqlite"))
        db.session.commit()
    _run_hooks(attempt)


def attempt_cost(cases: list[AttemptCase]) -> Optional[int]:
    """The attempt's cost is the sum over its cases (SPEC 9.5); None when a case has none (it did not
    run to the end), so a wrong or failed query never looks cheap."""
    costs = [case.cost for case in cases]
    return sum(costs) if costs and None not in costs else None


def _fail(attempt: Attempt, error: str) -> None:
    attempt.status = FAILED
    attempt.error = error[:2000]
    attempt.judged_at = utcnow()
    db.session.commit()
    log.warning("attempt failed attempt_id=%s error=%s", attempt.id, error)
    live.publish_attempt("attempt.completed", attempt, attempt.to_dict())
    _run_hooks(attempt)


def _run_hooks(attempt: Attempt) -> None:
    for hook in attempt_completed_hooks:
        try:
            hook(attempt)
        except Exception:  # a room bug must not lose the attempt's result
            log.exception("attempt hook failed attempt_id=%s", attempt.id)
            db.session.rollback()
