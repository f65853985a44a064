"""Similar accepted attempts: an indexed group-by on the fingerprint stored at judging time.

A structure that half the class wrote is the textbook answer, not a sign of copying; one that only
two students share is. So pairs are ranked by how many users share their fingerprint (`shared_by`),
rarest first, and each pair carries that count.
"""
from __future__ import annotations

from itertools import combinations
from typing import Optional

from sqlalchemy import func

from app.extensions import db
from app.judge.verdicts import ACCEPTED
from app.models import Attempt, Challenge, User
from app.services import permissions

MAX_PAIRS = 1000


def similar_pairs_for(challenge: Challenge, viewer: User) -> list[dict]:
    """The report for the challenge's creator and admins."""
    check_can_inspect(challenge, viewer)
    return similar_pairs(challenge)


def similar_pairs(challenge: Challenge, user_ids: Optional[list[int]] = None,
                  room_id: Optional[int] = None) -> list[dict]:
    """Pairs of different users' accepted attempts sharing a fingerprint (each user's first such attempt),
    rarest fingerprint first; at most MAX_PAIRS."""
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
    return rank_pairs(by_fingerprint)[:MAX_PAIRS]


def rank_pairs(by_fingerprint: dict[str, list[tuple[int, int]]]) -> list[dict]:
    """Every pair within each fingerprint's (attempt id, user id) members, rarest fingerprint first
    (then earliest attempt). Stops generating once MAX_PAIRS pairs of the rarest groups are made."""
    groups = sorted(by_fingerprint.items(), key=lambda item: (len(item[1]), item[1][0][0]))
    pairs = []
    for fingerprint, members in groups:
        for (a, u), (b, v) in combinations(members, 2):
            pairs.append({"attempt_ids": [a, b], "user_ids": [u, v], "fingerprint": fingerprint,
                          "shared_by": len(members)})
            if len(pairs) >= MAX_PAIRS:
                return pairs
    return pairs


def check_can_inspect(challenge: Challenge, viewer: User) -> None:
    permissions.require(permissions.is_creator_or_admin(challenge, viewer),
                        "only admins and the challenge's creator can see similar attempts")
