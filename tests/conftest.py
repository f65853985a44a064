"""Fixtures: the app on SQLite and PostgreSQL, clients, users and challenges (tests mirror the package)."""
from __future__ import annotations

import itertools
import time

import pytest
from sqlalchemy import text

from tests.helpers import challenge_body
from tests.services_env import PG_ADMIN_URL, PG_APP_DB, ensure_pg_database, in_ci, pg_url, unavailable

pytest_plugins = ["tests.broker"]

APP_BACKENDS = ["sqlite", "postgresql"]


def base_overrides(tmp_path_factory, backend: str) -> dict:
    instance = tmp_path_factory.mktemp(f"instance-{backend}")
    url = f"sqlite:///{instance / 'app.db'}" if backend == "sqlite" else pg_url(PG_APP_DB)
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-with-enough-length-for-hs256",
        "JWT_SECRET_KEY": "test-secret-key-with-enough-length-for-hs256",
        "SQLALCHEMY_DATABASE_URI": url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATE_LIMIT_ATTEMPTS": (1000, 60),
        "SUBMISSION_QUOTA_PER_DAY": 1000,
        "JUDGE_THREADS": 2,
        "JUDGE_TIMING_RUNS": 1,
        "KAFKA_BOOTSTRAP_SERVERS": "",
        "SOCKETIO_MESSAGE_QUEUE": "",
        "SANDBOX_DATABASE_URL": PG_ADMIN_URL,   # connected lazily, on the first postgresql challenge
        "SEED_DEMO": False,
        "LOG_LEVEL": "WARNING",
    }


def reset_schema(app) -> None:
    """Drops everything and rebuilds it through the migrations (so they are tested on both databases)."""
    from flask_migrate import upgrade

    from app.extensions import db
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


def settle_judging(app, timeout_s: float = 15.0) -> None:
    """Lets the in-process judge finish what a test queued, so clearing never races the recorder."""
    from app.extensions import db
    from app.models import Attempt
    deadline = time.monotonic() + timeout_s
    with app.app_context():
        while time.monotonic() < deadline:
            pending = db.session.execute(db.select(db.func.count()).select_from(Attempt).where(
                Attempt.status.in_(("QUEUED", "RUNNING")))).scalar_one()
            db.session.remove()
            if not pending:
                return
            time.sleep(0.05)


def clear_tables(app) -> None:
    from sqlalchemy.exc import OperationalError

    from app.extensions import db
    settle_judging(app)
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        for attempt in range(5):
            try:
                with db.engine.begin() as conn:
                    if db.engine.dialect.name == "postgresql":
                        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                    else:
                        for name in tables:
                            conn.execute(text(f"DELETE FROM {name}"))
                return
            except OperationalError:   # a late recorder write; try again
                if attempt == 4:
                    raise
                time.sleep(0.2)


@pytest.fixture(scope="session", params=APP_BACKENDS)
def app(request, tmp_path_factory):
    backend = request.param
    if backend == "postgresql":
        error = ensure_pg_database(PG_APP_DB)
        if error:
            unavailable(f"PostgreSQL for the app database: {error}")
    from app import create_app
    application = create_app(base_overrides(tmp_path_factory, backend))
    reset_schema(application)
    from app.extensions import judging as judging_extension
    judging = judging_extension.of(application)
    judging.start(judge_threads=2, recorder=True, sweeper=False)
    from app.services.room_clock import start_room_clock
    start_room_clock(application, judging.stop_event)
    yield application
    judging.stop()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Each test starts with empty tables and the session's config (tests may tweak limits)."""
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    saved = dict(app.config) if app is not None else None
    yield
    if app is not None:
        app.config.clear()
        app.config.update(saved)
        clear_tables(app)


@pytest.fixture
def client(app):
    return app.test_client()


_emails = itertools.count(1)


@pytest.fixture
def make_user(app, client):
    """make_user(role="player") → {"user", "headers", "access_token", "refresh_token", "password"}."""
    def make(role: str = "player", full_name: str | None = None) -> dict:
        n = next(_emails)
        email, password = f"user{n}-{role}@example.com", f"pw-{n}-secret"
        name = full_name or f"{role.title()} {n}"
        if role == "player":
            response = client.post("/api/register", json={"email": email, "full_name": name, "password": password})
            assert response.status_code == 201, response.get_json()
        else:
            from app.services import users as user_service
            with app.app_context():
                user_service.create_user(email, name, password, role)
        login = client.post("/api/login", json={"email": email, "password": password}).get_json()["data"]
        return {**login, "password": password, "headers": {"Authorization": f"Bearer {login['access_token']}"}}
    return make


@pytest.fixture
def make_challenge(client):
    def make(owner: dict, **overrides) -> dict:
        response = client.post("/api/challenges", json=challenge_body(**overrides), headers=owner["headers"])
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]
    return make


@pytest.fixture
def wait_judged(client):
    """Polls an attempt until it is COMPLETED or FAILED (generous bound; not a timing assertion)."""
    def wait(attempt_id: int, headers: dict, timeout_s: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            data = client.get(f"/api/attempts/{attempt_id}", headers=headers).get_json()["data"]
            if data["status"] in ("COMPLETED", "FAILED"):
                return data
            time.sleep(0.02)
        raise AssertionError(f"attempt {attempt_id} not judged within {timeout_s} s: {data}")
    return wait


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skipped test is a failure: every service the suite needs must be there."""
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run every test: {report.longrepr}"
