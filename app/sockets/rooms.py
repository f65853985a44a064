"""Room events from clients: join, ready, start, leave, announce, kick (thin: services do the work)."""
from __future__ import annotations

from flask import request
from flask_socketio import join_room, leave_room

from app.errors import BadRequest
from app.extensions import db, socketio
from app.models import User
from app.services import rooms as room_service
from app.sockets.channels import acked
from app.sockets.session import connected_user, rooms_of, sids_of_user, track_room, untrack_room


def caller() -> User:
    user_id, _role = connected_user(request.sid)
    return db.session.get(User, user_id)


def room_from(payload: dict):
    room_id = payload.get("room_id")
    if not isinstance(room_id, int) or isinstance(room_id, bool):
        raise BadRequest("'room_id' must be an integer")
    return room_service.get_room(room_id)


@socketio.on("room.join")
@acked
def on_room_join(payload: dict):
    room, user = room_from(payload), caller()
    room_service.join(room, user)
    join_room(f"room:{room.id}")
    track_room(request.sid, room.id)
    room_service.mark_connection(room, user.id, connected=True)
    return room_service.room_view(room, user.id)


@socketio.on("room.ready")
@acked
def on_room_ready(payload: dict):
    ready = payload.get("ready", True)
    if not isinstance(ready, bool):
        raise BadRequest("'ready' must be true or false")
    room, user = room_from(payload), caller()
    return room_service.room_view(room_service.set_ready(room, user, ready), user.id)


@socketio.on("room.start")
@acked
def on_room_start(payload: dict):
    room, user = room_from(payload), caller()
    return room_service.room_view(room_service.start(room, user), user.id)


@socketio.on("room.leave")
@acked
def on_room_leave(payload: dict):
    room, user = room_from(payload), caller()
    leave_room(f"room:{room.id}")
    untrack_room(request.sid, room.id)
    room_service.leave(room, user)
    return {"room_id": room.id}


@socketio.on("room.announce")
@acked
def on_room_announce(payload: dict):
    room, user = room_from(payload), caller()
    return room_service.announce(room, user, payload.get("text"))


@socketio.on("room.kick")
@acked
def on_room_kick(payload: dict):
    room, user = room_from(payload), caller()
    return room_service.room_view(room_service.kick(room, user, payload.get("user_id")), user.id)


def on_socket_gone(sid: str, user_id: int) -> None:
    """Marks the user disconnected in each room this socket had joined, unless another socket remains."""
    for room_id in rooms_of(sid):
        untrack_room(sid, room_id)
        if any(room_id in rooms_of(other) for other in sids_of_user(user_id) if other != sid):
            continue
        room = db.session.get(room_service.Room, room_id)
        if room is not None:
            room_service.mark_connection(room, user_id, connected=False)

