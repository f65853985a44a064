"""Who each connected socket is and which rooms it joined (per process; a socket lives in one)."""
from __future__ import annotations

import threading

from app.errors import Unauthorized

_users: dict[str, tuple[int, str]] = {}
_rooms: dict[str, set[int]] = {}
_lock = threading.Lock()


def remember(sid: str, user_id: int, role: str) -> None:
    with _lock:
        _users[sid] = (user_id, role)
        _rooms[sid] = set()


def forget(sid: str) -> tuple[int, str] | None:
    with _lock:
        _rooms.pop(sid, None)
        return _users.pop(sid, None)


def connected_user(sid: str) -> tuple[int, str]:
    with _lock:
        found = _users.get(sid)
    if found is None:
        raise Unauthorized("not connected")
    return found


def track_room(sid: str, room_id: int) -> None:
    with _lock:
        _rooms.setdefault(sid, set()).add(room_id)


def untrack_room(sid: str, room_id: int) -> None:
    with _lock:
        _rooms.get(sid, set()).discard(room_id)


def rooms_of(sid: str) -> set[int]:
    with _lock:
        return set(_rooms.get(sid, set()))


def sids_of_user(user_id: int) -> list[str]:
    with _lock:
        return [sid for sid, (uid, _role) in _users.items() if uid == user_id]
