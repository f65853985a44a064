"""Who may do or see what: every ownership and role rule in one place.

Services call these; routes and socket handlers only translate. Predicates
(`is_…`, `may_…`) answer; `require_…` raise Forbidden with the reason.
"""
from __future__ import annotations

from typing import Optional

from app.errors import Forbidden
from app.extensions import db
from app.models import Attempt, Challenge, Room, User

STAFF_ROLES = ("admin", "instructor")


def is_admin(user: Optional[User]) -> bool:
    return user is not None and user.role == "admin"


def is_staff(user: Optional[User]) -> bool:
    """Admins and instructors: the people who run classes (analytics, e-mail addresses)."""
    return user is not None and user.role in STAFF_ROLES


def is_self_or_admin(user_id: int, viewer: Optional[User]) -> bool:
    return viewer is not None and (viewer.id == user_id or is_admin(viewer))


def is_creator_or_admin(challenge: Challenge, viewer: Optional[User]) -> bool:
    return viewer is not None and (challenge.created_user_id == viewer.id or is_admin(viewer))


def is_host_or_admin(room: Room, viewer: Optional[User]) -> bool:
    return viewer is not None and (room.host_user_id == viewer.id or is_admin(viewer))


def may_see_hidden(attempt: Attempt, viewer: Optional[User]) -> bool:
    """Hidden cases' data (expected and actual results) is for the challenge's creator, admins and the
    host of the room the attempt was made in (SPEC 9.3); never for the player, so hidden cases stay hidden."""
    if viewer is None:
        return False
    if is_admin(viewer):
        return True
    challenge = db.session.get(Challenge, attempt.challenge_id)
    if challenge is not None and challenge.created_user_id == viewer.id:
        return True
    return _hosts_attempt_room(attempt, viewer)


def may_read_attempt(attempt: Attempt, viewer: Optional[User]) -> bool:
    """The owner, plus everyone who may see its hidden data (creator, room host, admins)."""
    return viewer is not None and (attempt.user_id == viewer.id or may_see_hidden(attempt, viewer))


def may_see_email(subject_id: int, viewer: Optional[User]) -> bool:
    """A user's e-mail is for that user, admins and instructors (SPEC 9.3)."""
    return viewer is not None and (viewer.id == subject_id or is_staff(viewer))


def _hosts_attempt_room(attempt: Attempt, viewer: User) -> bool:
    if attempt.room_id is None:
        return False
    room = db.session.get(Room, attempt.room_id)
    return room is not None and room.host_user_id == viewer.id


def require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise Forbidden(reason)


def require_self_or_admin(user_id: int, viewer: User) -> None:
    require(is_self_or_admin(user_id, viewer), "only that user and admins can see this")


def require_creator_or_admin(challenge: Challenge, viewer: User) -> None:
    require(is_creator_or_admin(challenge, viewer), "only the challenge's creator and admins can see this")


def require_host_or_admin(room: Room, viewer: User) -> None:
    require(is_host_or_admin(room, viewer), "only the room's host and admins can see this")


def require_read_attempt(attempt: Attempt, viewer: User) -> None:
    require(may_read_attempt(attempt, viewer),
            "only the attempt's owner, the challenge's creator, the room's host and admins can see it")


def require_staff(viewer: User, reason: str) -> None:
    require(is_staff(viewer), reason)
