"""Per-challenge analytics, computed by aggregate queries in the database (never row by row in Python)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import and_, case, distinct, func

from app.errors import NotFound
from app.extensions import db
from app.services import permissions
from app.judge.verdicts import ACCEPTED, COMPLETED, VERDICTS
from app.models import (Attempt, AttemptCase, Challenge, ChallengeStats, ChallengeVerdictStats, TestCaseStats,
                        User)


def visible_challenges(viewer: User, challenge_id: Optional[int]) -> list[Challenge]:
    """Admins see every challenge, instructors their own; players nothing."""
    permissions.require_staff(viewer, "analytics are for instructors and admins")
    query = db.select(Challenge).order_by(Challenge.id)
    if not permissions.is_admin(viewer):
        query = query.where(Challenge.created_user_id == viewer.id)
    if challenge_id is not None:
        challenge = db.session.get(Challenge, challenge_id)
        if challenge is None:
            raise NotFound("challenge not found")
        permissions.require(permissions.is_creator_or_admin(challenge, viewer), "that challenge is another instructor's")
        query = query.where(Challenge.id == challenge_id)
    return list(db.session.execute(query).scalars())


def window_conditions(start: Optional[datetime], end: Optional[datetime]) -> list:
    conditions = []
    if start is not None:
        conditions.append(Attempt.created_at >= start)
    if end is not None:
        conditions.append(Attempt.created_at <= end)
    return conditions


def analytics(viewer: User, challenge_id: Optional[int] = None, start: Optional[datetime] = None,
              end: Optional[datetime] = None) -> list[dict]:
    challenges = visible_challenges(viewer, challenge_id)
    if not challenges:
        return []
    ids = [c.id for c in challenges]
    window = window_conditions(start, end)
    case_ids = [tc.id for c in challenges for tc in c.test_cases]
    if window:      # totals cannot be cut by time: aggregate the attempts in the window
        totals, verdicts = scan_totals(ids, window), scan_verdict_counts(ids, window)
        medians, case_rates = _median_execution_ms(ids, window), _rates(scan_case_counts(case_ids, ids, window))
    else:
        totals, verdicts = stored_totals(ids), stored_verdict_counts(ids)
        completed = {cid: 0 for cid in ids}
        for (cid, _), count in verdicts.items():
            completed[cid] += count
        medians, case_rates = indexed_medians(completed), _rates(stored_case_counts(case_ids))
    items = []
    for challenge in challenges:
        attempts, users, accepted_users, accepted_attempts = totals.get(challenge.id, (0, 0, 0, 0))
        items.append({
            "challenge_id": challenge.id, "name": challenge.name, "attempts": attempts,
            "unique_users": users, "accepted_users": accepted_users,
            "acceptance_rate": round(accepted_attempts / attempts, 4) if attempts else 0.0,
            "verdicts": {v: verdicts.get((challenge.id, v), 0) for v in VERDICTS},
            "median_execution_ms": medians.get(challenge.id),
            "cases": [{"test_case_id": tc.id, "accepted_rate": case_rates.get(tc.id, 0.0)}
                      for tc in challenge.test_cases],
        })
    return items


def scan_totals(ids: list[int], window: list) -> dict[int, tuple]:
    accepted = Attempt.verdict == ACCEPTED
    rows = db.session.execute(
        db.select(Attempt.challenge_id, func.count(), func.count(distinct(Attempt.user_id)),
                  func.count(distinct(case((accepted, Attempt.user_id)))),
                  func.sum(case((accepted, 1), else_=0)))
        .where(Attempt.challenge_id.in_(ids), *window).group_by(Attempt.challenge_id)).all()
    return {row[0]: (row[1], row[2], row[3], int(row[4] or 0)) for row in rows}


def scan_verdict_counts(ids: list[int], window: list) -> dict[tuple, int]:
    rows = db.session.execute(
        db.select(Attempt.challenge_id, Attempt.verdict, func.count())
        .where(Attempt.challenge_id.in_(ids), Attempt.status == COMPLETED, *window)
        .group_by(Attempt.challenge_id, Attempt.verdict)).all()
    return {(cid, verdict): count for cid, verdict, count in rows}


def _median_execution_ms(ids: list[int], window: list) -> dict[int, float]:
    """Median over completed attempts: the mean of the middle one or two, computed as
    `indexed_medians` computes it ((a + b) / 2), so totals and windows agree to the last digit
    (percentile_cont interpolates as a + (b - a) / 2, which can round the other way)."""
    completed = and_(Attempt.challenge_id.in_(ids), Attempt.status == COMPLETED,
                     Attempt.execution_ms.is_not(None), *window)
    ranked = db.select(
        Attempt.challenge_id.label("cid"), Attempt.execution_ms.label("ms"),
        func.row_number().over(partition_by=Attempt.challenge_id, order_by=Attempt.execution_ms).label("rn"),
        func.count().over(partition_by=Attempt.challenge_id).label("n"),
    ).where(completed).subquery()
    middle = db.select(ranked.c.cid, ranked.c.ms).where(
        ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
    values: dict[int, list[float]] = {}
    for cid, ms in db.session.execute(middle).all():
        values.setdefault(cid, []).append(float(ms))
    return {cid: round(sum(ms) / len(ms), 3) for cid, ms in values.items()}


def scan_case_counts(case_ids: list[int], ids: list[int], window: list) -> dict[int, tuple[int, int]]:
    """(judged, accepted) per test case; without a time window it never touches attempts."""
    query = (db.select(AttemptCase.test_case_id, func.count(),
                       func.sum(case((AttemptCase.verdict == ACCEPTED, 1), else_=0)))
             .where(AttemptCase.test_case_id.in_(case_ids)).group_by(AttemptCase.test_case_id))
    if window:
        query = query.join(Attempt, Attempt.id == AttemptCase.attempt_id).where(Attempt.challenge_id.in_(ids), *window)
    return {tc: (total, int(ok or 0)) for tc, total, ok in db.session.execute(query).all()}


def _rates(counts: dict[int, tuple[int, int]]) -> dict[int, float]:
    return {tc: round(ok / total, 4) for tc, (total, ok) in counts.items() if total}


# -- unwindowed: running totals (app/models/stats.py) --------------------------------------

def stored_totals(ids: list[int]) -> dict[int, tuple]:
    rows = db.session.execute(db.select(ChallengeStats).where(ChallengeStats.challenge_id.in_(ids))).scalars()
    return {r.challenge_id: (r.attempts, r.unique_users, r.accepted_users, r.accepted_attempts) for r in rows}


def stored_verdict_counts(ids: list[int]) -> dict[tuple, int]:
    rows = db.session.execute(
        db.select(ChallengeVerdictStats).where(ChallengeVerdictStats.challenge_id.in_(ids))).scalars()
    return {(r.challenge_id, r.verdict): r.count for r in rows}


def stored_case_counts(case_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(db.select(TestCaseStats).where(TestCaseStats.test_case_id.in_(case_ids))).scalars()
    return {r.test_case_id: (r.judged, r.accepted) for r in rows}


def indexed_medians(completed: dict[int, int]) -> dict[int, float]:
    """Each challenge's median by walking its (challenge_id, status, execution_ms) index halfway;
    `completed` (from the verdict totals) says how many COMPLETED attempts there are, each timed."""
    medians = {}
    for challenge_id, count in completed.items():
        if not count:
            continue
        middle = db.session.execute(
            db.select(Attempt.execution_ms)
            .where(Attempt.challenge_id == challenge_id, Attempt.status == COMPLETED, Attempt.execution_ms.is_not(None))
            .order_by(Attempt.execution_ms).offset((count - 1) // 2).limit(1 if count % 2 else 2)).scalars().all()
        if not middle:
            continue
        medians[challenge_id] = round(sum(middle) / len(middle), 3)
    return medians
