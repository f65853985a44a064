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


def dialect_insert(model):
    """The dialect's INSERT, which knows ON CONFLICT (SQLite ≥ 3.24 and PostgreSQL alike)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _insert_if_missing(model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row is new."""
    return db.session.execute(dialect_insert(model).values(**values).on_conflict_do_nothing()).rowcount == 1


def _count(model, key: dict, **increments: int) -> None:
    """One atomic upsert: the row with these counts, or `column = column + n` when it exists
    (safe when several recorders run at once)."""
    statement = dialect_insert(model).values(**key, **increments)
    table = model.__table__
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in increments})
    db.session.execute(statement)


def attempt_stored(attempt: Attempt) -> None:
    new_user = _insert_if_missing(ChallengeUserStats, challenge_id=attempt.challenge_id, user_id=attempt.user_id,
                                  accepted=False)
    _count(ChallengeStats, {"challenge_id": attempt.challenge_id}, attempts=1, unique_users=int(new_user),
           accepted_users=0, accepted_attempts=0)


def case_stored(case: AttemptCase) -> None:
    _count(TestCaseStats, {"test_case_id": case.test_case_id}, judged=1, accepted=int(case.verdict == ACCEPTED))


def attempt_completed(attempt: Attempt) -> None:
    _count(ChallengeVerdictStats, {"challenge_id": attempt.challenge_id, "verdict": attempt.verdict}, count=1)
    if attempt.verdict != ACCEPTED:
        return
    flipped = db.session.execute(
        update(ChallengeUserStats).where(ChallengeUserStats.challenge_id == attempt.challenge_id,
                                         ChallengeUserStats.user_id == attempt.user_id,
                                         ChallengeUserStats.accepted.is_(False))
        .values(accepted=True)).rowcount
    _count(ChallengeStats, {"challenge_id": attempt.challenge_id}, attempts=0, unique_users=0,
           accepted_users=int(flipped == 1), accepted_attempts=1)


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
