"""Room standings: total of each challenge's best score less its penalties, then the time the best scores
were first reached.

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
    accepted: bool = False


@dataclass(frozen=True)
class Penalties:
    """SPEC 9.4: `wrong` points per counted non-accepted attempt made before a challenge's first ACCEPTED
    one (every non-accepted one while it has none); `hint` points per hint revealed during the room,
    `hints` counting them per (user_id, challenge_id). A challenge's score never goes below 0."""
    wrong: float = 0.0
    hint: float = 0.0
    hints: Optional[dict] = None

    def charge(self, user_id: int, challenge_id: int, wrong_attempts: int) -> float:
        revealed = (self.hints or {}).get((user_id, challenge_id), 0)
        return self.wrong * wrong_attempts + self.hint * revealed


NO_PENALTIES = Penalties()


@dataclass(frozen=True)
class Contestant:
    user_id: int
    full_name: str
    forfeited: bool = False


def compute_standings(contestants: Iterable[Contestant], attempts: Iterable[CountedAttempt],
                      challenge_ids: list[int], started_at: Optional[datetime],
                      penalties: Penalties = NO_PENALTIES) -> list[dict]:
    """Ranks contestants: total score (net of penalties) desc, then elapsed seconds to reach the best
    scores asc; forfeits last. `penalty` is the points taken off in all.

    Attempts must already be filtered to the ones that count (made while RUNNING).
    Equal total and elapsed time share a rank.
    """
    by_user: dict[int, list[CountedAttempt]] = {}
    for attempt in sorted(attempts, key=lambda a: a.created_at):
        by_user.setdefault(attempt.user_id, []).append(attempt)
    rows = []
    for person in contestants:
        best = {cid: 0.0 for cid in challenge_ids}
        wrong = {cid: 0 for cid in challenge_ids}
        solved: set[int] = set()
        total, elapsed = 0.0, 0.0
        for attempt in by_user.get(person.user_id, []):
            if attempt.accepted:
                solved.add(attempt.challenge_id)
            elif attempt.challenge_id not in solved and attempt.challenge_id in wrong:
                wrong[attempt.challenge_id] += 1
            if attempt.score > best.get(attempt.challenge_id, 0.0):
                best[attempt.challenge_id] = attempt.score
                new_total = round(sum(best.values()), 4)
                if new_total > total:
                    total = new_total
                    elapsed = max(0.0, (attempt.created_at - started_at).total_seconds()) if started_at else 0.0
        net = {cid: max(0.0, round(score - penalties.charge(person.user_id, cid, wrong[cid]), 4))
               for cid, score in best.items()}
        rows.append({
            "user_id": person.user_id, "full_name": person.full_name, "total_score": round(sum(net.values()), 4),
            "elapsed_s": round(elapsed, 3), "per_challenge": {str(cid): s for cid, s in net.items()},
            "penalty": round(total - sum(net.values()), 4), "forfeited": person.forfeited,
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
