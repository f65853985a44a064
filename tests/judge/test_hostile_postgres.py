"""Hostile queries against the PostgreSQL sandbox, each class asserting the outcome (SPEC 9.7):
one statement only, no setting or role change that outlives the run, bounded results and datasets,
unused dataset databases dropped. Queries go straight to the engine's execute, bypassing the gate."""
from __future__ import annotations

import time
import uuid

import pytest

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.postgres import PostgresEngine
from app.judge.engines.postgres.provisioning import DATASET_READY, QUERY_ROLE
from app.judge.events import TestCaseSpec as CaseSpec
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR
from tests.helpers import assert_error
from tests.services_env import PG_ADMIN_URL, unavailable

psycopg2 = pytest.importorskip("psycopg2")

TIME_LIMIT_MS = 1000
INIT = "CREATE TABLE t (id integer PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'ada'), (2, 'bob');"
CASE = CaseSpec(id=1, data=None)
SESSION_SETTINGS = ("application_name", "search_path", "TimeZone", "work_mem", "statement_timeout")
SETTINGS_QUERY = "SELECT " + ", ".join(f"current_setting('{name}')" for name in SESSION_SETTINGS)

SMUGGLED = [
    "SELECT 1; SET application_name = 'owned'",
    "SELECT 1; COMMIT; SET search_path = pg_catalog; SET TimeZone = 'Asia/Tokyo'; SET work_mem = '8GB'",
    "SELECT 1; COMMIT; BEGIN READ WRITE; ALTER ROLE CURRENT_USER SET search_path = pg_catalog; COMMIT",
    "SELECT 1; COMMIT; ALTER ROLE sqlarena_query IN DATABASE postgres SET work_mem = '8GB'",
    "SELECT interval\u00a0$a$; COMMIT; SET statement_timeout = 0; $a$",
    "SELECT 1; SET SESSION statement_timeout = 0; SELECT 2",
    "SELECT 1; DECLARE k CURSOR WITH HOLD FOR SELECT 1",
    "SELECT 1;; PREPARE p AS SELECT 1",
]
DIRECT = [   # single statements that would change the role or the session if they ran
    "ALTER ROLE CURRENT_USER SET search_path = pg_catalog",
    "ALTER ROLE sqlarena_query IN DATABASE postgres SET work_mem = '8GB'",
    "SET application_name = 'owned'",
    "SELECT set_config('search_path', 'pg_catalog', false)",
    "RESET ROLE",
]


@pytest.fixture(scope="module")
def engine():
    engine = PostgresEngine(PG_ADMIN_URL, JudgeSettings())
    problem = engine.health()
    if problem:
        unavailable(f"PostgreSQL sandbox: {problem}")
    yield engine
    engine.close()


def run(engine, query, case=CASE, init=INIT, time_limit_ms=TIME_LIMIT_MS):
    version = f"v-{abs(hash((init, case.data)))}"   # the memo key: one version per content
    return engine.execute(version, init, case, query, time_limit_ms, 10000, 1)


def admin_rows(sql: str, params=()) -> list[tuple]:
    conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def role_settings() -> list[tuple]:
    """(database or None, setting) of every default the query role carries."""
    return admin_rows("SELECT d.datname, unnest(s.setconfig) FROM pg_db_role_setting s"
                      " JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase"
                      " WHERE r.rolname = %s ORDER BY 1, 2", (QUERY_ROLE,))


def defaults(engine) -> tuple:
    outcome = run(engine, SETTINGS_QUERY)
    assert outcome.verdict is None, outcome.error
    return outcome.result.rows[0]


def only_the_engines_settings(engine) -> None:
    expected = engine.provisioner.query_role_settings()
    for database, setting in role_settings():
        name, value = setting.split("=", 1)
        assert database is None, (database, setting)
        assert name in expected and "pg_catalog" not in value and value != "8GB", setting


@pytest.mark.parametrize("query", SMUGGLED + DIRECT)
def test_a_second_statement_or_a_session_change_never_runs(engine, query):
    before = defaults(engine)
    assert before[0] == "sqlarena-query" and before[4] == "1s"
    pooled = engine.pooled_connections()
    outcome = run(engine, query)
    assert outcome.verdict == RUNTIME_ERROR, (query, outcome)
    assert outcome.error_class, outcome
    # The same pooled connection (one per dataset here) serves the next attempt with the defaults.
    assert engine.pooled_connections() == pooled
    assert defaults(engine) == before
    only_the_engines_settings(engine)


