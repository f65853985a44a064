"""One timed run of a query on a pooled connection: its transaction, a bounded fetch, a watchdog."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import psycopg2
import psycopg2.errors

from app.judge.engines.postgres.messages import engine_message
from app.judge.results import Execution, ResultSet
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED

log = logging.getLogger("sqlarena.judge.postgres")

FIRST_BATCH_ROWS = 10              # small first fetch, so huge rows are seen early
BATCH_ROWS = 1000
MAX_BATCH_BYTES = 4 * 1024 * 1024  # later batches are sized to about this much
MAX_RESULT_BYTES = 64 * 1024 * 1024
CURSOR_NAME = "sqlarena_query"
# psycopg2 runs a named cursor's query as `DECLARE "name" CURSOR WITHOUT HOLD FOR <query>`:
# error positions are shifted back by this much so they point into the player's query.
DECLARE_PREFIX_CHARS = len(f'DECLARE "{CURSOR_NAME}" CURSOR WITHOUT HOLD FOR ')


class Watchdog:
    """Calls `cancel` after `seconds` (the client-side wall behind statement_timeout)."""

    def __init__(self, cancel: Callable[[], None], seconds: float):
        self.fired = False
        self._cancel = cancel
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            self._cancel()
        except Exception as exc:  # the connection may be closing; nothing left to cancel
            log.debug("watchdog cancel failed: %s", exc)

    def stop(self) -> None:
        self._timer.cancel()


class TimedRun:
    """One run of the query in its own READ ONLY transaction, rolled back afterwards."""

    def __init__(self, settings: JudgeSettings, query: str, time_limit_ms: int, max_rows: int):
        self.settings = settings
        self.query = query
        self.time_limit_ms = time_limit_ms
        self.max_rows = max_rows

    @staticmethod
    def begin(conn, time_limit_ms: int) -> None:
        """Opens the run's READ ONLY transaction (set_session) with the challenge's time limit."""
        with conn.cursor() as cur:
            cur.execute("SET LOCAL statement_timeout = %s", (int(time_limit_ms),))

    def run(self, conn, begun: bool) -> tuple[Execution, bool]:
        """The outcome and whether `conn` may be reused."""
        time_limit_ms = self.time_limit_ms
        timeout_error = f"time limit of {time_limit_ms} ms exceeded"
        if not begun:
            try:
                self.begin(conn, time_limit_ms)
            except psycopg2.Error as exc:
                return Execution(verdict=RUNTIME_ERROR, error=engine_message(exc)), False
        watchdog = Watchdog(conn.cancel, time_limit_ms / 1000.0 + self.settings.watchdog_grace_ms / 1000.0)
        fetch = BoundedFetch(self.max_rows)
        try:
            columns, rows = fetch.run(conn, self.query)
        except psycopg2.errors.QueryCanceled:
            watchdog.stop()
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed), error=timeout_error), \
                _rollback(conn, watchdog)
        except psycopg2.Error as exc:
            watchdog.stop()
            if watchdog.fired:
                return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                                 error=timeout_error), False
            message = engine_message(exc, position_offset=-DECLARE_PREFIX_CHARS)
            return Execution(verdict=RUNTIME_ERROR, error=message), _rollback(conn, watchdog)
        except (MemoryError, OverflowError, ValueError) as exc:
            watchdog.stop()
            return Execution(verdict=RUNTIME_ERROR, error=f"{type(exc).__name__}: {exc}"[:300]), False
        watchdog.stop()
        keep = _rollback(conn, watchdog)
        elapsed_ms = fetch.elapsed * 1000.0
        if fetch.too_large:
            return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                             error=f"the result is larger than {MAX_RESULT_BYTES // (1024 * 1024)} MB"), keep
        if elapsed_ms > time_limit_ms:
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed), error=timeout_error), keep
        if len(rows) > self.max_rows:
            return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                             error=f"the query returned more than {self.max_rows} rows"), keep
        return Execution(result=ResultSet(columns, rows), execution_ms=_ms(fetch.elapsed),
                         timings_ms=[elapsed_ms]), keep


class BoundedFetch:
    """Runs a query through a server-side cursor and fetches in batches sized by the rows seen so far,
    so neither a billion rows nor a few huge values land in memory at once. `elapsed` covers only
    DECLARE and the FETCHes (SPEC 4, Timing), not the client-side size bookkeeping."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.elapsed = 0.0
        self.too_large = False

    def run(self, conn, query: str) -> tuple[list[str], list[tuple]]:
        cursor = conn.cursor(name=CURSOR_NAME)
        rows: list[tuple] = []
        size = 0
        batch = FIRST_BATCH_ROWS
        started = time.perf_counter()
        try:
            cursor.execute(query)
            while True:
                wanted = min(batch, self.max_rows + 1 - len(rows))
                chunk = cursor.fetchmany(wanted)
                self.elapsed = time.perf_counter() - started
                rows.extend(chunk)
                if len(chunk) < wanted or len(rows) > self.max_rows:
                    break
                chunk_size = _approx_size(chunk)
                size += chunk_size
                if size > MAX_RESULT_BYTES:
                    self.too_large = True
                    break
                batch = max(1, min(BATCH_ROWS, MAX_BATCH_BYTES * len(chunk) // max(chunk_size, 1)))
                started = time.perf_counter() - self.elapsed
            return [d[0] for d in cursor.description or ()], rows
        finally:
            self.elapsed = self.elapsed or (time.perf_counter() - started)


def _rollback(conn, watchdog: Watchdog) -> bool:
    """Ends the run's transaction; a connection the watchdog touched is not reused (a late cancel)."""
    try:
        conn.rollback()
    except psycopg2.Error:
        return False
    return not watchdog.fired and not conn.closed


def _approx_size(rows: list[tuple]) -> int:
    size = 0
    for row in rows:
        for value in row:
            size += len(value) if isinstance(value, (str, bytes, memoryview)) else 16
    return size


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)
