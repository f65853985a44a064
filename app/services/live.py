"""Publishing live events to Socket.IO channels (`attempt:<id>`, `user:<id>`, `room:<id>`, …).

Services call `publish`; with a message queue configured the event reaches
every web process. A list of channels is delivered once per socket even when
the socket is in several of them (python-socketio merges the rooms' members).

A socket that joins a room is in two channels: `room:<id>` (events everyone in
the room reads alike) and its member channel `room-member:<id>:<user id>`, for
events whose payload depends on who reads it (the join code, live standings
during a freeze, another player's attempt). Such an event goes to member
channels only, one payload per reader, so each socket still gets it once.
"""
from __future__ import annotations

import logging
from typing import Iterable

from app.extensions import db, socketio
from app.models import Room, RoomPlayer
from app.services.presenters import public_attempt_payload

log = logging.getLogger("sqlarena.live")

# Set in judge workers: a write-only emitter into the web servers' rooms through the message queue
# (no Socket.IO server runs there). None in web processes, which emit through their own server.
_external_emitter = None


def use_write_only_emitter(queue_url: str) -> None:
    """For `flask judge-worker`: `SocketIO(message_queue=…)` with no app (STYLE.md, two-mode Socket.IO)."""
    global _external_emitter
    from flask_socketio import SocketIO

    from app.sockets.kafka_manager import make_client_manager
    _external_emitter = SocketIO(message_queue=queue_url, client_manager=make_client_manager(queue_url, write_only=True))



def publish(event: str, payload: dict, channels: Iterable[str]) -> None:
    targets = [c for c in dict.fromkeys(channels) if c]
    if not targets:
        return
    try:
        (_external_emitter or socketio).emit(event, payload, to=targets)
    except Exception:  # live delivery must never break judging or a request
        log.exception("could not publish %s to %s", event, targets)


def room_channel(room_id: int) -> str:
    return f"room:{room_id}"


def member_channel(room_id: int, user_id: int) -> str:
    """The channel of one user's sockets in one room (joined on `room.join`; clients cannot subscribe)."""
    return f"room-member:{room_id}:{user_id}"


def member_channels(room_id: int, user_ids: Iterable[int]) -> list[str]:
    return [member_channel(room_id, user_id) for user_id in user_ids]


def publish_attempt(event: str, attempt, payload: dict) -> None:
    """An `attempt.*` event: whole to the owner (`attempt:`, `user:` and their own member channel),
    the public fields only to everyone else in the attempt's room."""
    owner = [f"attempt:{attempt.id}", f"user:{attempt.user_id}"]
    if attempt.room_id is None:
        publish(event, payload, owner)
        return
    publish(event, payload, owner + [member_channel(attempt.room_id, attempt.user_id)])
    others = [uid for uid in room_people(attempt.room_id) if uid != attempt.user_id]
    publish(event, public_attempt_payload(event, payload), member_channels(attempt.room_id, others))


def room_people(room_id: int) -> list[int]:
    """The host and every member (players and spectators) of a room: all who may have a socket in it."""
    host = db.session.execute(db.select(Room.host_user_id).where(Room.id == room_id)).scalar_one_or_none()
    members = db.session.execute(db.select(RoomPlayer.user_id).where(RoomPlayer.room_id == room_id)).scalars()
    return list(dict.fromkeys([uid for uid in (host, *members) if uid is not None]))
