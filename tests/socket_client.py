"""A real python-socketio client that records every event it receives, for end-to-end tests."""
from __future__ import annotations

import threading
import time
from typing import Callable, Optional

import socketio

from tests import asyncapi


class RecordingClient:
    def __init__(self, base: str, token: str, reconnection: bool = False):
        self.base, self.token = base, token
        self.events: list[tuple[str, dict]] = []
        self._cond = threading.Condition()
        self.sio = socketio.Client(reconnection=reconnection)
        self.sio.on("*", self._record)

    def _record(self, event: str, data=None) -> None:
        with self._cond:
            self.events.append((event, data))
            self._cond.notify_all()
        asyncapi.check(event, data)      # after recording: every received event must match docs/asyncapi.yaml

    def connect(self) -> "RecordingClient":
        self.sio.connect(self.base, auth={"token": self.token}, transports=["websocket"], wait_timeout=10)
        return self

    def call(self, event: str, payload: dict, timeout: float = 15) -> dict:
        return self.sio.call(event, payload, timeout=timeout)

    def named(self, name: str) -> list[dict]:
        with self._cond:
            return [data for event, data in self.events if event == name]

    def wait_for(self, name: str, predicate: Optional[Callable[[dict], bool]] = None, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event, data in self.events:
                    if event == name and (predicate is None or predicate(data)):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [e for e, _ in self.events]
                    raise AssertionError(f"no {name} within {timeout} s; got {seen}")
                self._cond.wait(remaining)

    def disconnect(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
