"""The one place that knows about eventlet.

Blocking work (sqlite3 queries, CPU-heavy judging) must not run on the eventlet
hub, or the whole server freezes (PITFALLS: a 1.4 s query stalled everything
for 1.4 s). Moving to gevent or threading means changing only this module and
the monkey patch at the top of run.py.
"""
from __future__ import annotations

import sys
import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def eventlet_active() -> bool:
    """True only in a process that monkey-patched itself (run.py); never imports eventlet otherwise."""
    if "eventlet" not in sys.modules:
        return False
    from eventlet import patcher
    return patcher.is_monkey_patched("thread")


def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs `fn` in a real OS thread when under eventlet (the hub keeps serving), inline otherwise."""
    if eventlet_active():
        from eventlet import tpool
        return tpool.execute(fn, *args, **kwargs)
    return fn(*args, **kwargs)


def spawn_background(fn: Callable[..., Any], *args: Any, name: str = "sqlarena") -> Any:
    """Starts a long-lived background loop: a green thread under eventlet, a daemon thread otherwise."""
    if eventlet_active():
        import eventlet
        return eventlet.spawn(fn, *args)
    thread = threading.Thread(target=fn, args=args, name=name, daemon=True)
    thread.start()
    return thread


def sleep(seconds: float) -> None:
    if eventlet_active():
        import eventlet
        eventlet.sleep(seconds)
    else:
        import time
        time.sleep(seconds)
