"""Keeps the analytics running totals (app/models/stats.py) in step with attempts.

Each hook runs inside the caller's transaction, so a total moves exactly when
the row it counts is committed. A rejudge rebuilds one challenge's totals
from its attempts.
"""
from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.judge.verdicts import ACCEPTED
from app.models import (Attempt, AttemptCase, ChallengeStats, ChallengeUserStats, ChallengeVerdictStats,
                        TestCaseStats)


def _insert_if_missing(model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either database; True when the row is new."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    result = db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1


def _add(model, key: dict, **increments: int) -> None:
    """Atomic `SET column = column + n` (safe when several recorders run at once)."""
    changes = {name: getattr(model, name) + amount for name, amount in increments.items() if amount}
    if changes:
        conditions = [getattr(model, column) == value for column, value in key.items()]
        db.session.execute(update(model).where(*conditions).values(changes))


def _challenge_row(challenge_id: int) -> None:
    _insert_if_missing(ChallengeStats, challenge_id=challenge_id, attempts=0, unique_users=0,
                       accepted_users=0, accepted_attempts=0)


def attempt_stored(attempt: Attempt) -> None:
    _challenge_row(attempt.challenge_id)
    new_user = _insert_if_missing(ChallengeUserStats, challenge_id=attempt.challenge_id, user_id=attempt.user_id,
                                  accepted=False)
    _add(ChallengeStats, {"challenge_id": attempt.challenge_id}, attempts=1, unique_users=int(new_user))


def case_stored(case: AttemptCase) -> None:
    _insert_if_missing(TestCaseStats, test_case_id=case.test_case_id, judged=0, accepted=0)
    _add(TestCaseStats, {"test_case_id": case.test_case_id}, judged=1, accepted=int(case.verdict == ACCEPTED))


def attempt_completed(attempt: Attempt) -> None:
    key = {"challenge_id": attempt.challenge_id}
    _insert_if_missing(ChallengeVerdictStats, challenge_id=attempt.challenge_id, verdict=attempt.verdict, count=0)
    _add(ChallengeVerdictStats, {**key, "verdict": attempt.verdict}, count=1)
    if attempt.verdict != ACCEPTED:
        return
    flipped = db.session.execute(
        update(ChallengeUserStats).where(ChallengeUserStats.challenge_id == attempt.challenge_id,
                                         ChallengeUserStats.user_id == attempt.user_id,
                                         ChallengeUserStats.accepted.is_(False))
        .values(accepted=True)).rowcount
    _challenge_row(attempt.challenge_id)
    _add(ChallengeStats, key, accepted_attempts=1, accepted_users=int(flipped == 1))


def rebuild(challenge_id: int, test_case_ids: list[int]) -> None:
    """Recomputes one challenge's totals from its attempts (after a rejudge, or to repair)."""
    from app.services import analytics   # the windowed aggregates are the reference computation
    for model in (ChallengeStats, ChallengeVerdictStats, ChallengeUserStats):
        db.session.execute(db.delete(model).where(model.challenge_id == challenge_id))
    db.session.execute(db.delete(TestCaseStats).where(TestCaseStats.test_case_id.in_(test_case_ids)))
    attempts, users, accepted_users, accepted_attempts = analytics.scan_totals([challenge_id], []).get(
        challenge_id, (0, 0, 0, 0))
    db.session.add(ChallengeStats(challenge_id=challenge_id, attempts=attempts, unique_users=users,
                                  accepted_users=accepted_users, accepted_attempts=accepted_attempts))
    for (_, verdict), count in analytics.scan_verdict_counts([challenge_id], []).items():
        db.session.add(ChallengeVerdictStats(challenge_id=challenge_id, verdict=verdict, count=count))
    accepted = {user_id for (user_id,) in db.session.execute(
        db.select(Attempt.user_id).where(Attempt.challenge_id == challenge_id, Attempt.verdict == ACCEPTED)
        .distinct()).all()}
    for (user_id,) in db.session.execute(
            db.select(Attempt.user_id).where(Attempt.challenge_id == challenge_id).distinct()).all():
        db.session.add(ChallengeUserStats(challenge_id=challenge_id, user_id=user_id, accepted=user_id in accepted))
    for test_case_id, (judged, passed) in analytics.scan_case_counts(test_case_ids, [challenge_id], []).items():
        db.session.add(TestCaseStats(test_case_id=test_case_id, judged=judged, accepted=passed))
    db.session.flush()
