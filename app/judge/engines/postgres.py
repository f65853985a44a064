"""The PostgreSQL sandbox: one database per dataset, loaded once by a loader role, queried read-only.

What the sandbox URL (`SANDBOX_DATABASE_URL`) needs: a **superuser** of a
PostgreSQL >= 13 cluster that is not the app's database server, or at least
not the app's database (the engine only creates objects whose names start
with `sqlarena_`, so it may share a cluster). On first use (never at
construction) the engine creates, idempotently and under an advisory lock so
several processes can share the cluster:

- roles `sqlarena_loader` (LOGIN, no other attribute) and `sqlarena_query`
  (LOGIN, NOINHERIT, no privileges, per-role read-only/timeout/work_mem/
  temp_file_limit defaults). Their passwords are an HMAC of the sandbox URL,
  so every process configured with the same URL computes the same ones; all
  processes sharing a cluster must use the same URL. pg_hba.conf must let
  both roles connect to the `sqlarena_ds_*` databases with those passwords
  (or trust, as in tests);
- a template database `sqlarena_template` with PUBLIC's defaults revoked
  (database, schema public) and EXECUTE revoked from PUBLIC on dangerous
  functions (sleep, files, large objects, signals, set_config, advisory
  locks, ...), plus SELECT on pg_stat_activity and pg_database;
- one database `sqlarena_ds_<hash>` per dataset, named by the content of
  (init, test data), so validation and judging share it across processes
  and a changed challenge gets a new one. `init` and the data run there as
  the loader; afterwards the loader loses CONNECT/CREATE and the query role
  gets CONNECT, USAGE on every schema and SELECT on every table and view.
  Datasets are never dropped by eviction (other processes may use them).

Walls for a query, behind the single-statement gate: it logs in as
`sqlarena_query` itself (never SET ROLE), in a READ ONLY transaction with
`SET LOCAL statement_timeout`, through a server-side cursor fetched in
bounded batches (row cap and byte cap), with a client-side watchdog that
cancels the backend at the time limit plus a grace period.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional

import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.common import DatasetKeys, dataset_memo, run_timed
from app.judge.events import TestCaseSpec
from app.judge.results import Execution, ResultSet
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED

log = logging.getLogger("sqlarena.judge.postgres")

LOADER_ROLE = "sqlarena_loader"
QUERY_ROLE = "sqlarena_query"
TEMPLATE_DB = "sqlarena_template"
DATASET_PREFIX = "sqlarena_ds_"
# Bump when the template recipe or the dataset recipe changes: the template is
# rebuilt and every dataset gets a new name (old ones are left in place).
RECIPE_VERSION = "sqlarena-template-v2"
DATASET_READY = "sqlarena-dataset-ready"
ADVISORY_CLASS = 0x5A1A            # first key of every advisory lock the engine takes

QUERY_ROLE_STATEMENT_TIMEOUT = "30s"   # backstop; each run sets its own limit
LOAD_MIN_TIMEOUT_MS = 30_000
LOADER_TEMP_FILE_LIMIT = "1GB"
CONNECT_TIMEOUT_S = 5
HEALTH_CONNECT_TIMEOUT_S = 3
IDLE_PER_DATASET = 4               # pooled idle query connections per dataset
IDLE_TOTAL = 16                    # pooled idle query connections in all
FIRST_BATCH_ROWS = 10              # small first fetch, so huge rows are seen early
BATCH_ROWS = 1000
MAX_BATCH_BYTES = 4 * 1024 * 1024  # later batches are sized to about this much
MAX_RESULT_BYTES = 64 * 1024 * 1024
CURSOR_NAME = "sqlarena_query"
# psycopg2 runs a named cursor's query as `DECLARE "name" CURSOR WITHOUT HOLD FOR <query>`:
# error positions are shifted back by this much so they point into the player's query.
DECLARE_PREFIX_CHARS = len(f'DECLARE "{CURSOR_NAME}" CURSOR WITHOUT HOLD FOR ')

# Functions no query (nor loader) may call, matched in pg_proc by exact name or LIKE pattern.
REVOKED_FUNCTIONS = (
    "pg_sleep", "pg_sleep_for", "pg_sleep_until",
    "pg_read_file", "pg_read_binary_file", "pg_stat_file", "pg_ls_%",
    "lo\\_%", "loread", "lowrite",
    "pg_cancel_backend", "pg_terminate_backend", "pg_reload_conf", "pg_rotate_logfile",
    "set_config",
    "pg_advisory%", "pg_try_advisory%",
    "pg_notify", "pg_logical_emit_message",
    "txid_current", "pg_current_xact_id",
    "pg_stat_reset%", "pg_stat_get_activity", "pg_stat_get_backend\\_%", "pg_stat_get_progress_info",
    "pg_blocking_pids", "pg_lock_status",
    "pg_log_backend_memory_contexts",
    "dblink%",
)
REVOKED_RELATIONS = ("pg_stat_activity", "pg_database", "pg_stat_database", "pg_stat_database_conflicts")


class DatasetLoadError(Exception):
    """init or the test data failed to load; `str()` is the engine's message, labelled."""


