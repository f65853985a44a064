"""The rooms' clock: one loop per serving process that advances rooms whose time has come.

Room times live in the database, so a restarted server simply resumes
(countdowns end, rooms finish, disconnected duel players forfeit). Transitions
are atomic conditional updates, so several processes may tick at once.
"""
from __future__ import annotations

import logging

from flask import Flask

from app.concurrency import sleep, spawn_background
from app.extensions import db
from app.services import rooms

log = logging.getLogger("sqlarena.rooms")
TICK_S = 0.25


def start_room_clock(app: Flask, stop_event) -> None:
    def loop() -> None:
        while not stop_event.is_set():
            with app.app_context():
                try:
                    rooms.tick()
                except Exception:
                    log.exception("room clock tick failed")
                    db.session.rollback()
                finally:
                    db.session.remove()
            sleep(TICK_S)
    spawn_background(loop, name="room-clock")
