"""Stores judge completions and finalises attempts: an explicit, idempotent state machine.

Every JobCompletionEvent goes through the same steps, whatever came before it:

    DROP      unknown attempt, stale challenge version, attempt already COMPLETED/FAILED
    FAIL      a job that never reached a case (conditional, like FINALISE)
    STORE     INSERT … ON CONFLICT DO NOTHING: a redelivered case stores nothing
    FINALISE  when every case is present, whether this event stored one or was a redelivery,
              so a recorder that died between storing the last case and finalising is repaired
              by the next delivery of any of the attempt's completions (or the sweeper's re-queue)

FINALISE is one conditional UPDATE … WHERE status IN (QUEUED, RUNNING): of two recorders that
race, exactly one changes the row, and only that one counts totals, the best, the room.
"""
from __future__ import annotations

import logging
from typing import Optional

from sqlalchemy import func
from sqlalchemy.orm.attributes import set_committed_value

from app.concurrency import run_blocking
from app.extensions import db
from app.judge.engines import DIALECTS
from app.judge.events import JobCompletionEvent
from app.judge.verdicts import ACCEPTED, COMPLETED, FAILED, QUEUED, RUNNING
from app.models import Attempt, AttemptCase, Challenge
from app.models.timestamps import utcnow
from app.services import challenge_stats, leaderboard, live, rooms
from app.services.case_results import case_result_view
from app.services.fingerprint import query_fingerprint

log = logging.getLogger("sqlarena.recorder")

OPEN = (QUEUED, RUNNING)


def progress_payload(event: JobCompletionEvent, judged: int, total: int) -> dict:
    # Progress goes to the attempt's owner (and its room, through live.public_attempt_payload).
    payload = case_result_view(event.to_dict(), reveal_hidden=False)
    payload.update({"judged": judged, "total": total})
    return payload


def record(event: JobCompletionEvent) -> None:
    """Applies one completion (any number of times, in any order, from any process)."""
    attempt = db.session.get(Attempt, event.attempt_id)
    reason = _drop_reason(attempt, event)
    if reason:
        log.info("completion dropped attempt_id=%s: %s", event.attempt_id, reason)
        return
    if event.test_case_id is None:
        fail(attempt, event.error or "the judge could not judge this attempt")
        return
    judged = store_case(attempt, event)
    stored = judged is not None
    if not stored:
        judged = count_cases(attempt.id)
    if stored:
        live.publish_attempt("attempt.progress", attempt, progress_payload(event, judged, attempt.total))
    if judged >= attempt.total:
        finalise(attempt)


def _drop_reason(attempt: Optional[Attempt], event: JobCompletionEvent) -> Optional[str]:
    if attempt is None:
        return "unknown attempt"
    if event.challenge_version and attempt.challenge_version and event.challenge_version != attempt.challenge_version:
        return "stale challenge version"
    if attempt.status not in OPEN:
        return "attempt already final"
    return None


def store_case(attempt: Attempt, event: JobCompletionEvent) -> Optional[int]:
    """Inserts the case row and refreshes the attempt's sign of life in one transaction; returns
    how many cases are stored now, or None (and nothing written) when this case already was."""
    row = dict(attempt_id=attempt.id, test_case_id=event.test_case_id, is_visible=event.is_visible,
               status=event.status, verdict=event.verdict, score=event.score or 0.0,
               execution_ms=event.execution_ms, cost=event.cost, expected_result=event.expected_result,
               actual_result=event.actual_result, feedback=event.feedback, error=event.error)
    inserted = db.session.execute(
        challenge_stats.dialect_insert(AttemptCase).values(**row).on_conflict_do_nothing()).rowcount == 1
    if not inserted:   # nothing was written: the transaction stays open for the count
        return None
    challenge_stats.case_stored(AttemptCase(**row), attempt)
    # A sign of life (the sweeper leaves a progressing attempt alone), returning the count of cases.
    now = utcnow()
    judged = db.session.execute(
        db.update(Attempt).where(Attempt.id == attempt.id, Attempt.status.in_(OPEN))
        .values(status=RUNNING, dispatched_at=now).returning(_cases_of(attempt.id))).scalar()
    _settle(attempt, status=RUNNING, dispatched_at=now)
    _commit_keeping(attempt)
    log.info("case recorded attempt_id=%s test_case_id=%s verdict=%s", attempt.id, event.test_case_id, event.verdict)
    return judged if judged is not None else count_cases(attempt.id)


def _cases_of(attempt_id: int):
    return db.select(func.count()).select_from(AttemptCase).where(AttemptCase.attempt_id == attempt_id) \
        .scalar_subquery()


