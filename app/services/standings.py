"""Room standings: total of each challenge's best score, then the time that total was first reached.

Pure functions over plain values, so the rule is unit-tested without a database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional


@dataclass(frozen=True)
class CountedAttempt:
    user_id: int
    challenge_id: int
    score: float
    created_at: datetime


@dataclass(frozen=True)
class Contestant:
    user_id: int
    full_name: str
    forfeited: bool = False


def compute_standings(contestants: Iterable[Contestant], attempts: Iterable[CountedAttempt],
                      challenge_ids: list[int], started_at: Optional[datetime]) -> list[dict]:
    """Ranks contestants: total score desc, then elapsed seconds to reach it asc; forfeits last.

    Attempts must already be filtered to the ones that count (made while RUNNING).
    Equal total and elapsed time share a rank.
    """
    by_user: dict[int, list[CountedAttempt]] = {}
    for attempt in sorted(attempts, key=lambda a: a.created_at):
        by_user.setdefault(attempt.user_id, []).append(attempt)
    rows = []
    for person in contestants:
        best = {cid: 0.0 for cid in challenge_ids}
        total, elapsed = 0.0, 0.0
        for attempt in by_user.get(person.user_id, []):
            if attempt.score > best.get(attempt.challenge_id, 0.0):
                best[attempt.challenge_id] = attempt.score
                new_total = round(sum(best.values()), 4)
                if new_total > total:
                    total = new_total
                    elapsed = max(0.0, (attempt.created_at - started_at).total_seconds()) if started_at else 0.0
        rows.append({
            "user_id": person.user_id, "full_name": person.full_name, "total_score": total,
            "elapsed_s": round(elapsed, 3), "per_challenge": {str(cid): s for cid, s in best.items()},
            "forfeited": person.forfeited,
        })
    rows.sort(key=lambda r: (r["forfeited"], -r["total_score"], r["elapsed_s"], r["user_id"]))
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        key = (row["forfeited"], row["total_score"], row["elapsed_s"])
        if key != previous:
            rank, previous = index, key
        row["rank"] = rank
    return rows


def winners(standings: list[dict]) -> list[int]:
    """Rank-1 players who did not forfeit; nobody wins when nobody scored and nobody forfeited."""
    alive = [row for row in standings if not row["forfeited"]]
    if not alive:
        return []
    top = alive[0]
    if top["total_score"] <= 0 and len(alive) == len(standings):
        return []
    return [row["user_id"] for row in alive
            if row["total_score"] == top["total_score"] and row["elapsed_s"] == top["elapsed_s"]]
