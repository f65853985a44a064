"""The SQLite sandbox: datasets built once and cached as bytes, queries on private read-only copies.

Walls, each verified (PITFALLS): the query gate upstream; `PRAGMA query_only`;
runtime limits (no ATTACH, bounded string/blob length and expression depth);
an authorizer that allows only reads and functions on an allow-list (so
`load_extension`, `fts3_tokenizer`, `readfile`, `pragma_*` table functions and
`VACUUM INTO` are refused); and a progress handler that stops the query at
its time limit from inside SQLite.

Memory is bounded twice (PITFALLS "SQLite memory is per copy"): a challenge's
datasets together may hold at most `max_dataset_bytes`, enforced by SQLite
while they load (`max_page_count`), and everything kept in memory — serialized
images and deserialized copies, idle or in use — fits `dataset_cache_bytes`
whatever the number of judge threads. Because nothing on a copy can write, a
copy is reused across evaluations, so judging a case costs the query's own
time plus a few microseconds.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Hashable, Iterator, Optional

from cachetools import LRUCache

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.common import DatasetKeys, dataset_memo, fetch_bounded, run_timed
from app.judge.engines.samples import TableSample
from app.judge.events import TestCaseSpec
from app.judge.results import Execution, ResultSet
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED

log = logging.getLogger("sqlarena.judge.sqlite")

PROGRESS_STEPS = 1000               # VM instructions between deadline checks
EXACT_STEPS = 4096                  # queries up to this many VM steps are counted exactly
COST_STEPS = 16                     # beyond it, the count's granularity
COST_TIME_FACTOR = 3.0              # the counting run may take this many time limits (it runs ~1.7x slower)
LOAD_TIME_LIMIT_S = 30.0
MAX_VALUE_BYTES = 10 * 1024 * 1024  # longest string or blob a query or loader may build
COPY_OVERHEAD_BYTES = 64 * 1024     # a deserialized copy's connection, schema and statement cache
CONCURRENT_BUILDS = 4               # datasets being loaded at once that the heap limit allows for
HEAP_HEADROOM_BYTES = 256 * 1024 * 1024

ALLOWED_FUNCTIONS = frozenset("""
abs char coalesce concat concat_ws format glob hex ifnull iif instr length like likelihood likely lower
ltrim max min nullif octet_length printf quote random randomblob replace round rtrim sign soundex
sqlite_version substr substring trim typeof unhex unicode unlikely upper zeroblob
avg count group_concat string_agg sum total
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
date time datetime julianday unixepoch strftime timediff
acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi
pow power radians sin sinh sqrt tan tanh trunc
json json_array json_array_length json_extract json_insert json_object json_patch json_remove json_replace
json_set json_type json_valid json_quote json_group_array json_group_object json_each json_tree
jsonb jsonb_array jsonb_extract jsonb_insert jsonb_object jsonb_patch jsonb_remove jsonb_replace jsonb_set
jsonb_group_array jsonb_group_object generate_series
""".split())

QUERY_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, getattr(sqlite3, "SQLITE_RECURSIVE", 33)})
LOADER_DENIED_ACTIONS = frozenset({sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH, sqlite3.SQLITE_PRAGMA})


def query_authorizer(action: int, arg1, arg2, db_name, trigger) -> int:
    """Allow-list: reads, recursion and known-safe functions; everything else is denied."""
    if action in QUERY_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() in ALLOWED_FUNCTIONS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def loader_authorizer(action: int, arg1, arg2, db_name, trigger) -> int:
    """init and test data may create and fill tables, but not reach files, pragmas or unsafe functions."""
    if action in LOADER_DENIED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() not in ALLOWED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class DatasetTooBig(ChallengeInvalid):
    """Loading passed its byte budget (SQLite stopped it: the pages were never allocated)."""


def dataset_key(init: str, data: Optional[str]) -> str:
    """Content address of a dataset: any change to init or data is a new dataset."""
    return DatasetKeys().key(init, data)


def apply_limits(conn: sqlite3.Connection, max_value_bytes: int = MAX_VALUE_BYTES) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
    conn.setlimit(sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 500)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 500)
    conn.setlimit(sqlite3.SQLITE_LIMIT_FUNCTION_ARG, 100)


def raise_heap_limit(settings: JudgeSettings) -> int:
    """Makes SQLite fail with MemoryError rather than exhaust the machine: a row of 2,000 values of
    8 MB each is within every per-value limit. The limit is per process (PITFALLS), so it only ever
    rises here (an engine with small bounds never lowers it for another) and allows for the cached
    copies, a few datasets loading and working memory. Returns the limit in force."""
    wanted = settings.dataset_cache_bytes + CONCURRENT_BUILDS * settings.max_dataset_bytes + HEAP_HEADROOM_BYTES
    conn = sqlite3.connect(":memory:")
    try:
        current = conn.execute("PRAGMA hard_heap_limit").fetchone()[0]
        if 0 < current and current >= wanted:
            return current
        return conn.execute(f"PRAGMA hard_heap_limit = {int(wanted)}").fetchone()[0]
    finally:
        conn.close()


class Deadline:
    """The progress handler's clock: `arm` before each statement, SQLite checks it while running."""

    def __init__(self):
        self.at = float("inf")

    def arm(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def expired(self) -> int:
        return 1 if time.monotonic() > self.at else 0


class StepCounter:
    """Counts VM steps for `cost` (SPEC 9.5) as the progress handler of a separate counting run.

    Why this way: Python's sqlite3 exposes no statement counters, so the only way to count steps is a
    progress handler, and a Python callback costs far more than a VM step (one on every step makes a
    query 12-17x slower, one every 16 steps ~1.7x). The timed runs keep the cheap 1,000-step deadline
    handler, so their times are unchanged; the count is one more run after them:
    - first with `period` 1, exact, for at most EXACT_STEPS steps (tiny queries, where FE races are
      decided, differ by a few steps);
    - a query that passes EXACT_STEPS is counted again with `period` COST_STEPS: SQLite calls the
      handler once per 16 steps (checked at loop boundaries), so the cost is its steps rounded down
      to a multiple of 16, a relative error under 0.4 %.
    Which pass applies depends on the step count only, so the same query on the same data and SQLite
    version costs the same in every run and process. Both passes together are bounded by
    COST_TIME_FACTOR time limits (the query already passed the timed runs within one); a count that
    would take longer is TIME_LIMIT_EXCEEDED, so cost only ever counts work done within the limit."""

    def __init__(self, deadline: Deadline, period: int):
        self.period = period
        self.calls = 0
        self.over = False        # the exact pass stopped at EXACT_STEPS
        self._deadline = deadline

    @property
    def steps(self) -> int:
        return self.calls * self.period

    def __call__(self) -> int:
        self.calls += 1
        if self.period == 1 and self.calls > EXACT_STEPS:
            self.over = True
            return 1
        if self.calls & 63:      # the clock is read every 64 calls
            return 0
        return self._deadline.expired()


class _Sandbox:
    """A private read-only copy of one dataset, used by one thread at a time (checked out of the cache)."""

    def __init__(self, image: bytes, max_value_bytes: int):
        self.size = copy_bytes(image)
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        if image:
            self.conn.deserialize(image)
        self.conn.execute("PRAGMA query_only = ON")
        apply_limits(self.conn, max_value_bytes)
        self.conn.set_authorizer(query_authorizer)
        self.deadline = Deadline()
        self.conn.set_progress_handler(self.deadline.expired, PROGRESS_STEPS)

    def close(self) -> None:
        self.conn.close()


def copy_bytes(image: bytes) -> int:
    """What a deserialized copy of `image` costs in memory: its pages plus the connection."""
    return len(image) + COPY_OVERHEAD_BYTES


def _weight(value) -> int:
    """Cache weight: an image's length, or the sum of a list of idle copies."""
    if isinstance(value, bytes):
        return len(value)
    return sum(sandbox.size for sandbox in value)


def _release(value) -> None:
    if isinstance(value, list):
        for sandbox in value:
            sandbox.close()


class _ClosingLRU(LRUCache):
    """An LRU that closes the idle copies it evicts (they are in no thread's hands while cached)."""

    def popitem(self):
        key, value = super().popitem()
        _release(value)
        return key, value


class DatasetCache:
    """All the memory the engine keeps for datasets, under one byte bound, whatever the thread count.

    One byte-weighted LRU holds serialized images (`("image", key)`) and idle copies
    (`("copies", key)` → list). A thread checks a copy out for one execution and back in; copies in
    use are counted too, and a thread that would pass the bound waits until one comes back (a thread
    holds one copy at a time, so this never deadlocks). A single dataset bigger than the bound is
    still served, alone and uncached."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._lru = _ClosingLRU(maxsize=max_bytes, getsizeof=_weight)
        self._cond = threading.Condition()
        self._in_use_bytes = 0

    @property
    def bytes_held(self) -> int:
        """Images and copies, idle or in use: what the bound promises."""
        with self._cond:
            return self._lru.currsize + self._in_use_bytes

    def image(self, key: str) -> Optional[bytes]:
        with self._cond:
            return self._lru.get(("image", key))

    def add_image(self, key: str, image: bytes) -> None:
        with self._cond:
            self._store(("image", key), image)

    @contextmanager
    def copy(self, key: str, image: bytes, max_value_bytes: int) -> Iterator[_Sandbox]:
        sandbox = self._checkout(key, image, max_value_bytes)
        try:
            yield sandbox
        finally:
            self._checkin(key, sandbox)

    def close(self) -> None:
        with self._cond:
            while self._lru:
                self._lru.popitem()

    def _checkout(self, key: str, image: bytes, max_value_bytes: int) -> _Sandbox:
        size = copy_bytes(image)
        with self._cond:
            idle = self._lru.pop(("copies", key), None)
            if idle:
                sandbox = idle.pop()
                if idle:
                    self._store(("copies", key), idle)
                self._in_use_bytes += sandbox.size
                return sandbox
            while self._lru.currsize + self._in_use_bytes + size > self.max_bytes:
                if self._lru:
                    self._lru.popitem()
                elif self._in_use_bytes:
                    self._cond.wait()
                else:
                    break   # one dataset bigger than the whole bound: served alone
            self._in_use_bytes += size
        try:
            return _Sandbox(image, max_value_bytes)
        except BaseException:
            self._give_back(size)
            raise

    def _checkin(self, key: str, sandbox: _Sandbox) -> None:
        with self._cond:
            self._in_use_bytes -= sandbox.size
            idle = self._lru.pop(("copies", key), [])
            idle.append(sandbox)
            self._store(("copies", key), idle)
            self._cond.notify_all()

    def _give_back(self, size: int) -> None:
        with self._cond:
            self._in_use_bytes -= size
            self._cond.notify_all()

    def _store(self, key: tuple, value) -> None:
        """Caches `value` if it fits beside the copies in use (evicting the least recently used)."""
        weight = _weight(value)
        while self._lru and self._lru.currsize + self._in_use_bytes + weight > self.max_bytes:
            self._lru.popitem()
        if self._lru.currsize + self._in_use_bytes + weight > self.max_bytes:
            _release(value)
            return
        self._lru[key] = value


class SqliteEngine:
    name = "sqlite"
    dialect = "sqlite"

    def __init__(self, settings: JudgeSettings):
        self.settings = settings
        self.cache = DatasetCache(settings.dataset_cache_bytes)
        self._building: dict[str, threading.Lock] = {}
        self._building_lock = threading.Lock()
        self.keys = DatasetKeys()
        self.datasets_built = 0
        # One value can never be bigger than the whole result may be.
        self.max_value_bytes = min(MAX_VALUE_BYTES, settings.max_result_bytes)
        self.heap_limit_bytes = raise_heap_limit(settings)
        self.count_cost = True   # bench/judge.py turns it off to measure what counting adds

    # -- datasets -----------------------------------------------------------
    def dataset_image(self, init: str, data: Optional[str], memo: Optional[Hashable] = None,
                      max_bytes: Optional[int] = None) -> tuple[str, bytes]:
        """The serialized dataset, built at most once per content (concurrent callers wait).
        Loading stops with ChallengeInvalid once the dataset passes `max_bytes`."""
        key = self.keys.key(init, data, memo)
        image = self.cache.image(key)
        if image is not None:
            return key, image
        with self._building_lock:
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            try:
                image = self.cache.image(key)
                if image is None:
                    image = build_dataset(init, data, self.settings.max_dataset_bytes if max_bytes is None
                                          else max_bytes)
                    self.cache.add_image(key, image)
                    self.datasets_built += 1   # under build_lock: one builder per key
            finally:
                with self._building_lock:
                    self._building.pop(key, None)
            return key, image

    # -- Engine protocol --------------------------------------------------------
    def execute(self, challenge_version: str, init: str, case: TestCaseSpec, query: str,
                time_limit_ms: int, max_rows: int, timing_runs: int = 1) -> Execution:
        try:
            key, image = self.dataset_image(init, case.data, memo=dataset_memo(challenge_version, init, case))
        except ChallengeInvalid as exc:
            return Execution(verdict=RUNTIME_ERROR, error=f"the test data did not load: {exc}",
                             error_class="DATASET_NOT_LOADED")
        with self.cache.copy(key, image, self.max_value_bytes) as sandbox:
            outcome = run_timed(lambda: _run_once(sandbox, query, time_limit_ms, max_rows,
                                                  self.settings.max_result_bytes), timing_runs)
            if outcome.verdict is None and self.count_cost:
                _count_cost(sandbox, query, outcome, time_limit_ms)
            return outcome

    def validate(self, init: str, cases: list[TestCaseSpec], solution: str, time_limit_ms: int) -> None:
        """Loads every dataset within the challenge's byte budget (together), then runs the solution."""
        budget = self.settings.max_dataset_bytes
        if not cases:
            build_dataset(init, None, budget)
        used = 0
        for case in cases:
            try:
                key, image = self.dataset_image(init, case.data, max_bytes=budget - used)
            except DatasetTooBig:
                raise ChallengeInvalid(f"test case {case.id}: {too_big_message(budget)}") from None
            except ChallengeInvalid as exc:
                raise ChallengeInvalid(f"test case {case.id}: {exc}") from None
            used += len(image)
            if used > budget:   # an image cached earlier, built against a bigger remainder
                raise ChallengeInvalid(f"test case {case.id}: {too_big_message(budget)}")
            with self.cache.copy(key, image, self.max_value_bytes) as sandbox:
                outcome = _run_once(sandbox, solution, time_limit_ms, self.settings.max_rows,
                                    self.settings.max_result_bytes)
            if outcome.verdict:
                raise ChallengeInvalid(f"test case {case.id}: the solution failed: {outcome.error}")

    def describe(self, challenge_version: str, init: str, case: TestCaseSpec, max_rows: int,
                 time_limit_ms: int) -> list[TableSample]:
        """The case's tables as loaded (creation order), read on a sandbox copy under the query walls.
        Raises ChallengeInvalid when the dataset does not load."""
        key, image = self.dataset_image(init, case.data, memo=dataset_memo(challenge_version, init, case))
        with self.cache.copy(key, image, self.max_value_bytes) as sandbox:
            return _describe(sandbox, max_rows, time_limit_ms)

    def health(self) -> Optional[str]:
        return None

    def close(self) -> None:
        self.cache.close()


def too_big_message(max_bytes: int) -> str:
    return (f"the challenge's datasets are bigger than {max_bytes // (1024 * 1024)} MB together "
            f"(JUDGE_MAX_DATASET_BYTES)")


def build_dataset(init: str, data: Optional[str], max_bytes: int) -> bytes:
    """Runs init then the case's data on a fresh database under the loader walls; returns its bytes.
    SQLite itself stops the load at `max_bytes` (main and temp pages), so memory never gets there first."""
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        max_pages = max(1, max_bytes // page_size)
        conn.execute(f"PRAGMA max_page_count = {max_pages}")
        conn.execute(f"PRAGMA temp.max_page_count = {max_pages}")
        apply_limits(conn)
        conn.set_authorizer(loader_authorizer)
        deadline = Deadline()
        conn.set_progress_handler(deadline.expired, PROGRESS_STEPS)
        for label, script in (("init", init), ("test data", data)):
            if not script or not script.strip():
                continue
            deadline.arm(LOAD_TIME_LIMIT_S)
            try:
                conn.executescript(script)
            except sqlite3.Error as exc:
                if exc.sqlite_errorcode == sqlite3.SQLITE_FULL:
                    raise DatasetTooBig(f"{label}: {too_big_message(max_bytes)}") from None
                message = "took too long to load" if _interrupted(exc) else engine_message(exc)
                raise ChallengeInvalid(f"{label}: {message}") from None
            except (MemoryError, OverflowError, ValueError) as exc:
                raise ChallengeInvalid(f"{label}: {type(exc).__name__}: {exc}") from None
        if conn.in_transaction:
            conn.execute("COMMIT")
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 0)
        empty = conn.execute("PRAGMA page_count").fetchone()[0] == 0
        return b"" if empty else conn.serialize()    # SQLite cannot serialize a database of no pages
    finally:
        conn.close()


def _run_once(sandbox: _Sandbox, query: str, time_limit_ms: int, max_rows: int, max_bytes: int) -> Execution:
    sandbox.deadline.arm(time_limit_ms / 1000.0)
    started = time.perf_counter()
    try:
        cursor = sandbox.conn.execute(query)
        executed_s = time.perf_counter() - started
        fetched = fetch_bounded(cursor, max_rows, max_bytes)
        elapsed_ms = (executed_s + fetched.seconds) * 1000.0
        columns = [d[0] for d in cursor.description or ()]
        cursor.close()
    except sqlite3.Error as exc:
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        if _interrupted(exc):
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=round(elapsed_ms, 3),
                             error=f"time limit of {time_limit_ms} ms exceeded", error_class=error_class(exc))
        return Execution(verdict=RUNTIME_ERROR, execution_ms=round(elapsed_ms, 3), error=engine_message(exc),
                         error_class=error_class(exc))
    except (MemoryError, OverflowError, ValueError) as exc:
        return Execution(verdict=RUNTIME_ERROR, error=f"{type(exc).__name__}: {exc}"[:300],
                         error_class=error_class(exc))
    finally:
        sandbox.deadline.arm(float("inf"))
        if sandbox.conn.in_transaction:
            sandbox.conn.execute("ROLLBACK")
    if fetched.over == "rows":
        return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=round(elapsed_ms, 3),
                         error=f"the query returned more than {max_rows} rows")
    if fetched.over == "bytes":
        return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=round(elapsed_ms, 3),
                         error=f"the query's result is bigger than {max_bytes // 1024} KB")
    return Execution(result=ResultSet(columns, [tuple(r) for r in fetched.rows]),
                     execution_ms=round(elapsed_ms, 3), timings_ms=[elapsed_ms])


