"""Per-challenge leaderboards, maintained incrementally from each user's best attempt.

The ranking reads `challenge_bests` (one row per user and challenge), so a
completion costs one small upsert, never a scan of all attempts.
"""
from __future__ import annotations

from sqlalchemy import asc, case, desc, func

from app.extensions import db
from app.judge.verdicts import ACCEPTED
from app.models import Attempt, Challenge, ChallengeBest, User

MAX_ENTRIES = 100     # what live events carry (`leaderboard.updated`, `.snapshot`); REST pages through all


def ranking_order(challenge_type: str):
    """SPEC 9.5, shared by the CSV export: score desc, then cost and time asc (FE) or desc (LE), then the
    earlier attempt. A best without a cost (judged before costs existed) comes after every costed one of its score."""
    way = asc if challenge_type == "FE" else desc
    return (desc(ChallengeBest.score), way(ChallengeBest.cost).nulls_last(), way(ChallengeBest.execution_ms),
            asc(ChallengeBest.attempt_created_at), asc(ChallengeBest.user_id))


def entries(challenge: Challenge, limit: int = MAX_ENTRIES, offset: int = 0) -> list[dict]:
    rows = db.session.execute(
        db.select(ChallengeBest, User.full_name)
        .join(User, User.id == ChallengeBest.user_id)
        .where(ChallengeBest.challenge_id == challenge.id)
        .order_by(*ranking_order(challenge.type))
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        {
            "rank": rank, "user_id": best.user_id, "full_name": full_name, "attempt_id": best.attempt_id,
            "score": best.score, "cost": best.cost, "execution_ms": best.execution_ms,
            "created_at": best.attempt_created_at.isoformat(timespec="microseconds") + "Z",
        }
        for rank, (best, full_name) in enumerate(rows, start=offset + 1)
    ]


def entry_count(challenge: Challenge) -> int:
    return db.session.execute(
        db.select(func.count()).select_from(ChallengeBest).where(ChallengeBest.challenge_id == challenge.id)
    ).scalar_one()


def board(challenge: Challenge, page: int = 0, size: int = MAX_ENTRIES) -> dict:
    return {"challenge_id": challenge.id, "type": challenge.type,
            "entries": entries(challenge, limit=size, offset=page * size)}


def overall(page: int, size: int) -> tuple[list[dict], int]:
    """Users ranked by challenges solved, then total best score, then the time of their last first solve
    (whoever got there first wins), then user id; one aggregate over the per-user bests, never attempts."""
    solved = func.sum(case((ChallengeBest.first_accepted_at.is_not(None), 1), else_=0))
    total_score = func.sum(ChallengeBest.score)
    last_first_solve = func.max(ChallengeBest.first_accepted_at)
    ranked = (
        db.select(ChallengeBest.user_id, User.full_name, solved.label("solved"), total_score.label("total"),
                  last_first_solve.label("last_solve"))
        .join(User, User.id == ChallengeBest.user_id)
        .group_by(ChallengeBest.user_id, User.full_name)
    )
    count = db.session.execute(db.select(func.count(func.distinct(ChallengeBest.user_id)))).scalar_one()
    rows = db.session.execute(
        ranked.order_by(desc("solved"), desc("total"), last_first_solve.asc().nulls_last(), asc(ChallengeBest.user_id))
        .offset(page * size).limit(size)
    ).all()
    return [
        {"rank": rank, "user_id": user_id, "full_name": full_name, "solved": int(solved_count or 0),
         "total_score": round(float(total or 0.0), 2)}
        for rank, (user_id, full_name, solved_count, total, _last) in enumerate(rows, start=page * size + 1)
    ], count


def is_better(challenge_type: str, attempt: Attempt, best: ChallengeBest) -> bool:
    """The board's order (`ranking_order`): higher score; then cheaper (FE) or costlier (LE), a missing cost
    last; then faster (FE) or slower (LE); then the earlier attempt."""
    if attempt.score != best.score:
        return attempt.score > best.score
    if attempt.cost != best.cost:
        if attempt.cost is None or best.cost is None:
            return best.cost is None
        return attempt.cost < best.cost if challenge_type == "FE" else attempt.cost > best.cost
    ms, best_ms = attempt.execution_ms or 0.0, best.execution_ms
    if ms != best_ms:
        return ms < best_ms if challenge_type == "FE" else ms > best_ms
    return attempt.created_at < best.attempt_created_at


def record_completed(attempt: Attempt, challenge: Challenge) -> bool:
    """Keeps the user's best attempt; True when their entry changed (the caller then re-ranks)."""
    best = db.session.get(ChallengeBest, (challenge.id, attempt.user_id))
    if best is None:
        best = ChallengeBest(challenge_id=challenge.id, user_id=attempt.user_id)
        db.session.add(best)
    _note_first_accepted(best, attempt)
    if best.attempt_id == attempt.id or (best.attempt_id is not None and not is_better(challenge.type, attempt, best)):
        return False
    best.attempt_id = attempt.id
    best.score = attempt.score or 0.0
    best.execution_ms = attempt.execution_ms or 0.0
    best.cost = attempt.cost
    best.attempt_created_at = attempt.created_at
    return True


def _note_first_accepted(best: ChallengeBest, attempt: Attempt) -> None:
    if attempt.verdict == ACCEPTED and (best.first_accepted_at is None or attempt.created_at < best.first_accepted_at):
        best.first_accepted_at = attempt.created_at


def rebuild(challenge: Challenge) -> None:
    """Recomputes every best of a challenge (after a rejudge) from its completed attempts."""
    db.session.execute(db.delete(ChallengeBest).where(ChallengeBest.challenge_id == challenge.id))
    attempts = db.session.execute(
        db.select(Attempt).where(Attempt.challenge_id == challenge.id, Attempt.status == "COMPLETED")
    ).scalars()
    for attempt in attempts:
        record_completed(attempt, challenge)
        db.session.flush()
