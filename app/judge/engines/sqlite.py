"""The SQLite sandbox: datasets built once and cached as bytes, queries on private read-only copies.

Walls, each verified (PITFALLS): the query gate upstream; `PRAGMA query_only`;
runtime limits (no ATTACH, bounded string/blob length and expression depth);
an authorizer that allows only reads and functions on an allow-list (so
`load_extension`, `fts3_tokenizer`, `readfile`, `pragma_*` table functions and
`VACUUM INTO` are refused); and a progress handler that stops the query at
its time limit from inside SQLite.

Each judge thread keeps its own deserialized copy per dataset. Because nothing
on that copy can write, the copy is reused across evaluations, so judging a
case costs the query's own time plus a few microseconds.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from typing import Hashable, Optional

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.common import DatasetKeys, dataset_memo, run_timed
from app.judge.events import TestCaseSpec
from app.judge.results import Execution, ResultSet
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED

log = logging.getLogger("sqlarena.judge.sqlite")

PROGRESS_STEPS = 1000               # VM instructions between deadline checks
LOAD_TIME_LIMIT_S = 30.0
MAX_VALUE_BYTES = 10 * 1024 * 1024  # longest string or blob a query or loader may build
MAX_DATASET_BYTES = 256 * 1024 * 1024
CONNECTIONS_PER_THREAD = 32

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


def dataset_key(init: str, data: Optional[str]) -> str:
    """Content address of a dataset: any change to init or data is a new dataset."""
    return DatasetKeys().key(init, data)


def apply_limits(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 500)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 500)
    conn.setlimit(sqlite3.SQLITE_LIMIT_FUNCTION_ARG, 100)


class Deadline:
    """The progress handler's clock: `arm` before each statement, SQLite checks it while running."""

    def __init__(self):
        self.at = float("inf")

    def arm(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def expired(self) -> int:
        return 1 if time.monotonic() > self.at else 0


class _Sandbox:
    """A private read-only copy of one dataset, owned by one thread."""

    def __init__(self, image: bytes):
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self.conn.deserialize(image)
        self.conn.execute("PRAGMA query_only = ON")
        apply_limits(self.conn)
        self.conn.set_authorizer(query_authorizer)
        self.deadline = Deadline()
        self.conn.set_progress_handler(self.deadline.expired, PROGRESS_STEPS)

    def close(self) -> None:
        self.conn.close()


class SqliteEngine:
    name = "sqlite"
    dialect = "sqlite"

    def __init__(self, settings: JudgeSettings):
        self.settings = settings
        self._images: "OrderedDict[str, bytes]" = OrderedDict()
        self._images_lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._local = threading.local()
        self.keys = DatasetKeys()
        self.datasets_built = 0

    # -- datasets -----------------------------------------------------------
    def dataset_image(self, init: str, data: Optional[str], memo: Optional[Hashable] = None) -> tuple[str, bytes]:
        """The serialized dataset, built at most once per content (concurrent callers wait)."""
        key = self.keys.key(init, data, memo)
        with self._images_lock:
            if key in self._images:
                self._images.move_to_end(key)
                return key, self._images[key]
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            with self._images_lock:
                if key in self._images:
                    return key, self._images[key]
            image = build_dataset(init, data)
            with self._images_lock:
                self._images[key] = image
                self._building.pop(key, None)
                self.datasets_built += 1
                while len(self._images) > self.settings.dataset_cache_size:
                    self._images.popitem(last=False)
            return key, image

    def _sandbox(self, init: str, data: Optional[str], memo: Optional[Hashable] = None) -> _Sandbox:
        key, image = self.dataset_image(init, data, memo)
        pool: "OrderedDict[str, _Sandbox]" = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = OrderedDict()
        sandbox = pool.get(key)
        if sandbox is None:
            sandbox = pool[key] = _Sandbox(image)
            while len(pool) > CONNECTIONS_PER_THREAD:
                pool.popitem(last=False)[1].close()
        pool.move_to_end(key)
        return sandbox

    # -- Engine protocol --------------------------------------------------------
    def execute(self, challenge_version: str, init: str, case: TestCaseSpec, query: str,
                time_limit_ms: int, max_rows: int, timing_runs: int = 1) -> Execution:
        try:
            sandbox = self._sandbox(init, case.data, memo=dataset_memo(challenge_version, init, case))
        except ChallengeInvalid as exc:
            return Execution(verdict=RUNTIME_ERROR, error=f"the test data did not load: {exc}")
        return run_timed(lambda: _run_once(sandbox, query, time_limit_ms, max_rows), timing_runs)

    def validate(self, init: str, cases: list[TestCaseSpec], solution: str, time_limit_ms: int) -> None:
        if not cases:
            build_dataset(init, None)
        for case in cases:
            try:
                sandbox = self._sandbox(init, case.data)
            except ChallengeInvalid as exc:
                raise ChallengeInvalid(f"test case {case.id}: {exc}") from None
            outcome = _run_once(sandbox, solution, time_limit_ms, self.settings.max_rows)
            if outcome.verdict:
                raise ChallengeInvalid(f"test case {case.id}: the solution failed: {outcome.error}")

    def health(self) -> Optional[str]:
        return None

    def close(self) -> None:
        pool = getattr(self._local, "pool", None)
        while pool:
            pool.popitem()[1].close()


def build_dataset(init: str, data: Optional[str]) -> bytes:
    """Runs init then the case's data on a fresh database under the loader walls; returns its bytes."""
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {MAX_DATASET_BYTES // page_size}")
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
                message = "took too long to load" if _interrupted(exc) else engine_message(exc)
                raise ChallengeInvalid(f"{label}: {message}") from None
            except (MemoryError, OverflowError, ValueError) as exc:
                raise ChallengeInvalid(f"{label}: {type(exc).__name__}: {exc}") from None
        if conn.in_transaction:
            conn.execute("COMMIT")
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 0)
        return conn.serialize()
    finally:
        conn.close()


def _run_once(sandbox: _Sandbox, query: str, time_limit_ms: int, max_rows: int) -> Execution:
    sandbox.deadline.arm(time_limit_ms / 1000.0)
    started = time.perf_counter()
    try:
        cursor = sandbox.conn.execute(query)
        rows = cursor.fetchmany(max_rows + 1)
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        columns = [d[0] for d in cursor.description or ()]
        cursor.close()
    except sqlite3.Error as exc:
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        if _interrupted(exc):
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=round(elapsed_ms, 3),
                             error=f"time limit of {time_limit_ms} ms exceeded")
        return Execution(verdict=RUNTIME_ERROR, execution_ms=round(elapsed_ms, 3), error=engine_message(exc))
    except (MemoryError, OverflowError, ValueError) as exc:
        return Execution(verdict=RUNTIME_ERROR, error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        sandbox.deadline.arm(float("inf"))
        if sandbox.conn.in_transaction:
            sandbox.conn.execute("ROLLBACK")
    if len(rows) > max_rows:
        return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=round(elapsed_ms, 3),
                         error=f"the query returned more than {max_rows} rows")
    return Execution(result=ResultSet(columns, [tuple(r) for r in rows]), execution_ms=round(elapsed_ms, 3),
                     timings_ms=[elapsed_ms])


def _interrupted(exc: sqlite3.Error) -> bool:
    return "interrupted" in str(exc).lower()


def engine_message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    return message[:500]
