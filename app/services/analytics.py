"""Per-challenge analytics, computed by aggregate queries in the database (never row by row in Python)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import and_, case, distinct, func

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.judge.verdicts import ACCEPTED, COMPLETED, VERDICTS
from app.models import Attempt, AttemptCase, Challenge, User


def visible_challenges(viewer: User, challenge_id: Optional[int]) -> list[Challenge]:
    """Admins see every challenge, instructors their own; players nothing."""
    if viewer.role not in ("admin", "instructor"):
        raise Forbidden("analytics are for instructors and admins")
    query = db.select(Challenge).order_by(Challenge.id)
    if viewer.role == "instructor":
        query = query.where(Challenge.created_user_id == viewer.id)
    if challenge_id is not None:
        challenge = db.session.get(Challenge, challenge_id)
        if challenge is None:
            raise NotFound("challenge not found")
        if viewer.role == "instructor" and challenge.created_user_id != viewer.id:
            raise Forbidden("that challenge is another instructor's")
        query = query.where(Challenge.id == challenge_id)
    return list(db.session.execute(query).scalars())


def _window(start: Optional[datetime], end: Optional[datetime]) -> list:
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
    window = _window(start, end)
    totals = _totals(ids, window)
    verdicts = _verdict_counts(ids, window)
    medians = _median_execution_ms(ids, window)
    case_rates = _case_accept_rates([tc.id for c in challenges for tc in c.test_cases], ids, window)
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


def _totals(ids: list[int], window: list) -> dict[int, tuple]:
    accepted = Attempt.verdict == ACCEPTED
    rows = db.session.execute(
        db.select(Attempt.challenge_id, func.count(), func.count(distinct(Attempt.user_id)),
                  func.count(distinct(case((accepted, Attempt.user_id)))),
                  func.sum(case((accepted, 1), else_=0)))
        .where(Attempt.challenge_id.in_(ids), *window).group_by(Attempt.challenge_id)).all()
    return {row[0]: (row[1], row[2], row[3], int(row[4] or 0)) for row in rows}


def _verdict_counts(ids: list[int], window: list) -> dict[tuple, int]:
    rows = db.session.execute(
        db.select(Attempt.challenge_id, Attempt.verdict, func.count())
        .where(Attempt.challenge_id.in_(ids), Attempt.status == COMPLETED, *window)
        .group_by(Attempt.challenge_id, Attempt.verdict)).all()
    return {(cid, verdict): count for cid, verdict, count in rows}


def _median_execution_ms(ids: list[int], window: list) -> dict[int, float]:
    """Median over completed attempts: percentile_cont on PostgreSQL, a window query on SQLite."""
    completed = and_(Attempt.challenge_id.in_(ids), Attempt.status == COMPLETED,
                     Attempt.execution_ms.is_not(None), *window)
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(
            db.select(Attempt.challenge_id, func.percentile_cont(0.5).within_group(Attempt.execution_ms))
            .where(completed).group_by(Attempt.challenge_id)).all()
        return {cid: round(float(m), 3) for cid, m in rows if m is not None}
    ranked = db.select(
        Attempt.challenge_id.label("cid"), Attempt.execution_ms.label("ms"),
        func.row_number().over(partition_by=Attempt.challenge_id, order_by=Attempt.execution_ms).label("rn"),
        func.count().over(partition_by=Attempt.challenge_id).label("n"),
    ).where(completed).subquery()
    middle = db.select(ranked.c.cid, func.avg(ranked.c.ms)).where(
        ranked.c.rn.in_([(ranked.c.n + 1) / 2, (ranked.c.n + 2) / 2])).group_by(ranked.c.cid)
    return {cid: round(float(m), 3) for cid, m in db.session.execute(middle).all() if m is not None}


def _case_accept_rates(case_ids: list[int], ids: list[int], window: list) -> dict[int, float]:
    """Share of judged cases accepted, per test case; without a time window it never touches attempts."""
    query = (db.select(AttemptCase.test_case_id, func.count(),
                       func.sum(case((AttemptCase.verdict == ACCEPTED, 1), else_=0)))
             .where(AttemptCase.test_case_id.in_(case_ids)).group_by(AttemptCase.test_case_id))
    if window:
        query = query.join(Attempt, Attempt.id == AttemptCase.attempt_id).where(Attempt.challenge_id.in_(ids), *window)
    rows = db.session.execute(query).all()
    return {tc: round(int(ok or 0) / total, 4) for tc, total, ok in rows if total}
