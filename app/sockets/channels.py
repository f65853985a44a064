"""Connection auth and channel subscriptions (`attempt:`, `challenge:`, `user:`)."""
from __future__ import annotations

from flask import request
from flask_jwt_extended import decode_token
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from app.errors import BadRequest, Forbidden, NotFound, error_envelope
from app.extensions import db, socketio
from app.models import Attempt, Challenge, User
from app.services import challenges as challenge_service, leaderboard, sessions
from app.sockets.session import connected_user, forget, remember


def acked(handler):
    """Wraps a handler so it always answers with the API envelope, errors included."""
    def wrapper(payload=None):
        try:
            data = handler(payload if isinstance(payload, dict) else {})
            return {"status": "success", "data": data}
        except Exception as exc:  # every failure becomes an error ack
            db.session.rollback()
            body, _code = error_envelope(exc)
            return body
        finally:
            db.session.remove()
    wrapper.__name__ = handler.__name__
    return wrapper


@socketio.on("connect")
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


def channel_of(payload: dict) -> tuple[str, int]:
    channel = payload.get("channel")
    if not isinstance(channel, str) or ":" not in channel:
        raise BadRequest("'channel' must look like 'attempt:<id>', 'challenge:<id>' or 'user:<id>'")
    kind, _, raw_id = channel.partition(":")
    if kind not in ("attempt", "challenge", "user") or not raw_id.isdigit():
        raise BadRequest("unknown channel")
    return kind, int(raw_id)


def authorise_channel(kind: str, target_id: int) -> None:
    user_id, role = connected_user(request.sid)
    if kind == "attempt":
        attempt = db.session.get(Attempt, target_id)
        if attempt is None:
            raise NotFound("attempt not found")
        if attempt.user_id != user_id and role != "admin":
            raise Forbidden("not your attempt")
    elif kind == "user":
        if target_id != user_id and role != "admin":
            raise Forbidden("not your channel")
    else:
        challenge_service.get_challenge(target_id, db.session.get(User, user_id))


@socketio.on("subscribe")
@acked
def on_subscribe(payload: dict):
    kind, target_id = channel_of(payload)
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
    kind, target_id = channel_of(payload)
    channel = f"{kind}:{target_id}"
    leave_room(channel)
    return {"channel": channel}
