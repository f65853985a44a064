"""Keeps the analytics running totals and per-day rollups (app/models/stats.py) in step with attempts.

Each hook runs inside the caller's transaction, so a total moves exactly when
the row it counts is committed. A rejudge rebuilds one challenge's totals
from its attempts. Rollups are keyed by the day of the attempt's `created_at`.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import update

from app.extensions import db
from app.judge.verdicts import ACCEPTED, COMPLETED
from app.models.timestamps import utcnow
from app.models import (Attempt, AttemptCase, ChallengeDayStats, ChallengeDayTimes, ChallengeDayVerdicts,
                        ChallengeStats, ChallengeTimes, ChallengeUserDay, ChallengeUserStats, ChallengeVerdictStats,
                        TestCaseDayStats)
from app.services.time_buckets import bucket_of


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


def _day(attempt: Attempt):
    return (attempt.created_at or utcnow()).date()


def attempt_stored(attempt: Attempt) -> None:
    """Called before the attempt's INSERT is flushed, so its `created_at` is set here for the rollups."""
    attempt.created_at = attempt.created_at or utcnow()
    day = _day(attempt)
    new_user = _insert_if_missing(ChallengeUserStats, challenge_id=attempt.challenge_id, user_id=attempt.user_id,
                                  accepted=False)
    _count(ChallengeStats, {"challenge_id": attempt.challenge_id}, attempts=1, unique_users=int(new_user),
           accepted_users=0, accepted_attempts=0)
    _count(ChallengeDayStats, {"challenge_id": attempt.challenge_id, "day": day}, attempts=1)
    _insert_if_missing(ChallengeUserDay, challenge_id=attempt.challenge_id, day=day, user_id=attempt.user_id,
                       accepted=False)


def case_stored(case: AttemptCase, attempt: Attempt) -> None:
    """Per day only: all-time per-case rates are the sum of a case's days (one upsert per stored case)."""
    _count(TestCaseDayStats, {"test_case_id": case.test_case_id, "day": _day(attempt)}, judged=1,
           accepted=int(case.verdict == ACCEPTED))


def attempt_completed(attempt: Attempt) -> None:
    day = _day(attempt)
    _count(ChallengeVerdictStats, {"challenge_id": attempt.challenge_id, "verdict": attempt.verdict}, count=1)
    _count(ChallengeDayVerdicts, {"challenge_id": attempt.challenge_id, "day": day, "verdict": attempt.verdict},
           count=1)
    if attempt.execution_ms is not None:
        bucket = bucket_of(attempt.execution_ms)
        _count(ChallengeTimes, {"challenge_id": attempt.challenge_id, "bucket": bucket}, count=1)
        _count(ChallengeDayTimes, {"challenge_id": attempt.challenge_id, "day": day, "bucket": bucket}, count=1)
    if attempt.verdict != ACCEPTED:
        return
    flipped = db.session.execute(
        update(ChallengeUserStats).where(ChallengeUserStats.challenge_id == attempt.challenge_id,
                                         ChallengeUserStats.user_id == attempt.user_id,
                                         ChallengeUserStats.accepted.is_(False))
        .values(accepted=True)).rowcount
    _count(ChallengeStats, {"challenge_id": attempt.challenge_id}, attempts=0, unique_users=0,
           accepted_users=int(flipped == 1), accepted_attempts=1)
    db.session.execute(
        update(ChallengeUserDay).where(ChallengeUserDay.challenge_id == attempt.challenge_id,
                                       ChallengeUserDay.day == day, ChallengeUserDay.user_id == attempt.user_id,
                                       ChallengeUserDay.accepted.is_(False))
        .values(accepted=True))


def rebuild(challenge_id: int, test_case_ids: list[int]) -> None:
    """Recomputes one challenge's totals from its attempts (after a rejudge, or to repair)."""
    from app.services import analytics   # the windowed aggregates are the reference computation
    for model in (ChallengeStats, ChallengeVerdictStats, ChallengeUserStats):
        db.session.execute(db.delete(model).where(model.challenge_id == challenge_id))
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
    _rebuild_days(challenge_id, test_case_ids)
    db.session.flush()


def _rebuild_days(challenge_id: int, test_case_ids: list[int]) -> None:
    """The per-day rollups of one challenge, counted from its attempts and cases as the hooks count them."""
    for model in (ChallengeDayStats, ChallengeDayVerdicts, ChallengeUserDay, ChallengeDayTimes, ChallengeTimes):
        db.session.execute(db.delete(model).where(model.challenge_id == challenge_id))
    db.session.execute(db.delete(TestCaseDayStats).where(TestCaseDayStats.test_case_id.in_(test_case_ids)))
    days: Counter = Counter()
    verdicts: Counter = Counter()
    times: Counter = Counter()
    users: dict[tuple, bool] = {}
    for user_id, created_at, status, verdict, execution_ms in db.session.execute(
            db.select(Attempt.user_id, Attempt.created_at, Attempt.status, Attempt.verdict, Attempt.execution_ms)
            .where(Attempt.challenge_id == challenge_id).execution_options(yield_per=5000)):
        day = created_at.date()
        days[day] += 1
        users[(day, user_id)] = users.get((day, user_id), False) or verdict == ACCEPTED
        if status == COMPLETED and verdict is not None:
            verdicts[(day, verdict)] += 1
            if execution_ms is not None:
                times[(day, bucket_of(execution_ms))] += 1
    cases: Counter = Counter()
    for test_case_id, created_at, verdict in db.session.execute(
            db.select(AttemptCase.test_case_id, Attempt.created_at, AttemptCase.verdict)
            .join(Attempt, Attempt.id == AttemptCase.attempt_id)
            .where(Attempt.challenge_id == challenge_id).execution_options(yield_per=5000)):
        cases[(test_case_id, created_at.date(), "judged")] += 1
        cases[(test_case_id, created_at.date(), "accepted")] += int(verdict == ACCEPTED)
    _bulk(ChallengeDayStats, [dict(challenge_id=challenge_id, day=d, attempts=n) for d, n in days.items()])
    _bulk(ChallengeDayVerdicts, [dict(challenge_id=challenge_id, day=d, verdict=v, count=n)
                                 for (d, v), n in verdicts.items()])
    _bulk(ChallengeDayTimes, [dict(challenge_id=challenge_id, day=d, bucket=b, count=n) for (d, b), n in times.items()])
    all_time: Counter = Counter()
    for (_, bucket), n in times.items():
        all_time[bucket] += n
    _bulk(ChallengeTimes, [dict(challenge_id=challenge_id, bucket=b, count=n) for b, n in all_time.items()])
    _bulk(ChallengeUserDay, [dict(challenge_id=challenge_id, day=d, user_id=u, accepted=ok)
                             for (d, u), ok in users.items()])
    _bulk(TestCaseDayStats, [dict(test_case_id=tc, day=d, judged=n, accepted=cases[(tc, d, "accepted")])
                             for (tc, d, kind), n in cases.items() if kind == "judged"])


def _bulk(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(db.insert(model), rows)
