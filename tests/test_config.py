"""Configuration parsing and the start-up side effects an operator sees (issue: empty values, doubled logs)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, env_bool, parse_rate

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("raw, default, expected", [
    ("", True, True), ("  ", True, True), ("", False, False),
    ("false", True, False), ("0", True, False), ("yes", False, True),
])
def test_env_bool_treats_empty_as_unset(monkeypatch, raw, default, expected):
    monkeypatch.setenv("SQLARENA_TEST_BOOL", raw)
    assert env_bool("SQLARENA_TEST_BOOL", default) is expected


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("SQLARENA_TEST_BOOL", "maybe")
    with pytest.raises(ConfigError):
        env_bool("SQLARENA_TEST_BOOL", True)


@pytest.mark.parametrize("text, expected", [
    ("30 per minute", (30, 60)), ("10 per 5 minutes", (10, 300)), ("5/second", (5, 1)), ("2 per day", (2, 86400)),
])
def test_parse_rate(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["per minute", "0 per minute", "10 per 0 minutes", "10 every minute", "ten per day"])
def test_parse_rate_refuses_nonsense(text):
    with pytest.raises(ConfigError):
        parse_rate(text)


def test_automatic_migration_does_not_double_log_lines(tmp_path):
    """alembic.ini's fileConfig used to add a second stderr handler: every line after the migration twice."""
    script = (
        "import logging\n"
        "from app import create_app\n"
        "from flask_migrate import upgrade\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "logging.getLogger('sqlarena.marker').warning('marker-line-after-migration')\n"
    )
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "", "SEED_DEMO": "false",
           "AUTO_MIGRATE": "", "KAFKA_BOOTSTRAP_SERVERS": "", "SOCKETIO_MESSAGE_QUEUE": "", "LOG_LEVEL": "INFO"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.count("marker-line-after-migration") == 1, done.stderr[-2000:]
