"""Every knob of the judge in one frozen object (the Flask config maps onto it)."""
from __future__ import annotations

from dataclasses import dataclass

from app.limits import LIMITS


@dataclass(frozen=True)
class JudgeSettings:
    max_rows: int = 10000            # row cap per query: more is OUTPUT_LIMIT_EXCEEDED
    timing_runs: int = 3             # execution_ms is the median of this many runs
    max_query_chars: int = LIMITS.query_chars   # the gate refuses longer queries
    dataset_cache_size: int = 256    # loaded datasets kept per engine (LRU)
    watchdog_grace_ms: int = 500     # client-side cancel this long after the time limit
    pg_work_mem: str = "16MB"        # per sandbox query (PostgreSQL)
    pg_temp_file_limit: str = "256MB"
    max_result_bytes: int = 8 * 1024 * 1024     # a bigger result is OUTPUT_LIMIT_EXCEEDED
    max_dataset_bytes: int = 64 * 1024 * 1024   # a challenge's datasets together, as loaded
    dataset_cache_bytes: int = 512 * 1024 * 1024  # cached SQLite datasets per process, all threads together
    max_value_chars: int = LIMITS.result_value_chars   # every stored or returned value is cut to this (SPEC 9.7)
