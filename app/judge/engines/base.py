"""The interface every sandbox engine implements (one engine per SQL dialect)."""
from __future__ import annotations

from typing import Optional, Protocol

from app.judge.events import TestCaseSpec
from app.judge.results import Execution


class ChallengeInvalid(Exception):
    """init, a test case or the solution does not load / run on the engine; message is the engine's."""


class Engine(Protocol):
    name: str          # "sqlite" | "postgresql"
    dialect: str       # sqlglot dialect name: "sqlite" | "postgres"

    def execute(
        self,
        challenge_version: str,
        init: str,
        case: TestCaseSpec,
        query: str,
        time_limit_ms: int,
        max_rows: int,
        timing_runs: int = 1,
    ) -> Execution:
        """Runs an already-gated query read-only on the case's dataset (built once, cached
        by (challenge_version, case.id)). Returns rows or a verdict (TLE/RE/OLE) with error.
        execution_ms is the median of `timing_runs` runs, measured around execute+fetch."""

    def validate(self, init: str, cases: list[TestCaseSpec], solution: str, time_limit_ms: int) -> None:
        """Raises ChallengeInvalid with the engine's error if anything fails to load or run."""

    def health(self) -> Optional[str]:
        """None when usable, else a short error string."""

    def close(self) -> None:
        ...
