"""Where the test services live, and the rule that under CI a missing service is a failure."""
from __future__ import annotations

import os

import pytest

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_APP_DB = os.environ.get("TEST_PG_APP_DB", "sqlarena_test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


def unavailable(reason: str):
    """Skips the test, except under CI, where a missing service fails it."""
    if in_ci():
        pytest.fail(f"required test service unavailable under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def pg_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


def ensure_pg_database(database: str) -> str | None:
    """Creates the database if missing; returns an error string when PostgreSQL is unreachable."""
    try:
        import psycopg2
        conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except Exception as exc:  # unreachable server: reported to the caller
        return str(exc).strip()
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{database}"')
    finally:
        conn.close()
    return None
