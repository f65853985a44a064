"""`GET /api/rooms`: the rooms a user hosts or played (admins: all), so a host who closed the tab finds them."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, or_

from app.extensions import db
from app.models import Room, RoomPlayer, User
from app.models.timestamps import iso
from app.services import permissions


def _mine(user: User):
    played = db.select(RoomPlayer.room_id).where(RoomPlayer.user_id == user.id, RoomPlayer.is_spectator.is_(False))
    return or_(Room.host_user_id == user.id, Room.id.in_(played))


def list_rooms(viewer: User, state: Optional[str], page: int, size: int) -> tuple[list[dict], int]:
    """Newest first; each with what the viewer is to it (`host`, `player`, or `admin` for others' rooms)."""
    conditions = [] if permissions.is_admin(viewer) else [_mine(viewer)]
    if state is not None:
        conditions.append(Room.state == state)
    total = db.session.execute(db.select(func.count(Room.id)).where(*conditions)).scalar_one()
    rooms = db.session.execute(db.select(Room).where(*conditions).order_by(Room.created_at.desc(), Room.id.desc())
                               .limit(size).offset(page * size)).scalars().all()
    played = set(db.session.execute(
        db.select(RoomPlayer.room_id).where(RoomPlayer.user_id == viewer.id, RoomPlayer.is_spectator.is_(False),
                                            RoomPlayer.room_id.in_([r.id for r in rooms]))).scalars())
    return [room_summary(room, _relation(room, viewer, played)) for room in rooms], total


def _relation(room: Room, viewer: User, played: set[int]) -> str:
    if room.host_user_id == viewer.id:
        return "host"
    return "player" if room.id in played else "admin"


def room_summary(room: Room, relation: str) -> dict:
    """The room without its code, members or standings (those are on GET /api/rooms/:id)."""
    return {
        "id": room.id, "name": room.name, "host_user_id": room.host_user_id, "state": room.state,
        "max_players": room.max_players, "duration_s": room.duration_s, "challenge_ids": room.challenge_ids,
        "relation": relation, "created_at": iso(room.created_at), "starts_at": iso(room.starts_at),
        "ends_at": iso(room.ends_at),
    }
