"""Provisioning the PostgreSQL sandbox (admin side, psycopg2): roles, the hardened template, one
database per dataset, and the primitives the janitor uses. Init scripts legitimately hold many
statements, so this side keeps psycopg2's simple-query protocol; queries never run here.

What the sandbox URL (`SANDBOX_DATABASE_URL`) needs: a **superuser** of a PostgreSQL >= 13 cluster
that is not the app's database (the engine only creates objects whose names start with `sqlarena_`,
so it may share a cluster). On first use the engine creates, idempotently and under an advisory lock
so several processes can share the cluster:

- roles `sqlarena_loader` (LOGIN, no other attribute) and `sqlarena_query` (LOGIN, NOINHERIT, no
  privileges, per-role read-only/timeout/work_mem/temp_file_limit defaults). Their passwords are an
  HMAC of the sandbox URL, so every process configured with the same URL computes the same ones;
  pg_hba.conf must let both roles connect to the `sqlarena_ds_*` databases with them (or trust);
- a template database `sqlarena_template` with PUBLIC's defaults revoked and EXECUTE revoked from
  PUBLIC on dangerous functions (sleep, files, large objects, signals, set_config, advisory locks...);
- one database `sqlarena_ds_<hash>` per dataset, named by the content of (init, test data), so
  validation and judging share it across processes and a changed challenge gets a new one. `init`
  and the data run there as the loader; afterwards the loader loses CONNECT/CREATE and the query
  role gets CONNECT, USAGE on every schema and SELECT on every table and view.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from typing import Any, Callable, Optional

import psycopg2
import psycopg2.errors
import psycopg2.extensions

from app.judge.engines.common import DatasetKeys
from app.judge.engines.postgres.execution import Watchdog
from app.judge.engines.postgres.messages import engine_message, error_class, first_line
from app.judge.settings import JudgeSettings

log = logging.getLogger("sqlarena.judge.postgres")

LOADER_ROLE = "sqlarena_loader"
QUERY_ROLE = "sqlarena_query"
TEMPLATE_DB = "sqlarena_template"
DATASET_PREFIX = "sqlarena_ds_"
# Bump when the template recipe changes: the template is rebuilt.
RECIPE_VERSION = "sqlarena-template-v2"
# Bump when the dataset recipe changes: every dataset gets a new name (the janitor drops the old ones).
DATASET_RECIPE = "sqlarena-dataset-v3"
DATASET_READY = "sqlarena-dataset-ready"   # COMMENT of a loaded database, followed by its epoch seconds
ADVISORY_CLASS = 0x5A1A            # first key of every advisory lock the engine takes

QUERY_ROLE_STATEMENT_TIMEOUT = "30s"   # backstop; each run sets its own limit
LOAD_MIN_TIMEOUT_MS = 30_000
LOADER_TEMP_FILE_LIMIT = "1GB"
CONNECT_TIMEOUT_S = 5
HEALTH_CONNECT_TIMEOUT_S = 3

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

    def __init__(self, message: str, error_class: str = "dataset_load_error"):
        super().__init__(message)
        self.error_class = error_class


class Provisioner:
    """Creates roles, template and dataset databases as the sandbox superuser."""

    def __init__(self, sandbox_url: str, settings: JudgeSettings):
        self.settings = settings
        self.params = connect_params(sandbox_url)
        self._secret = sandbox_url.encode()
        self._setup_lock = threading.Lock()
        self._ready = False
        self._owner = "postgres"
        self.datasets_built = 0                # databases this process loaded (tests and metrics)
        self._count_lock = threading.Lock()

    # -- connections ------------------------------------------------------------
    def password(self, role: str) -> str:
        return hmac.new(self._secret, f"sqlarena-sandbox-role:{role}".encode(), hashlib.sha256).hexdigest()

    def role_params(self, dbname: str, role: str, **extra) -> dict:
        """Connection parameters of `role` in `dbname` (for either driver)."""
        params = dict(self.params, dbname=dbname, user=role, password=self.password(role))
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        params.update(extra)
        return params

    def connect(self, dbname: Optional[str] = None, role: Optional[str] = None, **extra):
        params = dict(self.params)
        if dbname:
            params["dbname"] = dbname
        if role:
            params["user"] = role
            params["password"] = self.password(role)
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        params.update(extra)
        return psycopg2.connect(**params)

    def admin(self, dbname: Optional[str] = None, **extra):
        conn = self.connect(dbname, application_name="sqlarena-admin", **extra)
        conn.autocommit = True
        return conn

    def redact(self, message: str) -> str:
        password = self.params.get("password")
        return message.replace(password, "***") if password else message

    def forget_setup(self) -> None:
        """The next use checks roles and template again (a role or database went missing)."""
        self._ready = False

    # -- one-time setup -----------------------------------------------------------
    def ensure_setup(self) -> None:
        if self._ready:
            return
        with self._setup_lock:
            if self._ready:
                return
            conn = self.admin()
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_lock(%s, 0)", (ADVISORY_CLASS,))
                    try:
                        self._setup(cur)
                    finally:
                        cur.execute("SELECT pg_advisory_unlock(%s, 0)", (ADVISORY_CLASS,))
            finally:
                conn.close()
            self._ready = True

    def _setup(self, cur) -> None:
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
                " NOBYPASSRLS PASSWORD %s", (self.password(role),))
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
        self.in_database(TEMPLATE_DB, harden_template)
        cur.execute(f"ALTER DATABASE {TEMPLATE_DB} ALLOW_CONNECTIONS false")
        cur.execute(f"COMMENT ON DATABASE {TEMPLATE_DB} IS %s", (RECIPE_VERSION,))

    def query_role_settings(self) -> dict[str, str]:
        """The query role's defaults, set by the superuser (so temp_file_limit cannot be raised by the
        role); no JIT and no parallel workers, for plans and timings that do not vary between runs;
        standard_conforming_strings pinned on, because the gate's scanner reads '…' strings that way."""
        return {
            "standard_conforming_strings": "on",
            "default_transaction_read_only": "on",
            "statement_timeout": QUERY_ROLE_STATEMENT_TIMEOUT,
            "idle_in_transaction_session_timeout": "60s",
            "lock_timeout": "1s",
            "work_mem": self.settings.pg_work_mem,
            "temp_file_limit": self.settings.pg_temp_file_limit,
            "jit": "off",
            "max_parallel_workers_per_gather": "0",
        }

    def _reset_role_settings(self, cur) -> None:
        """Clears every setting the roles carry, per database too (`ALTER ROLE r RESET ALL` leaves
        `ALTER ROLE r IN DATABASE d SET` in place), logs what it found, then sets the engine's own."""
        cur.execute("SELECT r.rolname, d.datname, s.setconfig FROM pg_db_role_setting s"
                    " JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase"
                    " WHERE r.rolname IN (%s, %s) AND s.setdatabase <> 0", (QUERY_ROLE, LOADER_ROLE))
        for role, dbname, config in cur.fetchall():
            log.warning("clearing settings of role %s in database %s: %s", role, dbname, config)
            cur.execute(f"ALTER ROLE {role} IN DATABASE {_ident(dbname)} RESET ALL")
        expected = self.query_role_settings()
        cur.execute("SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
                    " WHERE r.rolname = %s AND s.setdatabase = 0", (QUERY_ROLE,))
        row = cur.fetchone()
        unexpected = [item for item in (row[0] if row else []) if item.split("=", 1)[0] not in expected]
        if unexpected:
            log.warning("clearing unexpected settings of role %s: %s", QUERY_ROLE, unexpected)
        cur.execute(f"ALTER ROLE {QUERY_ROLE} RESET ALL")
        for name, value in expected.items():
            cur.execute(f"ALTER ROLE {QUERY_ROLE} SET {name} = %s", (value,))
        self.reset_loader(cur)

    def reset_loader(self, cur) -> None:
        """A previous init (untrusted) may have changed the loader's own defaults or password. Under the
        set-up lock: two processes altering one role at once fail with "tuple concurrently updated"
        (session advisory locks nest, so the set-up, which already holds it, may call this too)."""
        cur.execute("SELECT pg_advisory_lock(%s, 0)", (ADVISORY_CLASS,))
        try:
            cur.execute(f"ALTER ROLE {LOADER_ROLE} RESET ALL")
            cur.execute(f"ALTER ROLE {LOADER_ROLE} PASSWORD %s", (self.password(LOADER_ROLE),))
            cur.execute(f"ALTER ROLE {LOADER_ROLE} SET temp_file_limit = %s", (LOADER_TEMP_FILE_LIMIT,))
            cur.execute(f"ALTER ROLE {LOADER_ROLE} SET idle_in_transaction_session_timeout = '60s'")
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s, 0)", (ADVISORY_CLASS,))

    # -- datasets -------------------------------------------------------------------
    def build_dataset(self, dbname: str, key: str, init: Optional[str], data: Optional[str],
                      load_timeout_ms: int) -> None:
        """Creates and loads the database unless another process already did (advisory lock per dataset)."""
        self.ensure_setup()
        admin = self.admin()
        try:
            with admin.cursor() as cur:
                cur.execute("SELECT pg_advisory_lock(%s, %s)", (ADVISORY_CLASS, _lock_key(key)))
                try:
                    cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                                " WHERE datname = %s", (dbname,))
                    row = cur.fetchone()
                    if row is not None and is_ready(row[0]):
                        return
                    if row is not None:
                        log.warning("dropping half-built sandbox dataset %s", dbname)
                        cur.execute(f"DROP DATABASE {dbname} WITH (FORCE)")
                    started = time.perf_counter()
                    self._create_and_load(cur, dbname, init, data, load_timeout_ms)
                    with self._count_lock:
                        self.datasets_built += 1
                    log.info("loaded sandbox dataset %s in %.0f ms", dbname,
                             (time.perf_counter() - started) * 1000.0)
                finally:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", (ADVISORY_CLASS, _lock_key(key)))
        finally:
            admin.close()

    def _create_and_load(self, cur, dbname: str, init: Optional[str], data: Optional[str],
                         load_timeout_ms: int) -> None:
        cur.execute(f"CREATE DATABASE {dbname} TEMPLATE {TEMPLATE_DB} OWNER {_ident(self._owner)}")
        try:
            cur.execute(f"REVOKE ALL ON DATABASE {dbname} FROM PUBLIC")
            cur.execute(f"GRANT CONNECT, CREATE ON DATABASE {dbname} TO {LOADER_ROLE}")
            self.reset_loader(cur)
            self.in_database(dbname, lambda c: c.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {LOADER_ROLE}"))
            self._load_scripts(dbname, init, data, load_timeout_ms)
            cur.execute(f"REVOKE CONNECT, CREATE ON DATABASE {dbname} FROM {LOADER_ROLE}")
            self.in_database(dbname, freeze_dataset)
            self._check_size(cur, dbname)
            cur.execute(f"GRANT CONNECT ON DATABASE {dbname} TO {QUERY_ROLE}")
            cur.execute(f"COMMENT ON DATABASE {dbname} IS %s", (f"{DATASET_READY} {int(time.time())}",))
        except BaseException:
            try:
                cur.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
            except psycopg2.Error as exc:
                log.warning("could not drop failed dataset %s: %s", dbname, first_line(exc))
            raise

    def _check_size(self, cur, dbname: str) -> None:
        """A dataset alone over `max_dataset_bytes` is refused (and dropped by the caller)."""
        size = self.dataset_bytes(dbname, cur)
        limit = self.settings.max_dataset_bytes
        if size > limit:
            raise DatasetLoadError(f"the data takes {_mb(size)} once loaded, more than the limit of {_mb(limit)}",
                                   "program_limit_exceeded")

    def dataset_bytes(self, dbname: str, cur=None) -> int:
        """What the dataset's database takes on disk beyond the empty template."""
        if cur is None:
            conn = self.admin()
            try:
                with conn.cursor() as own:
                    return self.dataset_bytes(dbname, own)
            finally:
                close_quietly(conn)
        cur.execute("SELECT pg_database_size(%s) - pg_database_size(%s)", (dbname, TEMPLATE_DB))
        return max(0, int(cur.fetchone()[0]))

    # -- janitor primitives ----------------------------------------------------------
    def drop_unused(self, in_use: set[str], grace_s: float) -> list[str]:
        """Drops dataset databases not in `in_use`, loaded more than `grace_s` ago, that nobody is
        connected to and nobody is building (several processes and app databases may share the
        cluster: a database someone uses is never dropped; one dropped too early is rebuilt on use)."""
        conn = self.admin()
        dropped = []
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT d.datname, shobj_description(d.oid, 'pg_database'),"
                    " extract(epoch FROM (pg_stat_file('base/' || d.oid || '/PG_VERSION', true)).modification),"
                    " (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)"
                    " FROM pg_database d WHERE d.datname LIKE %s", (DATASET_PREFIX.replace("_", "\\_") + "%",))
                now = time.time()
                for dbname, comment, created, connections in cur.fetchall():
                    age_s = now - (ready_time(comment) or float(created or now))
                    if dbname in in_use or connections or age_s < grace_s:
                        continue
                    if self._drop_if_idle(cur, dbname):
                        dropped.append(dbname)
        finally:
            close_quietly(conn)
        if dropped:
            log.info("dropped %d unused sandbox datasets: %s", len(dropped), ", ".join(dropped))
        return dropped

    def _drop_if_idle(self, cur, dbname: str) -> bool:
        """Under the dataset's advisory lock (not while someone builds it); DROP without FORCE
        refuses a database anyone is connected to."""
        lock_key = _lock_key(dbname[len(DATASET_PREFIX):])
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", (ADVISORY_CLASS, lock_key))
        if not cur.fetchone()[0]:
            return False
        try:
            cur.execute(f"DROP DATABASE IF EXISTS {_ident(dbname)}")
            return True
        except psycopg2.errors.ObjectInUse:
            return False
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s, %s)", (ADVISORY_CLASS, lock_key))

    def in_database(self, dbname: str, action: Callable[[Any], None]) -> None:
        # Superuser in a database that untrusted init wrote to: resolve names in pg_catalog only.
        conn = self.admin(dbname, options="-c search_path=pg_catalog")
        try:
            with conn.cursor() as cur:
                action(cur)
        finally:
            conn.close()

    def _load_scripts(self, dbname: str, init: Optional[str], data: Optional[str], timeout_ms: int) -> None:
        """Runs init, then the data, as the loader role, each under a timeout and a watchdog
        (the scripts may SET statement_timeout themselves); then VACUUM ANALYZE as the tables'
        owner, not as superuser, for stable plans and timings from the first query on."""
        conn = self.connect(dbname, LOADER_ROLE, application_name="sqlarena-loader",
                            options=f"-c statement_timeout={timeout_ms}")
        conn.autocommit = True
        steps = [("init", init), ("test data", data), ("after loading", "VACUUM ANALYZE")]
        try:
            for label, script in steps:
                if not script or not script.strip():
                    continue
                watchdog = Watchdog(conn.cancel, timeout_ms / 1000.0 + self.settings.watchdog_grace_ms / 1000.0)
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
                    raise DatasetLoadError(f"{label}: took longer than {timeout_ms} ms to load",
                                           "query_canceled") from None
                except psycopg2.Error as exc:
                    raise DatasetLoadError(f"{label}: {engine_message(exc)}", error_class(exc)) from None
                finally:
                    watchdog.stop()
        finally:
            close_quietly(conn)

    # -- health ---------------------------------------------------------------------
    def health(self) -> Optional[str]:
        try:
            conn = self.connect(connect_timeout=HEALTH_CONNECT_TIMEOUT_S, application_name="sqlarena-health")
        except psycopg2.Error as exc:
            return self.redact(f"PostgreSQL sandbox unreachable: {first_line(exc)}")[:300]
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchone()
            return None
        except psycopg2.Error as exc:
            return self.redact(f"PostgreSQL sandbox error: {first_line(exc)}")[:300]
        finally:
            close_quietly(conn)


