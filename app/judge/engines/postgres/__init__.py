"""The PostgreSQL sandbox: one database per dataset, loaded once by a loader role, queried read-only.

Three jobs, one module each: `provisioning` (roles, hardened template, dataset databases, janitor
primitives), `pool` (idle query connections per dataset), `execution` (one timed run). This module
ties them into the Engine protocol. Walls for a query, behind the single-statement gate: it logs in
as `sqlarena_query` itself (never SET ROLE), in a READ ONLY transaction with `SET LOCAL
statement_timeout`, through a server-side cursor fetched in bounded batches (row cap and byte cap),
with a client-side watchdog that cancels the backend at the time limit plus a grace period.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Hashable, Optional

import psycopg
from psycopg.types.string import TextLoader

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.common import DatasetKeys, dataset_memo, run_timed
from app.judge.engines.samples import TableSample
from app.judge.engines.postgres.execution import TimedRun, Watchdog
from app.judge.engines.postgres.sampling import describe_tables
from app.judge.engines.postgres.messages import engine_message
from app.judge.engines.postgres.pool import QueryPool, close_quietly
from app.judge.engines.postgres.provisioning import (
    DATASET_PREFIX, DATASET_RECIPE, QUERY_ROLE, DatasetLoadError, Provisioner, database_name, dataset_key,
    load_timeout_ms,
)
from app.judge.events import TestCaseSpec
from app.judge.results import Execution
from app.judge.settings import JudgeSettings
from app.judge.verdicts import RUNTIME_ERROR

log = logging.getLogger("sqlarena.judge.postgres")

__all__ = ["DATASET_PREFIX", "DatasetLoadError", "PostgresEngine", "Watchdog", "dataset_key",
           "engine_message", "load_timeout_ms"]


class PostgresEngine:
    name = "postgresql"
    dialect = "postgres"

    def __init__(self, sandbox_url: str, settings: JudgeSettings):
        self.settings = settings
        self.provisioner = Provisioner(sandbox_url, settings)
        self.pool = QueryPool(self._open_query_connection)
        self.keys = DatasetKeys(salt=DATASET_RECIPE)
        self._lock = threading.Lock()          # guards the dicts below
        self._datasets: "OrderedDict[str, str]" = OrderedDict()   # key -> database name (LRU)
        self._building: dict[str, threading.Lock] = {}
        self.count_cost = True   # bench/judge.py turns it off to measure what counting adds

    @property
    def datasets_built(self) -> int:
        """Databases this engine loaded (tests and metrics)."""
        return self.provisioner.datasets_built

    # -- datasets -------------------------------------------------------------------
    def dataset_database(self, init: Optional[str], data: Optional[str], load_timeout_ms: int,
                         memo: Optional[Hashable] = None) -> str:
        """The dataset's database name, loading it at most once per content (concurrent callers wait)."""
        key = self.keys.key(init, data, memo)
        with self._lock:
            if key in self._datasets:
                self._datasets.move_to_end(key)
                return self._datasets[key]
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            with self._lock:
                if key in self._datasets:
                    return self._datasets[key]
            dbname = database_name(key)
            try:
                self.provisioner.build_dataset(dbname, key, init, data, load_timeout_ms)
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            evicted = []
            with self._lock:
                self._datasets[key] = dbname
                self._building.pop(key, None)
                while len(self._datasets) > self.settings.dataset_cache_size:
                    evicted.append(self._datasets.popitem(last=False)[1])
            for name in evicted:
                self.pool.forget(name)
            return dbname

    def _forget_dataset(self, dbname: str) -> None:
        with self._lock:
            for key, name in list(self._datasets.items()):
                if name == dbname:
                    del self._datasets[key]
        self.pool.forget(dbname)

    def _known(self, dbname: str) -> bool:
        with self._lock:
            return dbname in self._datasets.values()

    # -- query connections -----------------------------------------------------------
    def _open_query_connection(self, dbname: str):
        """psycopg 3, logged in as the query role itself; no statement is ever prepared by name
        (DISCARD ALL would forget it under psycopg's feet)."""
        params = self.provisioner.role_params(dbname, QUERY_ROLE, application_name="sqlarena-query")
        conn = psycopg.connect(autocommit=True, prepare_threshold=None, **params)
        # json/jsonb as the server's text, so results show JSON rather than Python objects.
        conn.adapters.register_loader("json", TextLoader)
        conn.adapters.register_loader("jsonb", TextLoader)
        return conn

    def _query_connection(self, init, data, time_limit_ms: int, memo: Optional[Hashable] = None):
        """A pooled connection to the dataset; rebuilds a dataset that someone dropped, once."""
        dbname = self.dataset_database(init, data, load_timeout_ms(time_limit_ms), memo)
        try:
            return dbname, self.pool.checkout(dbname)
        except psycopg.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise
            self.provisioner.forget_setup()   # a missing role is recreated too
            log.warning("sandbox dataset %s disappeared; rebuilding it", dbname)
            self._forget_dataset(dbname)
            dbname = self.dataset_database(init, data, load_timeout_ms(time_limit_ms))
            return dbname, self.pool.checkout(dbname)

    # -- Engine protocol -------------------------------------------------------------
    def execute(self, challenge_version: str, init: str, case: TestCaseSpec, query: str,
                time_limit_ms: int, max_rows: int, timing_runs: int = 1) -> Execution:
        """Runs the (already gated) query; a dataset that fails to load is the case's RUNTIME_ERROR.
        An unreachable sandbox server raises psycopg's OperationalError (the judge cannot judge)."""
        try:
            memo = dataset_memo(challenge_version, init, case)
            dbname, conn = self._query_connection(init, case.data, time_limit_ms, memo)
            # The first run's BEGIN doubles as a probe: a pooled connection may have gone stale
            # (server restart, dataset dropped by someone); then reconnect (and rebuild) once.
            try:
                TimedRun.begin(conn, time_limit_ms)
            except (psycopg.OperationalError, psycopg.InterfaceError):
                close_quietly(conn)
                self._forget_dataset(dbname)
                dbname, conn = self._query_connection(init, case.data, time_limit_ms, memo)
                TimedRun.begin(conn, time_limit_ms)
        except DatasetLoadError as exc:
            return Execution(verdict=RUNTIME_ERROR, error=f"the test data did not load: {exc}",
                             error_class=exc.error_class)
        query = query.rstrip().rstrip(";").rstrip()
        session = _Session(self, dbname, conn, TimedRun(self.settings, query, time_limit_ms, max_rows,
                                                          count_cost=self.count_cost))
        try:
            return run_timed(session.run_once, timing_runs)
        finally:
            session.release()

    def validate(self, init: str, cases: list[TestCaseSpec], solution: str, time_limit_ms: int) -> None:
        """Loads every dataset (together at most `max_dataset_bytes`) and runs the solution on each."""
        try:
            if not cases:
                self.dataset_database(init, None, load_timeout_ms(time_limit_ms))
        except DatasetLoadError as exc:
            raise ChallengeInvalid(str(exc)) from None
        sizes: dict[str, int] = {}
        for case in cases:
            try:
                dbname = self.dataset_database(init, case.data, load_timeout_ms(time_limit_ms))
            except DatasetLoadError as exc:
                raise ChallengeInvalid(f"test case {case.id}: {exc}") from None
            sizes[dbname] = self.provisioner.dataset_bytes(dbname)
            if sum(sizes.values()) > self.settings.max_dataset_bytes:
                limit_mb = self.settings.max_dataset_bytes / (1024 * 1024)
                raise ChallengeInvalid(f"test case {case.id}: the test data together take more than "
                                       f"{limit_mb:g} MB once loaded")
            outcome = self.execute("", init, case, solution, time_limit_ms, self.settings.max_rows)
            if outcome.verdict:
                raise ChallengeInvalid(f"test case {case.id}: the solution failed: {outcome.error}")

    def describe(self, challenge_version: str, init: str, case: TestCaseSpec, max_rows: int,
                 time_limit_ms: int) -> list[TableSample]:
        """The case's tables as loaded, read as the query role in a READ ONLY transaction under the
        time limit. Raises ChallengeInvalid when the dataset does not load."""
        try:
            dbname, conn = self._query_connection(init, case.data, time_limit_ms,
                                                  dataset_memo(challenge_version, init, case))
        except DatasetLoadError as exc:
            raise ChallengeInvalid(str(exc)) from None
        keep = False
        try:
            TimedRun.begin(conn, time_limit_ms)
            tables = describe_tables(conn, max_rows)
            conn.execute("ROLLBACK")
            keep = True
            return tables
        finally:
            if keep:
                self.pool.checkin(dbname, conn, wanted=self._known(dbname))
            else:
                close_quietly(conn)

    # -- janitor ------------------------------------------------------------------------
    def dataset_name(self, init: Optional[str], data: Optional[str], memo: Optional[Hashable] = None) -> str:
        """The database a dataset of this content lives in (whether or not it is loaded)."""
        return database_name(self.keys.key(init, data, memo))

    def drop_unused_datasets(self, in_use: set[str], grace_s: float) -> list[str]:
        """Drops the cluster's dataset databases nobody uses (see Provisioner.drop_unused)."""
        dropped = self.provisioner.drop_unused(in_use, grace_s)
        for dbname in dropped:
            self._forget_dataset(dbname)
        return dropped

    def health(self) -> Optional[str]:
        return self.provisioner.health()

    def pooled_connections(self) -> dict[str, int]:
        """Idle query connections per dataset database (for tests and metrics)."""
        return self.pool.counts()

    def close(self) -> None:
        self.pool.close()


class _Session:
    """The connection one execute() call runs its timing runs on; replaced when a run spoils it."""

    def __init__(self, engine: PostgresEngine, dbname: str, conn, run: TimedRun):
        self.engine = engine
        self.dbname = dbname
        self.conn = conn
        self.begun = True          # the first run's transaction was opened by the stale-connection probe
        self.timed_run = run

    def run_once(self) -> Execution:
        if self.conn is None:
            self.conn = self.engine.pool.checkout(self.dbname)
        begun, self.begun = self.begun, False
        outcome, keep = self.timed_run.run(self.conn, begun)
        if outcome.cost is not None:
            self.timed_run.count_cost = False   # counted once per case, in the first run's transaction
        if not keep:
            close_quietly(self.conn)
            self.conn = None
        return outcome

    def release(self) -> None:
        if self.conn is not None:
            self.engine.pool.checkin(self.dbname, self.conn, wanted=self.engine._known(self.dbname))
            self.conn = None

