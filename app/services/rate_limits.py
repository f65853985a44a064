"""Counters shared by every process: the `limits` library on RATE_LIMIT_STORAGE_URL.

memory:// counts per process (one web process, tests); redis://… shares the counters between web
processes, so N processes still allow the limit once, not N times. Login failures
(login_guard) and the Run button (judging) both count here.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION_KEY = "sqlarena.rate_limits"


def init_app(app: Flask) -> None:
    """Each app gets its own counters (tests build several apps in one process)."""
    app.extensions[EXTENSION_KEY] = MovingWindowRateLimiter(storage_from_string(app.config["RATE_LIMIT_STORAGE_URL"]))


def limiter() -> MovingWindowRateLimiter:
    return current_app.extensions[EXTENSION_KEY]


def limit(setting: str) -> RateLimitItemPerSecond:
    """The (count, window seconds) of a config setting as a moving-window limit."""
    count, window_s = current_app.config[setting]
    return RateLimitItemPerSecond(count, window_s)


def retry_after_s(item: RateLimitItemPerSecond, *key: str) -> int:
    """Seconds until the oldest hit of this key leaves the window (at least 1)."""
    return max(1, math.ceil(limiter().get_window_stats(item, *key).reset_time - time.time()))


def reset() -> None:
    """Forgets every counter of the current app (tests, and an operator's escape hatch)."""
    limiter().storage.reset()
