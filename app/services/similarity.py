"""Similar accepted attempts: an indexed group-by on the fingerprint stored at judging time."""
from __future__ import annotations

from itertools import combinations
from typing import Optional

from sqlalchemy import func

from app.errors import Forbidden
from app.extensions import db
from app.judge.verdicts import ACCEPTED
from app.models import Attempt, Challenge, User

MAX_PAIRS = 1000


def similar_pairs(challenge: Challenge, user_ids: Optional[list[int]] = None,
                  room_id: Optional[int] = None) -> list[dict]:
    """Pairs of different users' accepted attempts sharing a fingerprint (each user's first such attempt)."""
    scope = [Attempt.challenge_id == challenge.id, Attempt.verdict == ACCEPTED, Attempt.fingerprint.is_not(None)]
    if user_ids is not None:
        scope.append(Attempt.user_id.in_(user_ids))
    if room_id is not None:
        scope.append(Attempt.room_id == room_id)
    shared = (db.select(Attempt.fingerprint).where(*scope).group_by(Attempt.fingerprint)
              .having(func.count(func.distinct(Attempt.user_id)) > 1))
    firsts = db.session.execute(
        db.select(Attempt.fingerprint, Attempt.user_id, func.min(Attempt.id))
        .where(*scope, Attempt.fingerprint.in_(shared))
        .group_by(Attempt.fingerprint, Attempt.user_id)
        .order_by(Attempt.fingerprint, func.min(Attempt.id))).all()
    by_fingerprint: dict[str, list[tuple[int, int]]] = {}
    for fingerprint, user_id, attempt_id in firsts:
        by_fingerprint.setdefault(fingerprint, []).append((attempt_id, user_id))
    pairs = []
    for fingerprint, members in by_fingerprint.items():
        for (a, u), (b, v) in combinations(members, 2):
            pairs.append({"attempt_ids": [a, b], "user_ids": [u, v], "fingerprint": fingerprint})
            if len(pairs) >= MAX_PAIRS:
                return pairs
    return pairs


def check_can_inspect(challenge: Challenge, viewer: User) -> None:
    if viewer.role != "admin" and challenge.created_user_id != viewer.id:
        raise Forbidden("only admins and the challenge's creator can see similar attempts")