class PostgresEngine:
    name = "postgresql"
    dialect = "postgres"

    def __init__(self, sandbox_url: str, settings: JudgeSettings):
        self.settings = settings
        self._params = _connect_params(sandbox_url)
        self._secret = sandbox_url.encode()
        self._setup_lock = threading.Lock()
        self._ready = False
        self._owner = "postgres"
        self._lock = threading.Lock()          # guards the dicts below
        self._datasets: "OrderedDict[str, str]" = OrderedDict()   # key -> database name (LRU)
        self._building: dict[str, threading.Lock] = {}
        self._idle: "OrderedDict[str, list[Any]]" = OrderedDict()  # database -> idle connections (LRU)
        self.keys = DatasetKeys(salt=RECIPE_VERSION)
        self.datasets_built = 0                # databases this engine loaded (tests and metrics)

    # -- connections ------------------------------------------------------------
    def _password(self, role: str) -> str:
        return hmac.new(self._secret, f"sqlarena-sandbox-role:{role}".encode(), hashlib.sha256).hexdigest()

    def _connect(self, dbname: Optional[str] = None, role: Optional[str] = None, **extra):
        params = dict(self._params)
        if dbname:
            params["dbname"] = dbname
        if role:
            params["user"] = role
            params["password"] = self._password(role)
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        params.update(extra)
        return psycopg2.connect(**params)

    def _admin(self, dbname: Optional[str] = None, **extra):
        conn = self._connect(dbname, application_name="sqlarena-admin", **extra)
        conn.autocommit = True
        return conn

    def _redact(self, message: str) -> str:
        password = self._params.get("password")
        return message.replace(password, "***") if password else message

    # -- one-time setup -----------------------------------------------------------
    def _ensure_setup(self) -> None:
        if self._ready:
            return
        with self._setup_lock:
            if self._ready:
                return
            conn = self._admin()
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_lock(%s, 0)", (ADVISORY_CLASS,))
                    try:
                        self._setup(conn, cur)
                    finally:
                        cur.execute("SELECT pg_advisory_unlock(%s, 0)", (ADVISORY_CLASS,))
            finally:
                conn.close()
            self._ready = True

    def _setup(self, conn, cur) -> None:
        cur.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        self._owner, is_super = cur.fetchone()
        if not is_super:
            raise RuntimeError("the PostgreSQL sandbox URL must name a superuser")
        for role, attributes in ((LOADER_ROLE, "LOGIN INHERIT"), (QUERY_ROLE, "LOGIN NOINHERIT")):
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if cur.fetchone() is None:
                try:
                    cur.execute(f"CREATE ROLE {role}")
                except psycopg2.errors.DuplicateObject:
                    pass
            cur.execute(
                f"ALTER ROLE {role} {attributes} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
                " NOBYPASSRLS PASSWORD %s", (self._password(role),))
        self._reset_role_settings(cur)
        cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                    (TEMPLATE_DB,))
        row = cur.fetchone()
        if row is not None and row[0] == RECIPE_VERSION:
            return
        log.info("building the sandbox template database %s (%s)", TEMPLATE_DB, RECIPE_VERSION)
        if row is not None:
            cur.execute(f"DROP DATABASE {TEMPLATE_DB} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {TEMPLATE_DB} TEMPLATE template0")
        cur.execute(f"REVOKE ALL ON DATABASE {TEMPLATE_DB} FROM PUBLIC")
        template = self._admin(TEMPLATE_DB)
        try:
            with template.cursor() as tcur:
                _harden_template(tcur)
        finally:
            template.close()
        cur.execute(f"ALTER DATABASE {TEMPLATE_DB} ALLOW_CONNECTIONS false")
        cur.execute(f"COMMENT ON DATABASE {TEMPLATE_DB} IS %s", (RECIPE_VERSION,))

    def _reset_role_settings(self, cur) -> None:
        """Per-role defaults (superuser-set, so temp_file_limit cannot be raised by the role)."""
        s = self.settings
        cur.execute(f"ALTER ROLE {QUERY_ROLE} RESET ALL")
        for name, value in (
            ("default_transaction_read_only", "on"),
            ("statement_timeout", QUERY_ROLE_STATEMENT_TIMEOUT),
            ("idle_in_transaction_session_timeout", "60s"),
            ("lock_timeout", "1s"),
            ("work_mem", s.pg_work_mem),
            ("temp_file_limit", s.pg_temp_file_limit),
        ):
            cur.execute(f"ALTER ROLE {QUERY_ROLE} SET {name} = %s", (value,))
        self._reset_loader(cur)

    def _reset_loader(self, cur) -> None:
        # A previous init (untrusted) may have changed the loader's own defaults or password.
        cur.execute(f"ALTER ROLE {LOADER_ROLE} RESET ALL")
        cur.execute(f"ALTER ROLE {LOADER_ROLE} PASSWORD %s", (self._password(LOADER_ROLE),))
        cur.execute(f"ALTER ROLE {LOADER_ROLE} SET temp_file_limit = %s", (LOADER_TEMP_FILE_LIMIT,))
        cur.execute(f"ALTER ROLE {LOADER_ROLE} SET idle_in_transaction_session_timeout = '60s'")

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
            dbname = DATASET_PREFIX + key[:24]
            try:
                self._ensure_setup()
                self._build_dataset(dbname, key, init, data, load_timeout_ms)
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:
                self._datasets[key] = dbname
                self._building.pop(key, None)
                while len(self._datasets) > self.settings.dataset_cache_size:
                    _, evicted = self._datasets.popitem(last=False)
                    for conn in self._idle.pop(evicted, []):
                        _close_quietly(conn)
            return dbname

    def _forget_dataset(self, dbname: str) -> None:
        with self._lock:
            for key, name in list(self._datasets.items()):
                if name == dbname:
                    del self._datasets[key]
            idle = self._idle.pop(dbname, [])
        for conn in idle:
            _close_quietly(conn)

    def _build_dataset(self, dbname: str, key: str, init: Optional[str], data: Optional[str],
                       load_timeout_ms: int) -> None:
        """Creates and loads the database unless another process already did (advisory lock per dataset)."""
        lock_key = int(key[:8], 16) - (1 << 31)
        admin = self._admin()
        try:
            with admin.cursor() as cur:
                cur.execute("SELECT pg_advisory_lock(%s, %s)", (ADVISORY_CLASS, lock_key))
                try:
                    cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                                " WHERE datname = %s", (dbname,))
                    row = cur.fetchone()
                    if row is not None and row[0] == DATASET_READY:
                        return
                    if row is not None:
                        log.warning("dropping half-built sandbox dataset %s", dbname)
                        cur.execute(f"DROP DATABASE {dbname} WITH (FORCE)")
                    started = time.perf_counter()
                    self._create_and_load(cur, dbname, init, data, load_timeout_ms)
                    with self._lock:
                        self.datasets_built += 1
                    log.info("loaded sandbox dataset %s in %.0f ms", dbname,
                             (time.perf_counter() - started) * 1000.0)
                finally:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", (ADVISORY_CLASS, lock_key))
        finally:
            admin.close()

    def _create_and_load(self, cur, dbname: str, init: Optional[str], data: Optional[str],
                         load_timeout_ms: int) -> None:
        cur.execute(f"CREATE DATABASE {dbname} TEMPLATE {TEMPLATE_DB} OWNER {_ident(self._owner)}")
        try:
            cur.execute(f"REVOKE ALL ON DATABASE {dbname} FROM PUBLIC")
            cur.execute(f"GRANT CONNECT, CREATE ON DATABASE {dbname} TO {LOADER_ROLE}")
            self._reset_loader(cur)
            self._in_database(dbname, lambda c: c.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {LOADER_ROLE}"))
            self._load_scripts(dbname, init, data, load_timeout_ms)
            cur.execute(f"REVOKE CONNECT, CREATE ON DATABASE {dbname} FROM {LOADER_ROLE}")
            self._in_database(dbname, _freeze_dataset)
            cur.execute(f"GRANT CONNECT ON DATABASE {dbname} TO {QUERY_ROLE}")
            cur.execute(f"COMMENT ON DATABASE {dbname} IS %s", (DATASET_READY,))
        except BaseException:
            try:
                cur.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
            except psycopg2.Error as exc:
                log.warning("could not drop failed dataset %s: %s", dbname, _first_line(exc))
            raise

    def _in_database(self, dbname: str, action: Callable[[Any], None]) -> None:
        # Superuser in a database that untrusted init wrote to: resolve names in pg_catalog only.
        conn = self._admin(dbname, options="-c search_path=pg_catalog")
        try:
            with conn.cursor() as cur:
                action(cur)
        finally:
            conn.close()

    def _load_scripts(self, dbname: str, init: Optional[str], data: Optional[str], timeout_ms: int) -> None:
        """Runs init, then the data, as the loader role, each under a timeout and a watchdog
        (the scripts may SET statement_timeout themselves); then VACUUM ANALYZE as the tables'
        owner, not as superuser, for stable plans and timings from the first query on."""
        conn = self._connect(dbname, LOADER_ROLE, application_name="sqlarena-loader",
                             options=f"-c statement_timeout={timeout_ms}")
        conn.autocommit = True
        steps = [("init", init), ("test data", data), ("after loading", "VACUUM ANALYZE")]
        try:
            for label, script in steps:
                if not script or not script.strip():
                    continue
                watchdog = Watchdog(conn, timeout_ms / 1000.0 + self.settings.watchdog_grace_ms / 1000.0)
                try:
                    with conn.cursor() as cur:
                        cur.execute(script)
                        # A script that opened a transaction (BEGIN without COMMIT) keeps its work.
                        status = conn.get_transaction_status()
                        if status == psycopg2.extensions.TRANSACTION_STATUS_INTRANS:
                            cur.execute("COMMIT")
                        elif status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                            raise DatasetLoadError(f"{label}: left a failed transaction open")
                except psycopg2.errors.QueryCanceled:
                    raise DatasetLoadError(f"{label}: took longer than {timeout_ms} ms to load") from None
                except psycopg2.Error as exc:
                    raise DatasetLoadError(f"{label}: {engine_message(exc)}") from None
                finally:
                    watchdog.stop()
        finally:
            _close_quietly(conn)

    # -- query connections -----------------------------------------------------------
    def _checkout(self, dbname: str):
        with self._lock:
            idle = self._idle.get(dbname)
            if idle:
                self._idle.move_to_end(dbname)
                return idle.pop()
        conn = self._connect(dbname, QUERY_ROLE, application_name="sqlarena-query")
        conn.set_session(readonly=True, autocommit=False)
        # json/jsonb as the server's text, so results show JSON rather than Python reprs.
        psycopg2.extras.register_default_json(conn, loads=_json_text)
        psycopg2.extras.register_default_jsonb(conn, loads=_json_text)
        return conn

    def _checkin(self, dbname: str, conn) -> None:
        if conn.closed or conn.status != psycopg2.extensions.STATUS_READY:
            _close_quietly(conn)
            return
        surplus = []
        with self._lock:
            if dbname not in self._datasets.values() and dbname not in self._idle:
                surplus.append(conn)
            else:
                idle = self._idle.setdefault(dbname, [])
                self._idle.move_to_end(dbname)
                if len(idle) >= IDLE_PER_DATASET:
                    surplus.append(conn)
                else:
                    idle.append(conn)
                while sum(len(v) for v in self._idle.values()) > IDLE_TOTAL:
                    oldest, conns = next(iter(self._idle.items()))
                    surplus.append(conns.pop(0))
                    if not conns:
                        del self._idle[oldest]
        for extra in surplus:
            _close_quietly(extra)

    def _query_connection(self, init, data, time_limit_ms: int, memo: Optional[Hashable] = None):
        """A pooled connection to the dataset; rebuilds a dataset that someone dropped, once."""
        dbname = self.dataset_database(init, data, load_timeout_ms(time_limit_ms), memo)
        try:
            return dbname, self._checkout(dbname)
        except psycopg2.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise
            self._ready = False   # a missing role is recreated too
            log.warning("sandbox dataset %s disappeared; rebuilding it", dbname)
            self._forget_dataset(dbname)
            dbname = self.dataset_database(init, data, load_timeout_ms(time_limit_ms))
            return dbname, self._checkout(dbname)

    # -- Engine protocol -------------------------------------------------------------
    def execute(self, challenge_version: str, init: str, case: TestCaseSpec, query: str,
                time_limit_ms: int, max_rows: int, timing_runs: int = 1) -> Execution:
        """Runs the (already gated) query; a dataset that fails to load is the case's RUNTIME_ERROR.
        An unreachable sandbox server raises psycopg2.OperationalError (the judge cannot judge)."""
        try:
            memo = dataset_memo(challenge_version, init, case)
            dbname, conn = self._query_connection(init, case.data, time_limit_ms, memo)
            # The first run's BEGIN doubles as a probe: a pooled connection may have gone stale
            # (server restart, dataset dropped by someone); then reconnect (and rebuild) once.
            try:
                self._begin(conn, time_limit_ms)
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                _close_quietly(conn)
                self._forget_dataset(dbname)
                dbname, conn = self._query_connection(init, case.data, time_limit_ms, memo)
                self._begin(conn, time_limit_ms)
        except DatasetLoadError as exc:
            return Execution(verdict=RUNTIME_ERROR, error=f"the test data did not load: {exc}")
        query = query.rstrip().rstrip(";").rstrip()
        holder = {"conn": conn, "begun": True}

        def run_once() -> Execution:
            current = holder["conn"]
            if current is None:
                current = holder["conn"] = self._checkout(dbname)
            begun, holder["begun"] = holder["begun"], False
            outcome, keep = self._run_once(current, query, time_limit_ms, max_rows, begun)
            if not keep:
                _close_quietly(current)
                holder["conn"] = None
            return outcome

        try:
            return run_timed(run_once, timing_runs)
        finally:
            if holder["conn"] is not None:
                self._checkin(dbname, holder["conn"])

    @staticmethod
    def _begin(conn, time_limit_ms: int) -> None:
        """Opens the run's READ ONLY transaction (set_session) with the challenge's time limit."""
        with conn.cursor() as cur:
            cur.execute("SET LOCAL statement_timeout = %s", (int(time_limit_ms),))

    def _run_once(self, conn, query: str, time_limit_ms: int, max_rows: int,
                  begun: bool) -> tuple[Execution, bool]:
        """One timed run in its own transaction, rolled back. Returns the outcome and whether conn is reusable."""
        timeout_error = f"time limit of {time_limit_ms} ms exceeded"
        if not begun:
            try:
                self._begin(conn, time_limit_ms)
            except psycopg2.Error as exc:
                return Execution(verdict=RUNTIME_ERROR, error=engine_message(exc)), False
        watchdog = Watchdog(conn, time_limit_ms / 1000.0 + self.settings.watchdog_grace_ms / 1000.0)
        fetch = _Fetch(max_rows)
        try:
            columns, rows = fetch.run(conn, query)
        except psycopg2.errors.QueryCanceled:
            watchdog.stop()
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed), error=timeout_error), \
                self._rollback(conn, watchdog)
        except psycopg2.Error as exc:
            watchdog.stop()
            if watchdog.fired:
                return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                                 error=timeout_error), False
            message = engine_message(exc, position_offset=-DECLARE_PREFIX_CHARS)
            return Execution(verdict=RUNTIME_ERROR, error=message), self._rollback(conn, watchdog)
        except (MemoryError, OverflowError, ValueError) as exc:
            watchdog.stop()
            return Execution(verdict=RUNTIME_ERROR, error=f"{type(exc).__name__}: {exc}"[:300]), False
        watchdog.stop()
        keep = self._rollback(conn, watchdog)
        elapsed_ms = fetch.elapsed * 1000.0
        if fetch.too_large:
            return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                             error=f"the result is larger than {MAX_RESULT_BYTES // (1024 * 1024)} MB"), keep
        if elapsed_ms > time_limit_ms:
            return Execution(verdict=TIME_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed), error=timeout_error), keep
        if len(rows) > max_rows:
            return Execution(verdict=OUTPUT_LIMIT_EXCEEDED, execution_ms=_ms(fetch.elapsed),
                             error=f"the query returned more than {max_rows} rows"), keep
        return Execution(result=ResultSet(columns, rows), execution_ms=_ms(fetch.elapsed),
                         timings_ms=[elapsed_ms]), keep

    @staticmethod
    def _rollback(conn, watchdog: "Watchdog") -> bool:
        """Ends the run's transaction; a connection the watchdog touched is not reused (a late cancel)."""
        try:
            conn.rollback()
        except psycopg2.Error:
            return False
        return not watchdog.fired and not conn.closed

    def validate(self, init: str, cases: list[TestCaseSpec], solution: str, time_limit_ms: int) -> None:
        try:
            if not cases:
                self.dataset_database(init, None, load_timeout_ms(time_limit_ms))
        except DatasetLoadError as exc:
            raise ChallengeInvalid(str(exc)) from None
        for case in cases:
            try:
                self.dataset_database(init, case.data, load_timeout_ms(time_limit_ms))
            except DatasetLoadError as exc:
                raise ChallengeInvalid(f"test case {case.id}: {exc}") from None
            outcome = self.execute("", init, case, solution, time_limit_ms, self.settings.max_rows)
            if outcome.verdict:
                raise ChallengeInvalid(f"test case {case.id}: the solution failed: {outcome.error}")

    def health(self) -> Optional[str]:
        try:
            conn = self._connect(connect_timeout=HEALTH_CONNECT_TIMEOUT_S, application_name="sqlarena-health")
        except psycopg2.Error as exc:
            return self._redact(f"PostgreSQL sandbox unreachable: {_first_line(exc)}")[:300]
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchone()
            return None
        except psycopg2.Error as exc:
            return self._redact(f"PostgreSQL sandbox error: {_first_line(exc)}")[:300]
        finally:
            _close_quietly(conn)

    def pooled_connections(self) -> dict[str, int]:
        """Idle query connections per dataset database (for tests and metrics)."""
        with self._lock:
            return {dbname: len(conns) for dbname, conns in self._idle.items() if conns}

    def close(self) -> None:
        with self._lock:
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in idle:
            _close_quietly(conn)


