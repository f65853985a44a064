"""The PostgreSQL sandbox engine against a real server: results, timing, dataset reuse, isolation, walls."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.postgres import provisioning as postgres_module
from app.judge.engines.postgres import DATASET_PREFIX, PostgresEngine, Watchdog, dataset_key
from app.judge.events import TestCaseSpec as CaseSpec
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED
from tests.services_env import PG_ADMIN_URL, unavailable

psycopg2 = pytest.importorskip("psycopg2")

TIME_LIMIT_MS = 1000
MAX_ROWS = 10000
FAILED = {RUNTIME_ERROR, TIME_LIMIT_EXCEEDED, OUTPUT_LIMIT_EXCEEDED}

INIT = """
CREATE TABLE t (id integer PRIMARY KEY, name text NOT NULL, score numeric(6, 2));
CREATE SEQUENCE seq;
CREATE SCHEMA cd;
CREATE TABLE cd.members (memid integer PRIMARY KEY, surname text);
"""
DATA = """
INSERT INTO t VALUES (1, 'ada', 9.50), (2, 'bob', 7.25), (3, 'cy', NULL);
INSERT INTO cd.members VALUES (10, 'Smith'), (11, 'Jones');
"""
CASE = CaseSpec(id=1, data=DATA)
OTHER_INIT = "CREATE TABLE other_secret (x integer); INSERT INTO other_secret VALUES (42);"


@pytest.fixture(scope="module")
def pg_engine():
    engine = PostgresEngine(PG_ADMIN_URL, JudgeSettings())
    problem = engine.health()
    if problem:
        unavailable(f"PostgreSQL sandbox: {problem}")
    yield engine
    engine.close()


def run(engine, query, case=CASE, init=INIT, time_limit_ms=TIME_LIMIT_MS, max_rows=MAX_ROWS, timing_runs=1):
    return engine.execute("v-test", init, case, query, time_limit_ms, max_rows, timing_runs)


def admin_execute(sql: str) -> None:
    conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def data_unchanged(engine) -> None:
    outcome = run(engine, "SELECT count(*), sum(id), (SELECT count(*) FROM cd.members) FROM t")
    assert outcome.verdict is None, outcome.error
    assert outcome.result.rows == [(3, 6, 2)]


def test_plain_query_returns_rows_and_columns(pg_engine):
    outcome = run(pg_engine, "SELECT id, name AS who, score FROM t ORDER BY id;")
    assert outcome.verdict is None, outcome.error
    assert outcome.result.columns == ["id", "who", "score"]
    assert [(r[0], r[1]) for r in outcome.result.rows] == [(1, "ada"), (2, "bob"), (3, "cy")]
    assert float(outcome.result.rows[0][2]) == 9.5 and outcome.result.rows[2][2] is None
    assert outcome.result.truncated is False
    assert outcome.execution_ms is not None and outcome.execution_ms >= 0


def test_empty_result_keeps_columns(pg_engine):
    outcome = run(pg_engine, "SELECT id, name FROM t WHERE id < 0")
    assert outcome.verdict is None
    assert outcome.result.columns == ["id", "name"] and outcome.result.rows == []


def test_values_keep_their_types(pg_engine):
    outcome = run(pg_engine, """SELECT 1.5::numeric AS n, DATE '2024-02-29' AS d, '{"a": 1}'::jsonb AS j, NULL AS z""")
    assert outcome.verdict is None, outcome.error
    assert outcome.result.rows[0][0] == 1.5 and outcome.result.rows[0][1].isoformat() == "2024-02-29"
    assert outcome.result.rows[0][2] == '{"a": 1}' and outcome.result.rows[0][3] is None
    assert outcome.result.to_json() == '{"columns":["n","d","j","z"],"rows":[[1.5,"2024-02-29","{\\"a\\": 1}",null]]}'


def test_execution_ms_is_the_median_of_timing_runs(pg_engine):
    outcome = run(pg_engine, "SELECT count(*) FROM t", timing_runs=3)
    assert outcome.verdict is None
    assert len(outcome.timings_ms) == 3
    assert outcome.execution_ms == round(sorted(outcome.timings_ms)[1], 3)


def test_dataset_is_loaded_once_and_shared_across_engines(pg_engine):
    run(pg_engine, "SELECT 1")
    built = pg_engine.datasets_built
    started = time.perf_counter()
    assert run(pg_engine, "SELECT count(*) FROM t").result.rows == [(3,)]
    assert pg_engine.datasets_built == built
    assert time.perf_counter() - started < 0.5
    # Another process (here: another engine) finds the loaded database and does not rebuild it.
    other = PostgresEngine(PG_ADMIN_URL, JudgeSettings())
    try:
        assert run(other, "SELECT count(*) FROM t").result.rows == [(3,)]
        assert other.datasets_built == 0
    finally:
        other.close()


def test_init_schemas_are_queryable_by_name(pg_engine):
    outcome = run(pg_engine, "SELECT memid, surname FROM cd.members ORDER BY memid")
    assert outcome.verdict is None, outcome.error
    assert outcome.result.rows == [(10, "Smith"), (11, "Jones")]


def test_catalog_shows_only_this_datasets_objects(pg_engine):
    query = ("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
             "AND c.relkind = 'r' ORDER BY 1")
    mine = run(pg_engine, query)
    other = run(pg_engine, query, init=OTHER_INIT, case=CaseSpec(id=1, data=None))
    assert mine.verdict is None and other.verdict is None
    assert [r[0] for r in mine.result.rows] == ["members", "t"]
    assert [r[0] for r in other.result.rows] == ["other_secret"]
    tables = run(pg_engine, "SELECT table_schema, table_name FROM information_schema.tables "
                            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 2")
    assert tables.result.rows == [("cd", "members"), ("public", "t")]


def test_same_engine_serves_concurrent_threads(pg_engine):
    results: list = []

    def worker(n: int) -> None:
        for _ in range(5):
            results.append(run(pg_engine, f"SELECT {n} AS n, count(*) FROM t"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 30
    assert all(r.verdict is None and r.result.rows[0][1] == 3 for r in results)


HOSTILE = [
    "SELECT pg_sleep(5)",
    "SELECT pg_sleep_for('5 seconds')",
    "SELECT set_config('statement_timeout', '0', false)",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_ls_dir('.')",
    "SELECT pg_stat_file('postgresql.conf')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT lo_from_bytea(0, 'x')",
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
    "SELECT pg_cancel_backend(pg_backend_pid())",
    "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
    "WITH u AS (UPDATE t SET name = 'x' RETURNING *) SELECT * FROM u",
    "SELECT * FROM t FOR UPDATE",
    "SELECT nextval('seq')",
    "SELECT setval('seq', 100)",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "SELECT * FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
    "SELECT generate_series(1, 10000000)",
    "SELECT txid_current()",
    "SELECT pg_current_xact_id()",
    "SELECT pg_advisory_lock(1)",
    "SELECT pg_try_advisory_lock(1)",
    "SELECT pg_notify('c', 'x')",
    "SELECT * FROM sqlarena_ds_other.public.t",
    "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS x(a int)",
    "SELECT query_to_xml('SELECT pg_sleep(5)', true, false, '')",
    "SELECT datname FROM pg_database",
    "SELECT 1; SELECT pg_sleep(5)",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_fails_and_changes_nothing(pg_engine, query):
    started = time.perf_counter()
    outcome = run(pg_engine, query)
    assert outcome.verdict in FAILED, (query, outcome)
    assert outcome.error
    assert time.perf_counter() - started < TIME_LIMIT_MS / 1000 + 2
    data_unchanged(pg_engine)


@pytest.mark.parametrize("query, expected", [
    ("SELECT pg_sleep(5)", "permission denied for function pg_sleep"),
    ("SELECT set_config('statement_timeout', '0', false)", "permission denied for function set_config"),
    ("SELECT * FROM sqlarena_ds_other.public.t", "cross-database references are not implemented"),
    ("SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS x(a int)", "function dblink(unknown, unknown) does not exist"),
    ("SELECT * FROM missing_table", 'relation "missing_table" does not exist (at character 15)'),
    ("SELECT generate_series(1, 10000000)", "more than 10000 rows"),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
     "time limit of 1000 ms exceeded"),
])
def test_engine_messages_are_the_servers(pg_engine, query, expected):
    assert expected in run(pg_engine, query).error


def test_huge_value_does_not_crash(pg_engine):
    outcome = run(pg_engine, "SELECT repeat('x', 100000000)")
    assert outcome.verdict in FAILED | {None}
    data_unchanged(pg_engine)


def test_server_settings_are_hidden_or_harmless(pg_engine):
    outcome = run(pg_engine, "SELECT current_setting('data_directory')")
    assert outcome.verdict == RUNTIME_ERROR
    outcome = run(pg_engine, "SELECT current_setting('statement_timeout'), current_setting('transaction_read_only')")
    assert outcome.result.rows == [("1s", "on")]


def test_other_sessions_are_invisible(pg_engine):
    outcome = run(pg_engine, "SELECT pid, query FROM pg_stat_activity WHERE pid <> pg_backend_pid()")
    assert outcome.verdict == RUNTIME_ERROR or all(r[1] in (None, "") for r in outcome.result.rows)


def test_query_runs_as_the_unprivileged_role(pg_engine):
    outcome = run(pg_engine, "SELECT current_user, session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
    assert outcome.result.rows == [("sqlarena_query", "sqlarena_query", False)]


def test_watchdog_cancels_a_running_statement(pg_engine):
    conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    try:
        watchdog = Watchdog(conn.cancel, 0.3)
        started = time.perf_counter()
        with pytest.raises(psycopg2.errors.QueryCanceled):
            with conn.cursor() as cur:
                cur.execute("SELECT pg_sleep(10)")
        watchdog.stop()
        assert watchdog.fired and time.perf_counter() - started < 3
    finally:
        conn.close()


def test_dropped_or_half_built_dataset_is_rebuilt(pg_engine):
    case = CaseSpec(id=1, data=f"INSERT INTO t VALUES (1, '{uuid.uuid4().hex}', 1)")
    dbname = DATASET_PREFIX + dataset_key(INIT, case.data)[:24]
    try:
        # A half-built database (no ready marker, as a crashed loader leaves it) is dropped and rebuilt.
        admin_execute(f"CREATE DATABASE {dbname}")
        built = pg_engine.datasets_built
        assert run(pg_engine, "SELECT count(*) FROM t", case=case).result.rows == [(1,)]
        assert pg_engine.datasets_built == built + 1
        # A database dropped under the engine's pooled connections is rebuilt on the next run.
        admin_execute(f"DROP DATABASE {dbname} WITH (FORCE)")
        assert run(pg_engine, "SELECT count(*) FROM t", case=case).result.rows == [(1,)]
        assert pg_engine.datasets_built == built + 2
    finally:
        pg_engine.close()
        admin_execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


def test_concurrent_first_runs_load_a_dataset_once(pg_engine):
    case = CaseSpec(id=1, data=f"INSERT INTO t VALUES (1, '{uuid.uuid4().hex}', 1), (2, 'x', 2)")
    dbname = DATASET_PREFIX + dataset_key(INIT, case.data)[:24]
    built = pg_engine.datasets_built
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(run(pg_engine, "SELECT count(*) FROM t", case=case)))
               for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert [r.result.rows for r in results] == [[(2,)]] * 4
        assert pg_engine.datasets_built == built + 1
    finally:
        pg_engine.close()
        admin_execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


def test_evicted_datasets_lose_their_pooled_connections():
    engine = PostgresEngine(PG_ADMIN_URL, JudgeSettings(dataset_cache_size=1))
    try:
        assert run(engine, "SELECT count(*) FROM t").verdict is None
        first = set(engine.pooled_connections())
        assert run(engine, "SELECT 1", init=OTHER_INIT, case=CaseSpec(id=1, data=None)).verdict is None
        second = set(engine.pooled_connections())
        assert len(first) == 1 and len(second) == 1 and first != second
    finally:
        engine.close()
    assert engine.pooled_connections() == {}


def test_validate_accepts_a_working_challenge(pg_engine):
    cases = [CASE, CaseSpec(id=2, data="INSERT INTO t VALUES (5, 'eve', 1)")]
    pg_engine.validate(INIT, cases, "SELECT name FROM t ORDER BY id", TIME_LIMIT_MS)


def test_validate_reports_a_broken_init(pg_engine):
    with pytest.raises(ChallengeInvalid) as caught:
        pg_engine.validate("CREATE TABLE broken (id integer", [CASE], "SELECT 1", TIME_LIMIT_MS)
    message = str(caught.value)
    assert "init" in message and "syntax error" in message
    assert "postgresql://" not in message


def test_validate_reports_a_broken_test_case(pg_engine):
    cases = [CASE, CaseSpec(id=2, data="INSERT INTO nowhere VALUES (1)")]
    with pytest.raises(ChallengeInvalid) as caught:
        pg_engine.validate(INIT, cases, "SELECT 1", TIME_LIMIT_MS)
    assert "test case 2" in str(caught.value) and 'relation "nowhere" does not exist' in str(caught.value)


def test_validate_reports_a_failing_solution(pg_engine):
    with pytest.raises(ChallengeInvalid) as caught:
        pg_engine.validate(INIT, [CASE], "SELECT nope FROM t", TIME_LIMIT_MS)
    assert "test case 1" in str(caught.value) and 'column "nope" does not exist' in str(caught.value)


def test_loader_is_unprivileged_too(pg_engine):
    for init in ("SELECT pg_sleep(5)", "SELECT pg_read_file('/etc/passwd')", "CREATE DATABASE escape",
                 "ALTER ROLE sqlarena_loader SUPERUSER", "COPY (SELECT 1) TO PROGRAM 'true'"):
        with pytest.raises(ChallengeInvalid):
            pg_engine.validate(init, [CASE], "SELECT 1", TIME_LIMIT_MS)


def test_loader_time_limit_survives_its_own_set(pg_engine, monkeypatch):
    monkeypatch.setattr(postgres_module, "LOAD_MIN_TIMEOUT_MS", 200)
    init = ("SET statement_timeout = 0; "
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r")
    started = time.perf_counter()
    with pytest.raises(ChallengeInvalid) as caught:
        pg_engine.validate(init, [CASE], "SELECT 1", 100)
    assert "took longer than" in str(caught.value)
    assert time.perf_counter() - started < 5


def test_init_left_in_an_open_transaction_is_kept(pg_engine):
    init = "BEGIN; CREATE TABLE kept (x integer); INSERT INTO kept VALUES (1), (2);"
    outcome = run(pg_engine, "SELECT count(*) FROM kept", init=init, case=CaseSpec(id=1, data=None))
    assert outcome.verdict is None, outcome.error
    assert outcome.result.rows == [(2,)]


def test_health_reports_without_credentials():
    broken = PostgresEngine("postgresql://nobody:hunter2secret@127.0.0.1:1/postgres", JudgeSettings())
    problem = broken.health()
    assert problem and "hunter2secret" not in problem
    broken.close()