def test_multi_statement_is_refused_by_the_server_itself(engine):
    outcome = run(engine, "SELECT 1; SELECT 2")
    assert outcome.verdict == RUNTIME_ERROR
    assert "cannot insert multiple commands into a prepared statement" in outcome.error
    assert outcome.error_class == "syntax_error"


def test_a_dirty_session_is_reset_before_reuse(engine):
    """Layer 3 on its own: even a session changed behind the engine's back comes back clean."""
    before = defaults(engine)
    dbname = engine.dataset_name(INIT, None)
    conn = engine.pool.checkout(dbname)
    conn.execute("SET application_name = 'owned'; SET search_path = pg_catalog; SET TimeZone = 'Asia/Tokyo'; "
                 "SET work_mem = '1GB'; SET statement_timeout = 0")
    engine.pool.checkin(dbname, conn)
    assert defaults(engine) == before


def test_role_settings_planted_per_database_are_cleared_at_setup(engine):
    run(engine, "SELECT 1")
    dbname = engine.dataset_name(INIT, None)
    admin_rows(f"ALTER ROLE {QUERY_ROLE} IN DATABASE {dbname} SET search_path = pg_catalog")
    admin_rows(f"ALTER ROLE {QUERY_ROLE} SET application_name = 'owned'")
    fresh = PostgresEngine(PG_ADMIN_URL, JudgeSettings())
    try:
        outcome = run(fresh, "SELECT current_setting('search_path'), current_setting('jit'),"
                             " current_setting('max_parallel_workers_per_gather'), count(*) FROM t")
        assert outcome.verdict is None, outcome.error
        assert outcome.result.rows == [('"$user", public', "off", "0", 2)]
    finally:
        fresh.close()
    only_the_engines_settings(engine)


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.parametrize("query", [
    "SELECT repeat('x', 200000000)",
    "SELECT repeat('x', 3000000) FROM generate_series(1, 40)",
    "SELECT array_agg(repeat('x', 1000000)) FROM generate_series(1, 20)",
])
def test_huge_results_are_output_limit_exceeded_with_bounded_memory(engine, query):
    run(engine, "SELECT 1")
    before = rss_kb()
    outcome = run(engine, query, time_limit_ms=20_000)   # so the size decides, not a slow machine
    assert outcome.verdict == OUTPUT_LIMIT_EXCEEDED, outcome
    assert "larger than 8 MB" in outcome.error
    assert rss_kb() - before < 64 * 1024          # retained growth, well under the 200 MB made
    assert run(engine, "SELECT count(*) FROM t").result.rows == [(2,)]


def test_runtime_errors_carry_the_sqlstate_condition_name(engine):
    for query, expected in (("SELECT 1 / 0", "division_by_zero"),
                            ("SELECT 'nope'::date", "invalid_datetime_format"),
                            ("SELECT make_date(2024, 13, 1)", "datetime_field_overflow"),
                            ("SELECT nope FROM t", "undefined_column")):
        outcome = run(engine, query)
        assert outcome.verdict == RUNTIME_ERROR and outcome.error_class == expected, (query, outcome)


def test_an_oversized_dataset_is_refused_and_dropped():
    small = PostgresEngine(PG_ADMIN_URL, JudgeSettings(max_dataset_bytes=2 * 1024 * 1024))
    init = f"CREATE TABLE big AS SELECT repeat(md5(g::text), 20) AS v, '{uuid.uuid4().hex}' AS tag" \
           " FROM generate_series(1, 20000) g"
    try:
        with pytest.raises(ChallengeInvalid) as caught:
            small.validate(init, [CASE], "SELECT 1", TIME_LIMIT_MS)
        assert "more than the limit of 2.0 MB" in str(caught.value)
        assert admin_rows("SELECT 1 FROM pg_database WHERE datname = %s", (small.dataset_name(init, None),)) == []
    finally:
        small.close()


def test_datasets_together_over_the_limit_are_refused():
    small = PostgresEngine(PG_ADMIN_URL, JudgeSettings(max_dataset_bytes=1200 * 1024))
    init = "CREATE TABLE big (v text)"
    data = "INSERT INTO big SELECT repeat(md5(g::text), 10) || '{tag}' FROM generate_series(1, 1500) g"
    cases = [CaseSpec(id=n, data=data.format(tag=uuid.uuid4().hex)) for n in (1, 2, 3)]
    try:
        with pytest.raises(ChallengeInvalid) as caught:
            small.validate(init, cases, "SELECT count(*) FROM big", TIME_LIMIT_MS)
        assert "together take more than" in str(caught.value)
    finally:
        small.close()