class _Fetch:
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


class Watchdog:
    """Cancels the connection's running statement after `seconds` (the client-side wall)."""

    def __init__(self, conn, seconds: float):
        self.fired = False
        self._conn = conn
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            self._conn.cancel()
        except Exception as exc:  # the connection may be closing; nothing left to cancel
            log.debug("watchdog cancel failed: %s", exc)

    def stop(self) -> None:
        self._timer.cancel()


def _harden_template(cur) -> None:
    """Runs once per recipe version in the template: PUBLIC's defaults and dangerous functions revoked."""
    cur.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    conditions = " OR ".join("p.proname LIKE %s" if "%" in name else "p.proname = %s" for name in REVOKED_FUNCTIONS)
    cur.execute(f"SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.prokind IN ('f', 'w', 'a') "
                f"AND ({conditions})", REVOKED_FUNCTIONS)
    for (signature,) in cur.fetchall():
        cur.execute(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC")
    for relation in REVOKED_RELATIONS:
        cur.execute(f"REVOKE ALL ON pg_catalog.{relation} FROM PUBLIC")


def _freeze_dataset(cur) -> None:
    """As superuser in the loaded dataset: SELECT-only for the query role, nothing more for the loader."""
    cur.execute(f"REVOKE CREATE ON SCHEMA public FROM {LOADER_ROLE}")
    cur.execute("SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema'"
                " AND nspname NOT LIKE 'pg\\_%'")
    for (schema,) in cur.fetchall():
        cur.execute(f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {QUERY_ROLE}")
        cur.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_ident(schema)} TO {QUERY_ROLE}")


def dataset_key(init: Optional[str], data: Optional[str]) -> str:
    """Content address of a dataset (and of the recipe that loads it)."""
    return DatasetKeys(salt=RECIPE_VERSION).key(init, data)


def load_timeout_ms(time_limit_ms: int) -> int:
    return max(LOAD_MIN_TIMEOUT_MS, 10 * int(time_limit_ms))


def engine_message(exc: BaseException, position_offset: int = 0) -> str:
    """The server's own words: primary message and error position, without psycopg2's noise."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if not primary:
        return _first_line(exc)
    position = getattr(diag, "statement_position", None)
    try:
        position = int(position) + position_offset if position else 0
    except ValueError:
        position = 0
    message = f"{primary} (at character {position})" if position > 0 else primary
    return message[:500]


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:500]


def _approx_size(rows: list[tuple]) -> int:
    size = 0
    for row in rows:
        for value in row:
            size += len(value) if isinstance(value, (str, bytes, memoryview)) else 16
    return size


def _json_text(text: str) -> str:
    return text


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect_params(url: str) -> dict:
    params = psycopg2.extensions.parse_dsn(url)
    if "dbname" not in params:
        params["dbname"] = "postgres"
    return params


def _close_quietly(conn) -> None:
    try:
        conn.close()
    except Exception as exc:  # closing a broken connection may fail; it is gone either way
        log.debug("closing a sandbox connection failed: %s", exc)
