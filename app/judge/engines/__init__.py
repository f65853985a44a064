"""Sandbox engines, one per SQL dialect, chosen by the challenge's `engine`."""
from __future__ import annotations

from typing import Optional

from app.judge.engines.base import ChallengeInvalid, Engine
from app.judge.settings import JudgeSettings

ENGINE_NAMES = ("sqlite", "postgresql")
DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}   # engine name -> sqlglot dialect


def build_engines(settings: JudgeSettings, sandbox_url: Optional[str]) -> dict[str, Engine]:
    """SQLite always; PostgreSQL when a sandbox database URL is configured."""
    from app.judge.engines.sqlite import SqliteEngine
    engines: dict[str, Engine] = {"sqlite": SqliteEngine(settings)}
    if sandbox_url:
        from app.judge.engines.postgres import PostgresEngine  # psycopg2 only when used
        engines["postgresql"] = PostgresEngine(sandbox_url, settings)
    return engines


__all__ = ["ChallengeInvalid", "DIALECTS", "ENGINE_NAMES", "Engine", "build_engines"]