def backdate(dbname: str, seconds: float = 3600) -> None:
    admin_rows(f"COMMENT ON DATABASE {dbname} IS %s", (f"{DATASET_READY} {int(time.time() - seconds)}",))


def exists(dbname: str) -> bool:
    return bool(admin_rows("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)))


def test_janitor_drops_an_unused_dataset_and_keeps_a_used_one(engine):
    used_init, unused_init, busy_init = (f"CREATE TABLE u (x integer); -- {uuid.uuid4().hex}" for _ in range(3))
    for init in (used_init, unused_init, busy_init):
        assert run(engine, "SELECT count(*) FROM u", init=init).verdict is None
    used, unused, busy = (engine.dataset_name(init, None) for init in (used_init, unused_init, busy_init))
    for dbname in (used, unused, busy):
        backdate(dbname)
    engine.pool.forget(used)
    engine.pool.forget(unused)             # `busy` keeps its pooled connection: someone is using it
    fresh = engine.dataset_name(f"CREATE TABLE f (x integer); -- {uuid.uuid4().hex}", None)
    everyone_elses = {name for (name,) in admin_rows("SELECT datname FROM pg_database")} - {unused, busy}
    dropped = engine.drop_unused_datasets(everyone_elses | {used}, grace_s=600)
    assert dropped == [unused] and fresh not in dropped
    assert not exists(unused) and exists(used) and exists(busy)
    # A dropped dataset is rebuilt when someone needs it again.
    assert run(engine, "SELECT count(*) FROM u", init=unused_init).result.rows == [(0,)]


def test_janitor_keeps_recent_datasets(engine):
    init = f"CREATE TABLE r (x integer); -- {uuid.uuid4().hex}"
    assert run(engine, "SELECT 1", init=init).verdict is None
    dbname = engine.dataset_name(init, None)
    engine.pool.forget(dbname)
    everyone_elses = {name for (name,) in admin_rows("SELECT datname FROM pg_database")} - {dbname}
    assert engine.drop_unused_datasets(everyone_elses, grace_s=600) == []
    assert exists(dbname)


# -- through HTTP ------------------------------------------------------------------------


def pg_challenge(**overrides) -> dict:
    tag = uuid.uuid4().hex
    body = {"name": "PG items", "description": "d", "type": "FE", "engine": "postgresql",
            "init": f"CREATE TABLE items (id integer, name text); -- {tag}",
            "solution": "SELECT id, name FROM items ORDER BY id",
            "test_cases": [{"data": "INSERT INTO items VALUES (1, 'a'), (2, 'b')", "is_visible": True}]}
    body.update(overrides)
    return body


def sandbox_engine(app):
    from app.extensions import judging
    return judging.of(app).engines["postgresql"]


def test_http_oversized_dataset_is_422(app, client, make_user, monkeypatch):
    from dataclasses import replace
    engine = sandbox_engine(app)
    monkeypatch.setattr(engine, "settings", replace(engine.settings, max_dataset_bytes=1024 * 1024))
    monkeypatch.setattr(engine.provisioner, "settings", engine.settings)
    owner = make_user("admin")
    body = pg_challenge(init=f"CREATE TABLE items AS SELECT g AS id, repeat(md5(g::text), 20) AS name"
                             f" FROM generate_series(1, 10000) g; -- {uuid.uuid4().hex}")
    message = assert_error(client.post("/api/challenges", json=body, headers=owner["headers"]), 422)["message"]
    assert "MB" in message


def test_http_deleting_a_challenge_drops_its_datasets(app, client, make_user):
    owner = make_user("admin")
    kept_body, gone_body = pg_challenge(), pg_challenge()
    kept = client.post("/api/challenges", json=kept_body, headers=owner["headers"]).get_json()["data"]
    gone = client.post("/api/challenges", json=gone_body, headers=owner["headers"]).get_json()["data"]
    engine = sandbox_engine(app)
    data = kept_body["test_cases"][0]["data"]
    kept_db, gone_db = engine.dataset_name(kept_body["init"], data), engine.dataset_name(gone_body["init"], data)
    assert exists(kept_db) and exists(gone_db)
    backdate(kept_db)
    backdate(gone_db)
    engine.pool.forget(kept_db)
    engine.pool.forget(gone_db)
    response = client.delete(f"/api/challenges/{gone['id']}", headers=owner["headers"])
    assert response.status_code == 200, response.get_json()
    assert not exists(gone_db) and exists(kept_db), kept
