"""One timed run of a query on a pooled connection: its transaction, a bounded fetch, a watchdog.

Query connections use psycopg 3. The query reaches the server only inside `DECLARE ... CURSOR FOR`,
sent with the extended query protocol, which accepts exactly one statement: a smuggled `; COMMIT;
SET ...` is refused by PostgreSQL itself ("cannot insert multiple commands into a prepared
statement"), whatever the gate thought (SPEC 9.7). psycopg2 would have sent it with the simple
protocol, where a string may hold many statements.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Callable

import psycopg
import psycopg.errors

from app.judge.engines.postgres.messages import engine_message, error_class
from app.judge.results import Execution, ResultSet
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED

log = logging.getLogger("sqlarena.judge.postgres")

FIRST_BATCH_ROWS = 2               # one huge row costs at most this many rows' worth of memory
BATCH_ROWS = 1000
MAX_BATCH_BYTES = 1024 * 1024      # later batches are sized to about this much, from the rows seen
CURSOR_NAME = "sqlarena_query"
DECLARE_PREFIX = f"DECLARE {CURSOR_NAME} NO SCROLL CURSOR FOR "
CANCEL_TIMEOUT_S = 2.0
EXPLAIN_PREFIX = "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY OFF, FORMAT JSON) "


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

    def __init__(self, settings: JudgeSettings, query: str, time_limit_ms: int, max_rows: int,
                 count_cost: bool = True):
        self.settings = settings
        self.query = query
        self.time_limit_ms = time_limit_ms
        self.max_rows = max_rows
        self.count_cost = count_cost     # the caller clears it after the first run: one count per case

    @staticmethod
    def begin(conn: psycopg.Connection, time_limit_ms: int) -> None:
        """Opens the run's READ ONLY transaction with the challenge's time limit (one round trip)."""
        conn.execute(f"BEGIN READ ONLY; SET LOCAL statement_timeout = {int(time_limit_ms)}")

    def run(self, conn: psycopg.Connection, begun: bool) -> tuple[Execution, bool]:
        """The outcome and whether `conn` may be reused."""
        timeout_error = f"time limit of {self.time_limit_ms} ms exceeded"
        if not begun:
            try:
                self.begin(conn, self.time_limit_ms)
            except psycopg.Error as exc:
                return _runtime_error(exc), False
        grace_s = self.settings.watchdog_grace_ms / 1000.0
        watchdog = Watchdog(lambda: conn.cancel_safe(timeout=CANCEL_TIMEOUT_S), self.time_limit_ms / 1000.0 + grace_s)
        fetch = BoundedFetch(self.max_rows, self.settings.max_result_bytes)
        cost = None
        try:
            columns, rows = fetch.run(conn, self.query)
            if self.count_cost and not fetch.too_large and len(rows) <= self.max_rows:
                watchdog.stop()   # the count gets its own time limit (statement_timeout is per statement)
                watchdog = Watchdog(lambda: conn.cancel_safe(timeout=CANCEL_TIMEOUT_S),
                                    self.time_limit_ms / 1000.0 + grace_s)
                cost = plan_cost(explain(conn, self.query))
        except psycopg.errors.QueryCanceled:
            watchdog.stop()
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed), error=timeout_error), \
                _rollback(conn, watchdog)
        except psycopg.Error as exc:
            watchdog.stop()
            if watchdog.fired:
                return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                                 error=timeout_error), False
            return _runtime_error(exc, position_offset=-len(DECLARE_PREFIX)), _rollback(conn, watchdog)
        except (MemoryError, OverflowError, ValueError) as exc:
            watchdog.stop()
            return Execution(verdict=RUNTIME_ERROR, error=f"{type(exc).__name__}: {exc}"[:300],
                             error_class=type(exc).__name__), False
        watchdog.stop()
        keep = _rollback(conn, watchdog)
        elapsed_ms = fetch.elapsed * 1000.0
        if fetch.too_large:
            # libpq keeps the buffer it grew for the big rows: close the connection to give it back.
            limit_mb = self.settings.max_result_bytes / (1024 * 1024)
            return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                             error=f"the result is larger than {limit_mb:g} MB"), False
        if elapsed_ms > self.time_limit_ms:
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed), error=timeout_error), keep
        if len(rows) > self.max_rows:
            return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                             error=f"the query returned more than {self.max_rows} rows"), keep
        return Execution(result=ResultSet(columns, rows), execution_ms=_ms(fetch.elapsed),
                         timings_ms=[elapsed_ms], cost=cost), keep


def explain(conn: psycopg.Connection, query: str) -> dict:
    """The executed plan of `query` in the run's own transaction (same snapshot, same walls).
    The judge's own EXPLAIN (players' EXPLAIN is refused by the gate), sent like the query itself
    with the extended protocol, so the string is still exactly one statement."""
    with conn.cursor() as cursor:
        cursor.execute(EXPLAIN_PREFIX + query, binary=True)
        document = cursor.fetchone()[0]
    if isinstance(document, (str, bytes)):
        document = json.loads(document)
    return document[0]


def plan_cost(explained: dict) -> int:
    """PostgreSQL's `cost` (SPEC 9.5): shared buffers hit + read + temp blocks read + written by the whole
    execution, plus the rows produced by every plan node (rows per loop x loops, summed over nodes,
    subplans included). Buffer counts are taken from the top node only, because PostgreSQL reports
    each node's buffers including its children's. Planning is left out (the catalog cache makes it
    vary). Hit + read does not depend on what is cached, plans do not change (statistics are taken
    once at load, parallel workers and JIT are off for the query role), so the same query on the
    same data costs the same in every run and process."""
    plan = explained["Plan"]
    blocks = sum(int(plan.get(name, 0)) for name in
                 ("Shared Hit Blocks", "Shared Read Blocks", "Temp Read Blocks", "Temp Written Blocks"))
    return blocks + _rows(plan)


def _rows(node: dict) -> int:
    own = round(float(node.get("Actual Rows", 0)) * int(node.get("Actual Loops", 1) or 0))
    return own + sum(_rows(child) for child in node.get("Plans", ()))


class BoundedFetch:
    """Declares a cursor for the query and fetches in batches sized by the rows seen so far, checking
    the size of every batch (the last one too) against `max_result_bytes`. The first batch is tiny, so
    one huge value costs one row's worth of memory for the moment it takes to refuse it.
    `elapsed` covers only DECLARE and the FETCHes (SPEC 4, Timing), not the client-side bookkeeping."""

    def __init__(self, max_rows: int, max_bytes: int):
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.elapsed = 0.0
        self.too_large = False

    def run(self, conn: psycopg.Connection, query: str) -> tuple[list[str], list[tuple]]:
        cursor = conn.cursor()
        rows: list[tuple] = []
        size = 0
        batch = FIRST_BATCH_ROWS
        started = time.perf_counter()
        try:
            # binary=True makes psycopg send this with the extended protocol (its simple-query path
            # is only for text results without parameters): one statement or an error.
            cursor.execute(DECLARE_PREFIX + query, binary=True)
            while True:
                wanted = min(batch, self.max_rows + 1 - len(rows))
                cursor.execute(f"FETCH FORWARD {wanted} FROM {CURSOR_NAME}")
                self.elapsed = time.perf_counter() - started
                chunk = cursor.fetchall()
                chunk_size = approx_size(chunk)
                size += chunk_size
                if size > self.max_bytes:
                    self.too_large = True
                    break
                rows.extend(chunk)
                if len(chunk) < wanted or len(rows) > self.max_rows:
                    break
                batch = max(1, min(BATCH_ROWS, MAX_BATCH_BYTES * len(chunk) // max(chunk_size, 1)))
                started = time.perf_counter() - self.elapsed
            return [d.name for d in cursor.description or ()], rows
        finally:
            self.elapsed = self.elapsed or (time.perf_counter() - started)
            cursor.close()


def approx_size(values) -> int:
    """Bytes a batch of rows stands for: text and binary values by length, arrays by their items,
    anything else 16."""
    size = 0
    for value in values:
        if isinstance(value, (str, bytes, memoryview)):
            size += len(value)
        elif isinstance(value, (list, tuple)):
            size += approx_size(value)
        else:
            size += 16
    return size


def _runtime_error(exc: BaseException, position_offset: int = 0) -> Execution:
    return Execution(verdict=RUNTIME_ERROR, error=engine_message(exc, position_offset=position_offset),
                     error_class=error_class(exc))


def _rollback(conn: psycopg.Connection, watchdog: Watchdog) -> bool:
    """Ends the run's transaction; a connection the watchdog touched is not reused (a late cancel)."""
    try:
        conn.execute("ROLLBACK")
    except psycopg.Error:
        return False
    return not watchdog.fired and not conn.closed


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)
