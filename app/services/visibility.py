"""Who may see a challenge (SPEC 9.1), decided here and nowhere else.

For anyone who may not see it a challenge does not exist: lists filter with
`visible_condition`, single reads go through `can_see` (both say the same
thing, one in SQL, one in Python).
- `public` whose `release_at` is empty or past: everyone;
- the creator and admins: always;
- members (players, spectators) of a room using the challenge, once that room
  has started: whatever the visibility (a host's `draft` and `room` challenges,
  and unreleased public ones, open to the room at its start).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import and_, exists, or_, select, true

from app.extensions import db
from app.models import Challenge, Room, RoomChallenge, RoomPlayer, User
from app.models.timestamps import utcnow

STARTED_STATES = ("RUNNING", "FINISHED")


def _is_released(now: datetime):
    return and_(Challenge.visibility == "public",
                or_(Challenge.release_at.is_(None), Challenge.release_at <= now))


def _opened_by_a_room(user_id: int, now: datetime):
    return exists(
        select(RoomChallenge.room_id)
        .join(Room, Room.id == RoomChallenge.room_id)
        .join(RoomPlayer, and_(RoomPlayer.room_id == Room.id, RoomPlayer.user_id == user_id))
        .where(RoomChallenge.challenge_id == Challenge.id, Room.state.in_(STARTED_STATES), Room.starts_at <= now)
    )


def visible_condition(user: User, now: Optional[datetime] = None):
    """A WHERE clause on Challenge: the challenges `user` may see."""
    if user.role == "admin":
        return true()
    now = now or utcnow()
    return or_(_is_released(now), Challenge.created_user_id == user.id, _opened_by_a_room(user.id, now))


def can_see(challenge: Challenge, user: User, now: Optional[datetime] = None) -> bool:
    if user.role == "admin" or challenge.created_user_id == user.id:
        return True
    now = now or utcnow()
    if (challenge.visibility or "public") == "public" and (challenge.release_at is None or challenge.release_at <= now):
        return True
    return bool(db.session.execute(
        select(Challenge.id).where(Challenge.id == challenge.id, _opened_by_a_room(user.id, now))
    ).first())


def can_publish(user: User, publish_roles: tuple[str, ...]) -> bool:
    """Whether the user may make a challenge `public` or `room` (CHALLENGE_PUBLISH_ROLES)."""
    return user.role in publish_roles