def _describe(sandbox: _Sandbox, max_rows: int, time_limit_ms: int) -> list[TableSample]:
    """Each user table's first `max_rows` + 1 rows and its count, every statement under the time limit."""
    conn = sandbox.conn
    sandbox.deadline.arm(time_limit_ms / 1000.0)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY rowid")]
        tables = []
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            cursor = conn.execute(f"SELECT * FROM {quoted} LIMIT {int(max_rows) + 1}")
            rows = [tuple(row) for row in cursor.fetchall()]
            columns = [d[0] for d in cursor.description or ()]
            count = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
            tables.append(TableSample(name, columns, rows, count))
        return tables
    finally:
        sandbox.deadline.arm(float("inf"))
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _count_cost(sandbox: _Sandbox, query: str, outcome: Execution, time_limit_ms: int) -> None:
    """Sets `outcome.cost` from the counting run (see StepCounter); a count that passes its bound
    turns the outcome into TIME_LIMIT_EXCEEDED."""
    sandbox.deadline.arm(time_limit_ms * COST_TIME_FACTOR / 1000.0)
    try:
        counter = _count_pass(sandbox, query, 1)
        if counter.over:
            counter = _count_pass(sandbox, query, COST_STEPS)
    except (sqlite3.Error, MemoryError, OverflowError, ValueError) as exc:
        if _interrupted(exc):
            outcome.verdict = TIME_LIMIT_EXCEEDED
            outcome.error = f"time limit of {time_limit_ms} ms exceeded (while counting the query's cost)"
        else:   # it ran before, so only memory can stop it now
            outcome.verdict, outcome.error = RUNTIME_ERROR, engine_message(exc)
        outcome.result, outcome.error_class = None, error_class(exc)
        return
    finally:
        sandbox.deadline.arm(float("inf"))
        sandbox.conn.set_progress_handler(sandbox.deadline.expired, PROGRESS_STEPS)
    outcome.cost = counter.steps


def _count_pass(sandbox: _Sandbox, query: str, period: int) -> StepCounter:
    """One counting pass; an exact pass cut at EXACT_STEPS returns its counter with `over` set."""
    counter = StepCounter(sandbox.deadline, period)
    sandbox.conn.set_progress_handler(counter, period)
    try:
        # executescript prepares afresh (the statement cache would carry the step counter's phase over
        # from earlier runs) and steps through every row without converting it. The query already ran
        # through execute(), which refuses more than one statement, within the row and byte caps.
        sandbox.conn.executescript(query)
    except sqlite3.OperationalError:
        if not counter.over:
            raise
    finally:
        if sandbox.conn.in_transaction:
            sandbox.conn.execute("ROLLBACK")
    return counter


def _interrupted(exc: BaseException) -> bool:
    return "interrupted" in str(exc).lower()


def error_class(exc: BaseException) -> str:
    """The error without its message (SPEC 9.7, hidden cases): SQLite's result code name
    (`SQLITE_ERROR`, `SQLITE_AUTH`, `SQLITE_TOOBIG`…) or the Python exception class."""
    return getattr(exc, "sqlite_errorname", None) or type(exc).__name__


def engine_message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    return message[:500]
