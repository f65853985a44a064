"""Socket.IO: binding, auth at connect, and the event handlers (which only translate events)."""
from __future__ import annotations

from flask import Flask

from app.concurrency import eventlet_active
from app.extensions import socketio


def init_sockets(app: Flask) -> None:
    options = {
        "async_mode": "eventlet" if eventlet_active() else "threading",
        "cors_allowed_origins": app.config["CORS_ALLOWED_ORIGINS"] or None,
        "ping_interval": 10,
        "ping_timeout": 20,
    }
    queue_url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if queue_url:
        from app.sockets.kafka_manager import make_client_manager
        options["client_manager"] = make_client_manager(queue_url)
    if options["cors_allowed_origins"] == "*":
        options["cors_allowed_origins"] = "*"
    socketio.init_app(app, **options)
    from app.sockets import channels, rooms  # noqa: F401  (registers the handlers)
