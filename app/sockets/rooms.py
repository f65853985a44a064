"""Room events from clients: join, ready, start, leave, announce, kick, ask, answer (thin: services do the work)."""
from __future__ import annotations

from flask import request
from flask_socketio import join_room, leave_room

from app.extensions import db, socketio
from app.models import User
from app.services import live, room_presence, room_questions
from app.services import rooms as room_service
from app.sockets import payload as read
from app.sockets.channels import acked
from app.sockets.session import connected_user


def caller() -> User:
    user_id, _role = connected_user(request.sid)
    return db.session.get(User, user_id)


def room_from(payload: dict):
    return room_service.get_room(read.identifier(payload, "room_id"))


def enter(room_id: int, user_id: int) -> None:
    """This socket joins the room's broadcast channel and its own member channel (see services.live)."""
    join_room(live.room_channel(room_id))
    join_room(live.member_channel(room_id, user_id))


def exit_room(room_id: int, user_id: int) -> None:
    leave_room(live.room_channel(room_id))
    leave_room(live.member_channel(room_id, user_id))
    room_presence.depart(request.sid, room_id)


@socketio.on("room.join")
@acked
def on_room_join(payload: dict):
    room, user = room_from(payload), caller()
    room_service.join(room, user)
    enter(room.id, user.id)
    room_presence.arrive(room, user.id, request.sid)
    room_service.mark_connection(room, user.id, connected=True)
    db.session.commit()
    return room_service.room_view(room, user.id)


@socketio.on("room.ready")
@acked
def on_room_ready(payload: dict):
    ready = read.flag(payload, "ready", default=True)
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
    exit_room(room.id, user.id)
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
    target_id = read.identifier(payload, "user_id")
    return room_service.room_view(room_service.kick(room, user, target_id), user.id)


@socketio.on("room.ask")
@acked
def on_room_ask(payload: dict):
    room, user = room_from(payload), caller()
    return room_questions.ask(room, user, payload.get("text"))


@socketio.on("room.answer")
@acked
def on_room_answer(payload: dict):
    room, user = room_from(payload), caller()
    question_id = read.identifier(payload, "question_id")
    public = read.flag(payload, "public", default=False)
    return room_questions.answer(room, user, question_id, payload.get("text"), public)


def on_socket_gone(sid: str, user_id: int) -> None:
    """Marks the user disconnected in each room this socket had joined, unless another of their sockets
    (in this or any other web process) is still there."""
    for room_id, _user_id in room_presence.depart(sid):
        room = db.session.get(room_service.Room, room_id)
        if room is not None and not room_presence.present(room_id, user_id):
            room_service.mark_connection(room, user_id, connected=False)
    db.session.commit()