def count_cases(attempt_id: int) -> int:
    return db.session.execute(db.select(_cases_of(attempt_id))).scalar_one()


def outcome(cases: list[AttemptCase]) -> dict:
    """The attempt's result from its case rows (the one rule for score, verdict and time)."""
    passed = sum(1 for c in cases if c.verdict == ACCEPTED)
    first_bad = next((c.verdict for c in cases if c.verdict != ACCEPTED), None)
    return {"passed": passed, "score": round(100.0 * passed / len(cases), 2) if cases else 0.0,
            "verdict": first_bad or ACCEPTED,
            "execution_ms": round(sum(c.execution_ms or 0.0 for c in cases), 3), "cost": attempt_cost(cases)}


def attempt_cost(cases: list[AttemptCase]) -> Optional[int]:
    """The attempt's cost is the sum over its cases (SPEC 9.5); None when a case has none (it did not
    run to the end), so a wrong or failed query never looks cheap."""
    costs = [case.cost for case in cases]
    return sum(costs) if costs and None not in costs else None


def finalise(attempt: Attempt) -> None:
    cases = db.session.execute(db.select(AttemptCase).where(AttemptCase.attempt_id == attempt.id)
                               .order_by(AttemptCase.test_case_id)).scalars().all()
    failed = [c for c in cases if c.status == FAILED]
    if failed:
        fail(attempt, failed[0].error or "the judge failed on a test case")
        return
    values = {**outcome(cases), "status": COMPLETED, "judged_at": utcnow()}
    if not _close(attempt, values):
        return
    challenge = db.session.get(Challenge, attempt.challenge_id)
    changed = challenge is not None and leaderboard.record_completed(attempt, challenge)
    challenge_stats.attempt_completed(attempt)
    _commit_keeping(attempt, challenge)
    log.info("attempt completed attempt_id=%s verdict=%s score=%s", attempt.id, attempt.verdict, attempt.score)
    live.publish_attempt("attempt.completed", attempt, attempt.to_dict())
    if changed:
        _announce_leaderboard(challenge, attempt)
    if challenge is not None and attempt.verdict == ACCEPTED:
        # After the live events, and off the event loop: parsing is CPU work (bounded by its own budget).
        attempt.fingerprint = run_blocking(query_fingerprint, attempt.query, DIALECTS.get(challenge.engine, "sqlite"))
        _commit_keeping(attempt)
    _update_room(attempt)


def fail(attempt: Attempt, error: str) -> None:
    if not _close(attempt, {"status": FAILED, "error": error[:2000], "judged_at": utcnow()}):
        return
    _commit_keeping(attempt)
    log.warning("attempt failed attempt_id=%s error=%s", attempt.id, error)
    live.publish_attempt("attempt.completed", attempt, attempt.to_dict())
    _update_room(attempt)


def _close(attempt: Attempt, values: dict) -> bool:
    """The conditional UPDATE that ends an attempt; False when another recorder ended it first."""
    closed = db.session.execute(
        db.update(Attempt).where(Attempt.id == attempt.id, Attempt.status.in_(OPEN)).values(**values)).rowcount == 1
    if not closed:
        db.session.rollback()
        log.info("attempt already finalised elsewhere attempt_id=%s", attempt.id)
        return False
    _settle(attempt, **values)
    return True


def _commit_keeping(*objects) -> None:
    """Commits without expiring these objects: every value they hold was just written or read in
    this transaction, so reloading them would be wasted round trips."""
    kept = [(obj, {column.key: getattr(obj, column.key) for column in obj.__table__.columns})
            for obj in objects if obj is not None]
    db.session.commit()
    for obj, values in kept:
        _settle(obj, **values)


def _settle(attempt: Attempt, **values) -> None:
    """Mirrors values written by a Core UPDATE on the loaded object, without a second UPDATE."""
    for name, value in values.items():
        set_committed_value(attempt, name, value)


def _announce_leaderboard(challenge: Challenge, attempt: Attempt) -> None:
    # A new best always changes the user's (score, time), so the visible ranking changed
    # exactly when the user is on the board now (a better best never falls off it).
    board = leaderboard.board(challenge)
    if any(entry["user_id"] == attempt.user_id for entry in board["entries"]):
        live.publish("leaderboard.updated", {"challenge_id": challenge.id, "entries": board["entries"]},
                     [f"challenge:{challenge.id}"])


def _update_room(attempt: Attempt) -> None:
    """The room's standings, first solves and early finish (called once, by the recorder that finalised)."""
    if attempt.room_id is None:
        return
    try:
        rooms.on_attempt_completed(attempt)
    except Exception:  # a room bug must not lose the attempt's result
        log.exception("room update failed attempt_id=%s", attempt.id)
        db.session.rollback()
