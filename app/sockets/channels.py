"""Connection auth and channel subscriptions (`attempt:`, `challenge:`, `user:`)."""
from __future__ import annotations

import functools
import logging

from flask import request
from flask_jwt_extended import decode_token
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from app.errors import NotFound, error_envelope
from app.extensions import db, socketio
from app.models import Attempt, Challenge, User
from app.services import challenges as challenge_service, leaderboard, permissions, sessions
from app.sockets import payload as read
from app.sockets.session import connected_user, forget, remember

log = logging.getLogger("sqlarena.sockets")


def acked(handler):
    """Wraps a handler so it always answers with the API envelope, errors included (a payload that is
    not an object, or extra arguments, included)."""
    @functools.wraps(handler)
    def wrapper(payload=None, *_extra):
        try:
            data = handler(read.as_object(payload))
            return {"status": "success", "data": data}
        except Exception as exc:  # every failure becomes an error ack
            db.session.rollback()
            body, _code = error_envelope(exc)
            return body
        finally:
            db.session.remove()
    return wrapper


def lifecycle_only(handler):
    """For the connect and disconnect handlers: python-socketio also hands them a client's *event*
    of that name (a client may emit "connect" or "disconnect" like any event). A real connect or
    disconnect runs while the socket is still connecting or already leaving; a client's event only
    reaches a socket that is fully connected (python-socketio's pending states tell them apart;
    this holds because `always_connect` stays off). Such an event does nothing."""
    @functools.wraps(handler)
    def wrapper(*args):
        if socketio.server.manager.is_connected(request.sid, request.namespace or "/"):
            log.warning("ignored a client event named %r (reserved) sid=%s", handler.__name__, request.sid)
            return None
        return handler(*args)
    return wrapper


@socketio.on("connect")
@lifecycle_only
def on_connect(auth=None):
    token = (auth or {}).get("token") if isinstance(auth, dict) else None
    if not token:
        raise ConnectionRefusedError("authentication required")
    try:
        claims = decode_token(token)
        if claims.get("type") != "access" or not sessions.is_live(claims):
            raise ValueError("not a live access token")
        user = db.session.get(User, int(claims["sub"]))
    except Exception:  # every token problem refuses the connection
        raise ConnectionRefusedError("invalid token") from None
    finally:
        db.session.remove()
    if user is None:
        raise ConnectionRefusedError("invalid token")
    remember(request.sid, user.id, user.role)
    join_room(f"user-sockets:{user.id}")


@socketio.on("disconnect")
@lifecycle_only
def on_disconnect(*_args):
    from app.sockets.rooms import on_socket_gone
    sid = request.sid
    try:
        user_id, _role = connected_user(sid)
        on_socket_gone(sid, user_id)
    except Exception:  # a disconnect must always complete
        db.session.rollback()
    finally:
        forget(sid)
        db.session.remove()


def authorise_channel(kind: str, target_id: int) -> None:
    user_id, _role = connected_user(request.sid)
    viewer = db.session.get(User, user_id)
    if kind == "attempt":
        attempt = db.session.get(Attempt, target_id)
        if attempt is None:
            raise NotFound("attempt not found")
        permissions.require(attempt.user_id == user_id or permissions.is_admin(viewer), "not your attempt")
    elif kind == "user":
        permissions.require(permissions.is_self_or_admin(target_id, viewer), "not your channel")
    else:
        challenge_service.get_challenge(target_id, viewer)


@socketio.on("subscribe")
@acked
def on_subscribe(payload: dict):
    kind, target_id = read.channel(payload)
    authorise_channel(kind, target_id)
    channel = f"{kind}:{target_id}"
    join_room(channel)
    if kind == "challenge":
        board = leaderboard.board(db.session.get(Challenge, target_id))
        socketio.emit("leaderboard.snapshot", {"challenge_id": target_id, "entries": board["entries"]},
                      to=request.sid)
    return {"channel": channel}


@socketio.on("unsubscribe")
@acked
def on_unsubscribe(payload: dict):
    kind, target_id = read.channel(payload)
    channel = f"{kind}:{target_id}"
    leave_room(channel)
    return {"channel": channel}
