"""Gradebooks (SPEC 9.3): one row per user with identity, per-challenge results and totals.

Rows are generated lazily: the route streams them as CSV. Per challenge (columns named by the
challenge's name): best score, attempts made, and the seconds from the start (the room's start; on a
challenge leaderboard the user's first attempt on it) to the first ACCEPTED attempt (empty if none).
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import case, func

from app.extensions import db
from app.judge.verdicts import ACCEPTED
from app.models import Attempt, Challenge, ChallengeBest, Room, User
from app.services import permissions
from app.services import leaderboard
from app.services import rooms as room_service

IDENTITY_COLUMNS = ["rank", "user_id", "email", "full_name"]
STREAM_BATCH = 500


def challenge_columns(challenges: list[Challenge]) -> list[str]:
    """Three columns per challenge named by its name (its id added when two names are equal)."""
    names = [c.name for c in challenges]
    columns = []
    for challenge in challenges:
        label = challenge.name if names.count(challenge.name) == 1 else f"{challenge.name} (#{challenge.id})"
        columns += [f"{label} best score", f"{label} attempts", f"{label} first accepted s"]
    return columns


def _elapsed(start: Optional[datetime], moment: Optional[datetime]):
    if start is None or moment is None:
        return ""
    return round(max(0.0, (moment - start).total_seconds()), 3)


def _attempt_stats(scope) -> "db.Select":
    """Per user (and challenge): attempts made, the first attempt's time, the first ACCEPTED one's."""
    first_accepted = func.min(case((Attempt.verdict == ACCEPTED, Attempt.created_at), else_=None))
    return (db.select(Attempt.user_id, Attempt.challenge_id, func.count(Attempt.id).label("attempts"),
                      func.min(Attempt.created_at).label("first_at"), first_accepted.label("accepted_at"))
            .where(scope).group_by(Attempt.user_id, Attempt.challenge_id))


# -- a room ------------------------------------------------------------------------
def room_gradebook(room: Room, viewer: User) -> tuple[list[str], Iterator[list]]:
    """The room's live standings (what its host sees) with attempts and first-accepted times per challenge.
    The standings are computed here (they are in memory anyway); only formatting is left to the stream,
    which runs after the request's session is closed."""
    permissions.require_host_or_admin(room, viewer)
    challenges = [c for cid in room.challenge_ids if (c := db.session.get(Challenge, cid)) is not None]
    columns = IDENTITY_COLUMNS + challenge_columns(challenges) + ["total_score", "total_attempts", "elapsed_s"]
    standings = room_service.standings(room)
    stats = {(row.user_id, row.challenge_id): (row.attempts, _elapsed(room.starts_at, row.accepted_at))
             for row in db.session.execute(_attempt_stats(Attempt.room_id == room.id))}
    emails = dict(db.session.execute(
        db.select(User.id, User.email).where(User.id.in_([s["user_id"] for s in standings]))).all())
    return columns, _room_rows(standings, [c.id for c in challenges], stats, emails)


def _room_rows(standings: list[dict], challenge_ids: list[int], stats: dict, emails: dict) -> Iterator[list]:
    for row in standings:
        cells, made = [], 0
        for challenge_id in challenge_ids:
            attempts, elapsed = stats.get((row["user_id"], challenge_id), (0, ""))
            made += attempts
            cells += [row["per_challenge"].get(str(challenge_id), 0.0), attempts, elapsed]
        yield [row["rank"], row["user_id"], emails.get(row["user_id"], ""), row["full_name"], *cells,
               row["total_score"], made, row["elapsed_s"]]


# -- a challenge's leaderboard ------------------------------------------------------
def challenge_gradebook(challenge: Challenge, viewer: User) -> tuple[list[str], Iterator[list]]:
    """The leaderboard in its order (rank = position, as in the JSON), streamed in batches."""
    permissions.require_creator_or_admin(challenge, viewer)
    columns = IDENTITY_COLUMNS + challenge_columns([challenge]) + ["total_score", "total_attempts"]
    return columns, _challenge_rows(challenge.id, challenge.type)


def _challenge_rows(challenge_id: int, challenge_type: str) -> Iterator[list]:
    """Runs while the response is sent: takes ids, not ORM objects (the request's session is gone)."""
    stats = _attempt_stats(Attempt.challenge_id == challenge_id).subquery()
    query = (db.select(ChallengeBest.user_id, ChallengeBest.score, User.email, User.full_name,
                       stats.c.attempts, stats.c.first_at, stats.c.accepted_at)
             .join(User, User.id == ChallengeBest.user_id)
             .outerjoin(stats, stats.c.user_id == ChallengeBest.user_id)
             .where(ChallengeBest.challenge_id == challenge_id)
             .order_by(*leaderboard.ranking_order(challenge_type)))
    try:
        result = db.session.execute(query.execution_options(yield_per=STREAM_BATCH))
        for rank, row in enumerate(result, start=1):
            attempts = row.attempts or 0
            yield [rank, row.user_id, row.email, row.full_name, row.score, attempts,
                   _elapsed(row.first_at, row.accepted_at), row.score, attempts]
    finally:
        db.session.remove()
