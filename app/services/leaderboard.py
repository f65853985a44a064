"""Per-challenge leaderboards, maintained incrementally from each user's best attempt.

The ranking reads `challenge_bests` (one row per user and challenge), so a
completion costs one small upsert, never a scan of all attempts.
"""
from __future__ import annotations

from sqlalchemy import asc, desc

from app.extensions import db
from app.models import Attempt, Challenge, ChallengeBest, User

MAX_ENTRIES = 100


def _order(challenge_type: str):
    time_order = asc(ChallengeBest.execution_ms) if challenge_type == "FE" else desc(ChallengeBest.execution_ms)
    return (desc(ChallengeBest.score), time_order, asc(ChallengeBest.attempt_created_at), asc(ChallengeBest.user_id))


def entries(challenge: Challenge, limit: int = MAX_ENTRIES) -> list[dict]:
    rows = db.session.execute(
        db.select(ChallengeBest, User.full_name)
        .join(User, User.id == ChallengeBest.user_id)
        .where(ChallengeBest.challenge_id == challenge.id)
        .order_by(*_order(challenge.type))
        .limit(limit)
    ).all()
    return [
        {
            "rank": rank, "user_id": best.user_id, "full_name": full_name, "attempt_id": best.attempt_id,
            "score": best.score, "execution_ms": best.execution_ms,
            "created_at": best.attempt_created_at.isoformat(timespec="microseconds") + "Z",
        }
        for rank, (best, full_name) in enumerate(rows, start=1)
    ]


def board(challenge: Challenge) -> dict:
    return {"challenge_id": challenge.id, "type": challenge.type, "entries": entries(challenge)}


def is_better(challenge_type: str, attempt: Attempt, best: ChallengeBest) -> bool:
    """Higher score wins; then faster (FE) or slower (LE); then the earlier attempt."""
    if attempt.score != best.score:
        return attempt.score > best.score
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
    elif best.attempt_id == attempt.id or not is_better(challenge.type, attempt, best):
        return False
    best.attempt_id = attempt.id
    best.score = attempt.score or 0.0
    best.execution_ms = attempt.execution_ms or 0.0
    best.attempt_created_at = attempt.created_at
    return True


def rebuild(challenge: Challenge) -> None:
    """Recomputes every best of a challenge (after a rejudge) from its completed attempts."""
    db.session.execute(db.delete(ChallengeBest).where(ChallengeBest.challenge_id == challenge.id))
    attempts = db.session.execute(
        db.select(Attempt).where(Attempt.challenge_id == challenge.id, Attempt.status == "COMPLETED")
    ).scalars()
    for attempt in attempts:
        record_completed(attempt, challenge)
        db.session.flush()
