"""Hostile SQL through the public API, on both engines: nothing is ACCEPTED, nothing changes,
every attempt ends within its time limit + 2 s, and /api/health keeps answering throughout."""
import os
import threading
import time

import pytest

from tests.helpers import challenge_body, require_engine

TIME_LIMIT_MS = 500
SECRET_INIT = "CREATE TABLE secrets (id INTEGER PRIMARY KEY, owner TEXT, token TEXT);"
SECRET_DATA = "INSERT INTO secrets VALUES (1, 'ann', 'tok-1'), (2, 'bob', 'tok-2'), (3, 'cid', 'tok-3');"
SOLUTION = "SELECT id, owner FROM secrets ORDER BY id"
ANY_BAD = {"REJECTED", "RUNTIME_ERROR", "TIME_LIMIT_EXCEEDED", "OUTPUT_LIMIT_EXCEEDED", "WRONG_ANSWER"}

BOTH = [
    ("delete", "DELETE FROM secrets", {"REJECTED"}),
    ("insert", "INSERT INTO secrets VALUES (9, 'eve', 'x')", {"REJECTED"}),
    ("update", "UPDATE secrets SET owner = 'eve'", {"REJECTED"}),
    ("drop", "DROP TABLE secrets", {"REJECTED"}),
    ("create", "CREATE TABLE stolen AS SELECT * FROM secrets", {"REJECTED"}),
    ("multi", "SELECT id, owner FROM secrets; DELETE FROM secrets", {"REJECTED"}),
    ("multi-comment", "SELECT id, owner FROM secrets -- ;\n; DROP TABLE secrets", {"REJECTED"}),
    ("writing-cte", "WITH d AS (DELETE FROM secrets RETURNING *) SELECT id, owner FROM d", {"REJECTED"}),
    ("select-into", "SELECT * INTO stolen FROM secrets", {"REJECTED"}),
    ("begin", "BEGIN", {"REJECTED"}),
    ("sleep", "SELECT sleep(3)", {"REJECTED"}),
    ("recursion", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*), 1 FROM r",
     {"TIME_LIMIT_EXCEEDED"}),
    ("huge-result", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n, n FROM r",
     {"OUTPUT_LIMIT_EXCEEDED", "TIME_LIMIT_EXCEEDED"}),
    ("app-database", "SELECT id, email FROM users", {"RUNTIME_ERROR"}),
    ("other-challenge", "SELECT id, owner FROM other_challenge_table", {"RUNTIME_ERROR"}),
    ("deep-nesting", "SELECT " + "(" * 3000 + "1" + ")" * 3000 + ", 1", {"REJECTED", "RUNTIME_ERROR"}),
]
SQLITE_ONLY = [
    ("attach", "ATTACH DATABASE '/tmp/sqlarena-evil.db' AS evil", {"REJECTED"}),
    ("pragma", "PRAGMA writable_schema = 1", {"REJECTED"}),
    ("pragma-function", "SELECT name, type FROM pragma_table_info('secrets')", {"RUNTIME_ERROR"}),
    ("load-extension", "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6'), 1", {"REJECTED"}),
    ("readfile", "SELECT readfile('/etc/passwd'), 1", {"REJECTED"}),
    ("fts3-tokenizer", "SELECT fts3_tokenizer('simple'), 1", {"REJECTED"}),
    ("vacuum-into", "VACUUM INTO '/tmp/sqlarena-stolen.db'", {"REJECTED"}),
    ("zeroblob", "SELECT zeroblob(1000000000), 1", {"RUNTIME_ERROR"}),
    ("cross-join",
     "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000) "
     "SELECT count(*), 1 FROM r a, r b", {"TIME_LIMIT_EXCEEDED"}),
]
POSTGRES_ONLY = [
    ("pg-sleep", "SELECT pg_sleep(5)", {"REJECTED"}),
    ("pg-sleep-qualified", "SELECT pg_catalog.pg_sleep(5), 1", {"REJECTED", "RUNTIME_ERROR"}),
    ("lift-timeout", "SET statement_timeout = 0", {"REJECTED"}),
    ("lift-timeout-multi", "SELECT 1, 2; SET statement_timeout = 0", {"REJECTED"}),
    ("escape-read-only", "COMMIT; SET default_transaction_read_only = off; BEGIN", {"REJECTED"}),
    ("set-config", "SELECT set_config('statement_timeout', '0', false), 1", {"REJECTED"}),
    ("reset-role", "RESET ROLE", {"REJECTED"}),
    ("set-role", "SET ROLE postgres", {"REJECTED"}),
    ("read-file", "SELECT pg_read_file('/etc/passwd'), 1", {"REJECTED"}),
    ("ls-dir", "SELECT pg_ls_dir('.'), 1", {"REJECTED"}),
    ("lo-import", "SELECT lo_import('/etc/passwd'), 1", {"REJECTED"}),
    ("lo-from-bytea", "SELECT lo_from_bytea(0, 'x'), 1", {"RUNTIME_ERROR"}),
    ("copy-program", "COPY secrets TO PROGRAM 'id'", {"REJECTED"}),
    ("dblink", "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(a int)", {"REJECTED"}),
    ("terminate", "SELECT pg_terminate_backend(pid), 1 FROM pg_stat_activity", {"REJECTED"}),
    ("advisory-lock", "SELECT pg_advisory_lock(1), 1", {"RUNTIME_ERROR"}),
    ("txid", "SELECT txid_current(), 1", {"RUNTIME_ERROR"}),
    ("for-update", "SELECT id, owner FROM secrets FOR UPDATE", {"REJECTED"}),
    ("other-sessions", "SELECT pid, query FROM pg_stat_activity", {"RUNTIME_ERROR", "WRONG_ANSWER"}),
    ("cross-join", "SELECT count(*), 1 FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
     {"TIME_LIMIT_EXCEEDED"}),
    ("series", "SELECT g, g FROM generate_series(1, 10000000) g", {"OUTPUT_LIMIT_EXCEEDED", "TIME_LIMIT_EXCEEDED"}),
    ("huge-value", "SELECT repeat('x', 100000000), 1", ANY_BAD),
    ("error-leak", "SELECT CAST(token AS integer), 1 FROM secrets", {"RUNTIME_ERROR"}),
    ("cross-database", "SELECT id, owner FROM postgres.public.secrets", {"RUNTIME_ERROR"}),
]
CASES = ([("sqlite",) + c for c in BOTH + SQLITE_ONLY] + [("postgresql",) + c for c in BOTH + POSTGRES_ONLY])