def harden_template(cur) -> None:
    """Runs once per recipe version in the template: PUBLIC's defaults and dangerous functions revoked."""
    cur.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    conditions = " OR ".join("p.proname LIKE %s" if "%" in name else "p.proname = %s" for name in REVOKED_FUNCTIONS)
    cur.execute(f"SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.prokind IN ('f', 'w', 'a') "
                f"AND ({conditions})", REVOKED_FUNCTIONS)
    for (signature,) in cur.fetchall():
        cur.execute(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC")
    for relation in REVOKED_RELATIONS:
        cur.execute(f"REVOKE ALL ON pg_catalog.{relation} FROM PUBLIC")


def freeze_dataset(cur) -> None:
    """As superuser in the loaded dataset: SELECT-only for the query role, nothing more for the loader."""
    cur.execute(f"REVOKE CREATE ON SCHEMA public FROM {LOADER_ROLE}")
    cur.execute("SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema'"
                " AND nspname NOT LIKE 'pg\\_%'")
    for (schema,) in cur.fetchall():
        cur.execute(f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {QUERY_ROLE}")
        cur.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_ident(schema)} TO {QUERY_ROLE}")


def dataset_key(init: Optional[str], data: Optional[str]) -> str:
    """Content address of a dataset (and of the recipe that loads it)."""
    return DatasetKeys(salt=DATASET_RECIPE).key(init, data)


def is_ready(comment: Optional[str]) -> bool:
    return bool(comment) and comment.split(" ", 1)[0] == DATASET_READY


def ready_time(comment: Optional[str]) -> Optional[float]:
    """When the dataset finished loading (epoch seconds), if its marker says so."""
    if not is_ready(comment):
        return None
    try:
        return float(comment.split(" ", 1)[1])
    except (IndexError, ValueError):
        return None


def database_name(key: str) -> str:
    return DATASET_PREFIX + key[:24]


def load_timeout_ms(time_limit_ms: int) -> int:
    return max(LOAD_MIN_TIMEOUT_MS, 10 * int(time_limit_ms))


def connect_params(url: str) -> dict:
    params = psycopg2.extensions.parse_dsn(url)
    if "dbname" not in params:
        params["dbname"] = "postgres"
    return params


def close_quietly(conn) -> None:
    try:
        conn.close()
    except Exception as exc:  # closing a broken connection may fail; it is gone either way
        log.debug("closing a sandbox connection failed: %s", exc)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _lock_key(key: str) -> int:
    return int(key[:8], 16) - (1 << 31)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
