"""SQL Arena: a live SQL competition server (app factory)."""
from __future__ import annotations

import logging
import sys

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from app.config import load_config
from app.routes.common import MAX_DATABASE_ID
from app.errors import error_envelope
from app.extensions import db, judging, jwt, migrate, socketio


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` ids beyond a 64-bit column cannot exist: the route does not match (404), not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(overrides: dict | None = None) -> Flask:
    """Builds the app; `overrides` (tests) win over the environment. No I/O beyond reading config."""
    config = load_config(overrides)
    app = Flask(__name__, instance_path=config["INSTANCE_PATH"], static_folder=None)
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.update(config)
    configure_logging(app.config["LOG_LEVEL"])

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True)
    jwt.init_app(app)
    from app import security  # noqa: F401  (registers the JWT loaders)
    from app.services import rate_limits
    rate_limits.init_app(app)

    from app.routes import build_api_blueprint
    app.register_blueprint(build_api_blueprint())
    from app.webclient import register_web_client
    register_web_client(app)
    register_app_error_handlers(app)
    refuse_oversized_bodies(app)

    from app.sockets import init_sockets
    init_sockets(app)

    judging.init_app(app)

    from app.cli import register_cli
    register_cli(app)
    return app


def register_app_error_handlers(app: Flask) -> None:
    """Errors outside the Api (unknown paths, the web client) still answer with the envelope."""
    @app.errorhandler(Exception)
    def handle(exc):
        body, code = error_envelope(exc)
        return body, code


def refuse_oversized_bodies(app: Flask) -> None:
    """A declared body over MAX_CONTENT_LENGTH is 413 before any route runs, whether or not the route
    reads it (Werkzeug itself enforces the limit only when a body is read, chunked bodies included)."""
    @app.before_request
    def refuse_oversized_body():
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()


def configure_logging(level: str) -> None:
    """One line per event on stderr."""
    root = logging.getLogger("sqlarena")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)


def _migrations_dir() -> str:
    from pathlib import Path
    return str(Path(__file__).resolve().parent.parent / "migrations")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys (ON DELETE CASCADE) and WAL for the embedded SQLite app database."""
    import sqlite3
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: no fsync per commit, never corrupt
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