@pytest.fixture
def health_watch(client):
    """Polls /api/health in the background; yields the list of non-200 answers."""
    failures, stop = [], threading.Event()

    def poll():
        while not stop.is_set():
            status = client.get("/api/health").status_code
            if status != 200:
                failures.append(status)
            time.sleep(0.05)
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    yield failures
    stop.set()
    thread.join(timeout=5)


def hostile_challenge(client, headers, engine: str) -> int:
    body = challenge_body(init=SECRET_INIT, solution=SOLUTION, engine=engine, time_limit_ms=TIME_LIMIT_MS,
                          test_cases=[{"data": SECRET_DATA, "is_visible": False}])
    response = client.post("/api/challenges", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]["id"]


def submit_and_wait(client, headers, challenge_id: int, query: str) -> tuple[dict, float]:
    started = time.monotonic()
    response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query}, headers=headers)
    assert response.status_code == 202, response.get_json()
    attempt_id = response.get_json()["data"]["id"]
    while time.monotonic() - started < 30:
        data = client.get(f"/api/attempts/{attempt_id}", headers=headers).get_json()["data"]
        if data["status"] in ("COMPLETED", "FAILED"):
            return data, time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError(f"attempt {attempt_id} not judged: {data}")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_hostile_battery(app, client, make_user, health_watch, engine):
    require_engine(app, engine)
    author, player = make_user("instructor"), make_user()
    challenge_id = hostile_challenge(client, author["headers"], engine)
    cases = [c for c in CASES if c[0] == engine]
    assert len(cases) >= 20
    outcomes = {}
    for _, name, query, verdicts in cases:
        attempt, elapsed_s = submit_and_wait(client, player["headers"], challenge_id, query)
        outcomes[name] = attempt["verdict"]
        assert attempt["status"] == "COMPLETED", (name, attempt)
        assert attempt["verdict"] in verdicts, (name, attempt["verdict"], attempt["cases"][0]["error"])
        assert elapsed_s <= TIME_LIMIT_MS / 1000 + 2, (name, elapsed_s)
    solved, _ = submit_and_wait(client, player["headers"], challenge_id, SOLUTION)   # data unchanged
    assert solved["verdict"] == "ACCEPTED", solved
    assert health_watch == []
    assert not attempt_leaked_secret(client, player["headers"])
    assert not os.path.exists("/tmp/sqlarena-evil.db") and not os.path.exists("/tmp/sqlarena-stolen.db")


def attempt_leaked_secret(client, headers) -> bool:
    """Hidden-case results never reach the player, whatever the query did."""
    items = client.get("/api/attempts?size=100", headers=headers).get_json()["data"]
    for item in items:
        full = client.get(f"/api/attempts/{item['id']}", headers=headers).get_json()["data"]
        if any("tok-" in (case.get("actual_result") or "") + (case.get("feedback") or "")
               + (case.get("error") or "") for case in full["cases"]):
            return True
    return False

