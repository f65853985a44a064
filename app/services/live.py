"""Publishing live events to Socket.IO channels (`attempt:<id>`, `user:<id>`, `room:<id>`, …).

Services call `publish`; with a message queue configured the event reaches
every web process. A list of channels is delivered once per socket even when
the socket is in several of them (python-socketio merges the rooms' members).
"""
from __future__ import annotations

import logging
from typing import Iterable

from app.extensions import socketio

log = logging.getLogger("sqlarena.live")


def publish(event: str, payload: dict, channels: Iterable[str]) -> None:
    targets = [c for c in dict.fromkeys(channels) if c]
    if not targets:
        return
    try:
        socketio.emit(event, payload, to=targets)
    except Exception:  # live delivery must never break judging or a request
        log.exception("could not publish %s to %s", event, targets)


def attempt_channels(attempt) -> list[str]:
    channels = [f"attempt:{attempt.id}", f"user:{attempt.user_id}"]
    if attempt.room_id is not None:
        channels.append(f"room:{attempt.room_id}")
    return channels
