"""The Run button's limit holds across web processes when the counters are shared (redis://)."""
from __future__ import annotations

import random

import pytest
import redis

from app import create_app
from app.errors import TooManyRequests
from app.services.judging import check_run_limit
from tests.services_env import REDIS_URL, unavailable


def web_process(tmp_path, storage_url: str):
    """An app as one web process builds it (no database needed for counting)."""
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40,
                       "JWT_SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "KAFKA_BOOTSTRAP_SERVERS": "", "SOCKETIO_MESSAGE_QUEUE": "", "SANDBOX_DATABASE_URL": "",
                       "RATE_LIMIT_STORAGE_URL": storage_url, "RATE_LIMIT_ATTEMPTS": (3, 60)})


def runs_allowed(apps, user_id: int, tries: int) -> int:
    allowed = 0
    for n in range(tries):
        with apps[n % len(apps)].app_context():
            try:
                check_run_limit(user_id)
                allowed += 1
            except TooManyRequests as exc:
                assert "runs per 60 s" in exc.message
    return allowed


def test_two_processes_share_the_run_limit(tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        unavailable(f"Redis at {REDIS_URL}")
    apps = [web_process(tmp_path / str(n), REDIS_URL) for n in range(2)]
    assert runs_allowed(apps, random.randrange(10**9, 10**12), tries=8) == 3


@pytest.mark.parametrize("processes", [1, 2])
def test_memory_counters_are_per_process(tmp_path, processes):
    """The control: memory:// counts per process, so two processes allow the limit twice."""
    apps = [web_process(tmp_path / str(n), "memory://") for n in range(processes)]
    assert runs_allowed(apps, 7, tries=8) == 3 * processes
