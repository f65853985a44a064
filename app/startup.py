"""What a serving process does before it accepts requests: schema, first admin, demo data, judge loops."""
from __future__ import annotations

from typing import Callable

from flask import Flask
from flask_migrate import upgrade

from app.extensions import judging
from app.services import seed
from app.services.room_clock import start_room_clock


def prepare(app: Flask, announce: Callable[[str], None]) -> None:
    with app.app_context():
        if app.config["AUTO_MIGRATE"]:
            upgrade()
        email = app.config["FIRST_ADMIN_EMAIL"]
        password = seed.ensure_first_admin(email, app.config["FIRST_ADMIN_PASSWORD"])
        if password:
            announce(f"first admin created: {email} / {password}  (shown once; change it)")
        if app.config["SEED_DEMO"]:
            added = seed.seed_demo()
            if added:
                announce(f"demo challenges loaded: {added}")
    service = judging.of(app)
    threads = app.config["JUDGE_THREADS"] if app.config["JUDGE_IN_PROCESS"] else 0
    service.start(judge_threads=threads, recorder=True, sweeper=True)
    start_room_clock(app, service.stop_event)
