"""Who each connected socket is (per process; a socket lives in one). Which rooms a socket is in is kept
in the app database instead (services.room_presence), so presence holds across processes."""
from __future__ import annotations

import threading

from app.errors import Unauthorized

_users: dict[str, tuple[int, str]] = {}
_lock = threading.Lock()


def remember(sid: str, user_id: int, role: str) -> None:
    with _lock:
        _users[sid] = (user_id, role)


def forget(sid: str) -> tuple[int, str] | None:
    with _lock:
        return _users.pop(sid, None)


def connected_user(sid: str) -> tuple[int, str]:
    with _lock:
        found = _users.get(sid)
    if found is None:
        raise Unauthorized("not connected")
    return found
