"""Who is in a room, counted over every socket in every web process (SPEC 9.4).

Each socket that joined a room is one row in the app database, so a player with tabs on two processes
stays connected while either remains, and the room clock (in any process) forfeits only a player with no
row left once the grace period has passed. `process` names the web process that holds the socket.
"""
from __future__ import annotations

import os
import socket
import uuid

from app.extensions import db
from app.models import Room, RoomPresence
from app.models.timestamps import utcnow

PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:80]


def arrive(room: Room, user_id: int, sid: str) -> None:
    """This socket is in the room (idempotent); the caller commits."""
    if db.session.get(RoomPresence, (room.id, sid)) is None:
        db.session.add(RoomPresence(room_id=room.id, sid=sid, user_id=user_id, process=PROCESS, since=utcnow()))
        db.session.flush()


def depart(sid: str, room_id: int | None = None) -> list[tuple[int, int]]:
    """Removes this socket from one room (or every room); returns the (room_id, user_id) pairs it left."""
    query = db.select(RoomPresence).where(RoomPresence.sid == sid)
    if room_id is not None:
        query = query.where(RoomPresence.room_id == room_id)
    rows = list(db.session.execute(query).scalars())
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    return [(row.room_id, row.user_id) for row in rows]


def present(room_id: int, user_id: int) -> bool:
    """Whether the user has any socket in the room, in any web process."""
    return db.session.execute(db.select(RoomPresence.sid).where(
        RoomPresence.room_id == room_id, RoomPresence.user_id == user_id).limit(1)).first() is not None
