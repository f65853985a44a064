"""Submitting attempts (quota, rate limit, storage, dispatch) and reading them back."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import func

from app.errors import Forbidden, Invalid, NotFound, TooManyRequests
from app.extensions import db, judging
from app.judge.verdicts import QUEUED
from app.limits import LIMITS
from app.models import Attempt, Challenge, Room, RoomPlayer, User
from app.models.timestamps import utcnow
from app.services import challenge_stats, permissions
from app.services.challenges import get_challenge

MAX_QUERY_CHARS = LIMITS.query_chars


def _count_since(user_id: int, since: datetime) -> int:
    return db.session.execute(
        db.select(func.count(Attempt.id)).where(Attempt.user_id == user_id, Attempt.created_at >= since)
    ).scalar_one()


def quota(user_id: int) -> dict:
    """Today's (UTC) submission allowance."""
    total = current_app.config["SUBMISSION_QUOTA_PER_DAY"]
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return {"remain": max(0, total - _count_since(user_id, today)), "total": total}


def lock_user_submissions(user_id: int) -> None:
    """Serialises one user's submissions until the transaction ends, so count-then-insert is atomic
    (60 simultaneous submissions once stored 35 against a limit of 30). A no-op UPDATE of the user's
    row is a row lock on PostgreSQL and takes the write lock on SQLite, which has no FOR UPDATE."""
    db.session.execute(db.update(User.__table__).where(User.__table__.c.id == user_id)
                       .values(id=User.__table__.c.id))


def check_submission_limits(user_id: int) -> None:
    """Rate limit then daily quota, both counted from stored attempts (shared by every web process).
    Call inside the transaction that stores the attempt: the user's submissions are locked until it ends."""
    lock_user_submissions(user_id)
    count, window_s = current_app.config["RATE_LIMIT_ATTEMPTS"]
    if _count_since(user_id, utcnow() - timedelta(seconds=window_s)) >= count:
        db.session.rollback()   # releases the lock at once
        raise TooManyRequests(f"rate limit: at most {count} attempts per {window_s} s")
    if quota(user_id)["remain"] <= 0:
        db.session.rollback()
        raise TooManyRequests("daily submission quota used up; it resets at 00:00 UTC")


def _room_for_attempt(room_id: Optional[int], user: User, challenge: Challenge) -> Optional[Room]:
    if room_id is None:
        return None
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound("room not found")
    if challenge.id not in room.challenge_ids:
        raise Invalid("that challenge is not part of this room")
    member = db.session.get(RoomPlayer, (room.id, user.id))
    if member is None:
        raise Forbidden("you are not in this room")
    return room


def submit(user: User, challenge_id: int, query: str, room_id: Optional[int]) -> Attempt:
    """Stores a QUEUED attempt and hands it to the judge; nothing is stored when a check fails."""
    challenge = get_challenge(challenge_id, user)
    _room_for_attempt(room_id, user, challenge)
    check_submission_limits(user.id)
    attempt = Attempt(
        user_id=user.id, challenge_id=challenge.id, room_id=room_id, query=query, status=QUEUED,
        total=len(challenge.test_cases), challenge_version=challenge.version, dispatched_at=utcnow(),
    )
    db.session.add(attempt)
    challenge_stats.attempt_stored(attempt)
    db.session.commit()
    judging.dispatch(attempt, challenge)
    return attempt


def get_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("attempt not found")
    return attempt


def read_attempt(attempt_id: int, viewer: User) -> dict:
    """One attempt for its owner, the challenge's creator, the room's host or an admin (SPEC 9.3)."""
    attempt = get_attempt(attempt_id)
    permissions.require_read_attempt(attempt, viewer)
    return attempt


def _window(start: Optional[datetime], end: Optional[datetime]) -> list:
    conditions = []
    if start is not None:
        conditions.append(Attempt.created_at >= start)
    if end is not None:
        conditions.append(Attempt.created_at <= end)
    return conditions


def page_of(conditions: list, page: int, size: int) -> tuple[list[Attempt], int]:
    """Attempts matching `conditions`, newest first, with their total count."""
    total = db.session.execute(db.select(func.count(Attempt.id)).where(*conditions)).scalar_one()
    items = db.session.execute(
        db.select(Attempt).where(*conditions).order_by(Attempt.created_at.desc(), Attempt.id.desc())
        .limit(size).offset(page * size)
    ).scalars().all()
    return list(items), total


def list_attempts(user_id: int, challenge_id: Optional[int], start: Optional[datetime],
                  end: Optional[datetime], page: int, size: int) -> tuple[list[Attempt], int]:
    conditions = [Attempt.user_id == user_id, *_window(start, end)]
    if challenge_id is not None:
        conditions.append(Attempt.challenge_id == challenge_id)
    return page_of(conditions, page, size)


def challenge_attempts(challenge: Challenge, viewer: User, user_id: Optional[int], verdict: Optional[str],
                       start: Optional[datetime], end: Optional[datetime], page: int,
                       size: int) -> tuple[list[Attempt], int]:
    """Every attempt on a challenge, for its creator and admins (SPEC 9.3)."""
    permissions.require_creator_or_admin(challenge, viewer)
    conditions = [Attempt.challenge_id == challenge.id, *_window(start, end)]
    if user_id is not None:
        conditions.append(Attempt.user_id == user_id)
    if verdict is not None:
        conditions.append(Attempt.verdict == verdict)
    return page_of(conditions, page, size)


def room_attempts(room: Room, viewer: User, user_id: Optional[int], challenge_id: Optional[int],
                  page: int, size: int) -> tuple[list[Attempt], int]:
    """Every attempt made in a room, for its host and admins (SPEC 9.3)."""
    permissions.require_host_or_admin(room, viewer)
    conditions = [Attempt.room_id == room.id]
    if user_id is not None:
        conditions.append(Attempt.user_id == user_id)
    if challenge_id is not None:
        conditions.append(Attempt.challenge_id == challenge_id)
    return page_of(conditions, page, size)
