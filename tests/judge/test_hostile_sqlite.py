"""Hostile players against the SQLite engine's resources (SPEC 9.7): every class of attack below is
checked by its outcome — sizes of what is returned and stored, memory of the server, the engine's
own bookkeeping — not by the payload that once showed it."""
import json
import os
import threading

import pytest

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.sqlite import SqliteEngine
from app.judge.events import TestCaseSpec
from app.judge.results import ResultSet
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED
from tests.helpers import assert_error, challenge_body

MB = 1024 * 1024
ROWS_OF_2MB = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 40) "
               "SELECT printf('%.*c', 2000000, 'x') AS big, n FROM r")
WIDE_ROW = "SELECT " + ", ".join(f"printf('%.*c', 5000000, 'x') AS c{i}" for i in range(20))
# 600 bytes of SQL that would make ~200 MB of data if nothing stopped it
HUGE_DATA = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 20) "
             "INSERT INTO blobs SELECT n, zeroblob(10000000) FROM r;")
LONG_SOLUTION = "SELECT id, printf('%.*c', 3000, 'a') || name AS long FROM items ORDER BY id"


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def attempt_of(client, player, challenge_id, query, wait_judged) -> dict:
    response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query},
                           headers=player["headers"])
    assert response.status_code == 202, response.get_json()
    return wait_judged(response.get_json()["data"]["id"], player["headers"])


# -- result sizes --------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [ROWS_OF_2MB, WIDE_ROW], ids=["many-big-rows", "one-wide-row"])
def test_huge_result_is_output_limit_exceeded_and_stays_small(client, make_user, make_challenge, wait_judged,
                                                              query):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    run = client.post(f"/api/challenges/{challenge['id']}/run", json={"query": query}, headers=player["headers"])
    assert run.status_code == 200
    assert len(run.data) < 100_000, len(run.data)            # was 80 MB in one response
    assert run.get_json()["data"][0]["rows"] == []
    assert run.get_json()["data"][0]["error"]
    judged = attempt_of(client, player, challenge["id"], query, wait_judged)
    assert judged["verdict"] in (OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR), judged
    stored = client.get(f"/api/attempts/{judged['id']}", headers=player["headers"])
    assert len(stored.data) < 100_000, len(stored.data)      # was ~100 MB per case


def test_a_row_of_many_big_values_fails_before_it_exhausts_memory():
    """Each value within the length limit, 3.2 GB together in one row: SQLite's heap limit stops it."""
    engine = SqliteEngine(JudgeSettings())
    wide = "SELECT " + ", ".join(f"hex(zeroblob(4000000)) AS c{i}" for i in range(400))
    peak, stop = [0], threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_bytes())
    before = rss_bytes()
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run = engine.execute("v", "CREATE TABLE t (a);", TestCaseSpec(id=1, data=None), wide, 10_000, 10)
    finally:
        stop.set()
        watcher.join()
        engine.close()
    assert run.verdict == RUNTIME_ERROR and run.error_class == "MemoryError", (run.verdict, run.error)
    assert peak[0] - before < engine.heap_limit_bytes + 200 * MB, (peak[0] - before) // MB


def test_result_over_the_byte_cap_is_ole_within_the_row_cap():
    engine = SqliteEngine(JudgeSettings(max_result_bytes=1 * MB))
    try:
        case = TestCaseSpec(id=1, data=None)
        over = engine.execute("v", "", case, ROWS_OF_2MB.replace("2000000", "100000"), 2000, 10_000)
        under = engine.execute("v", "", case, ROWS_OF_2MB.replace("2000000", "10000"), 2000, 10_000)
    finally:
        engine.close()
    assert over.verdict == OUTPUT_LIMIT_EXCEEDED and "KB" in over.error            # 40 × 100 KB = 4 MB
    assert under.verdict is None and len(under.result.rows) == 40                # 40 × 10 KB = 400 KB


def test_every_returned_and_stored_value_is_cut_to_1000_chars(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    challenge = make_challenge(author, solution=LONG_SOLUTION)
    run = client.post(f"/api/challenges/{challenge['id']}/run", json={"query": LONG_SOLUTION},
                      headers=player["headers"]).get_json()["data"][0]
    assert run["truncated"] is True and run["error"] is None
    assert [len(row[1]) for row in run["rows"]] == [1000, 1000, 1000]
    judged = attempt_of(client, player, challenge["id"], LONG_SOLUTION, wait_judged)
    assert judged["verdict"] == "ACCEPTED", judged
    visible = judged["cases"][0]
    for stored in (visible["expected_result"], visible["actual_result"]):
        result = json.loads(stored)
        assert result["truncated"] is True
        assert max(len(str(v)) for row in result["rows"] for v in row) == 1000


def test_comparison_still_uses_the_full_values(client, make_user, make_challenge, wait_judged):
    """Two answers that differ only after the 1,000th character: the cut previews match, the verdict does not."""
    author, player = make_user(), make_user()
    challenge = make_challenge(author, solution=LONG_SOLUTION)
    wrong = LONG_SOLUTION.replace("|| name", "|| name || 'z'")
    judged = attempt_of(client, player, challenge["id"], wrong, wait_judged)
    assert judged["verdict"] == "WRONG_ANSWER"
    case = judged["cases"][0]
    assert json.loads(case["expected_result"])["rows"] == json.loads(case["actual_result"])["rows"]


def test_result_set_cuts_blobs_and_text_in_one_place():
    result = ResultSet(["t", "b", "n"], [("x" * 5000, b"\x01" * 5000, 7)])
    payload = json.loads(result.to_json())
    assert payload["truncated"] is True
    assert [len(payload["rows"][0][0]), len(payload["rows"][0][1]), payload["rows"][0][2]] == [1000, 1000, 7]
    assert "truncated" not in json.loads(ResultSet(["t"], [("short",)]).to_json())


# -- dataset memory ------------------------------------------------------------------------------

def test_oversized_datasets_are_refused_while_loading_and_memory_stays_bounded(client, make_user):
    author = make_user("instructor")
    body = challenge_body(init="CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB);",
                          solution="SELECT count(*) FROM blobs",
                          test_cases=[{"data": HUGE_DATA, "is_visible": True} for _ in range(3)])
    before = rss_bytes()
    response = client.post("/api/challenges", json=body, headers=author["headers"])
    grown = rss_bytes() - before
    message = assert_error(response, 422)["message"]
    assert "64 MB" in message and "JUDGE_MAX_DATASET_BYTES" in message, message
    assert grown < 200 * MB, f"server grew by {grown // MB} MB"        # was 3 GB
    assert client.get("/api/challenges?size=100", headers=author["headers"]).get_json()["meta"]["total"] == 0


def test_datasets_count_together_against_the_challenge_budget():
    engine = SqliteEngine(JudgeSettings(max_dataset_bytes=8 * MB))
    init = "CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB);"
    three_mb = "INSERT INTO blobs VALUES (1, zeroblob(3000000));"
    cases = [TestCaseSpec(id=i, data=three_mb.replace("(1,", f"({i},")) for i in (1, 2, 3)]
    try:
        engine.validate(init, cases[:2], "SELECT count(*) FROM blobs", 1000)           # 6 MB: fine
        with pytest.raises(ChallengeInvalid, match="test case 3: .*bigger than 8 MB together"):
            engine.validate(init, cases, "SELECT count(*) FROM blobs", 1000)           # 9 MB: refused
        with pytest.raises(ChallengeInvalid, match="bigger than 8 MB"):                # temp tables count too
            engine.validate(init + "CREATE TEMP TABLE t AS SELECT zeroblob(9000000) AS b;", [], "SELECT 1", 1000)
    finally:
        engine.close()


def test_dataset_cache_stays_under_its_byte_bound_with_many_threads():
    """Images and private copies together, idle or in use, never pass dataset_cache_bytes."""
    bound = 6 * MB
    engine = SqliteEngine(JudgeSettings(dataset_cache_bytes=bound))
    init = "CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB);"
    datasets = [TestCaseSpec(id=i, data=f"INSERT INTO blobs VALUES ({i}, zeroblob(900000));") for i in range(6)]
    peak, errors, stop = [0], [], threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], engine.cache.bytes_held)

    def judge(worker: int):
        for n in range(30):
            case = datasets[(worker + n) % len(datasets)]
            run = engine.execute(f"v{case.id}", init, case, "SELECT id, length(b) FROM blobs", 2000, 100)
            if run.verdict or run.result.rows != [(case.id, 900000)]:
                errors.append((case.id, run.verdict, run.error))
    watcher = threading.Thread(target=watch)
    watcher.start()
    workers = [threading.Thread(target=judge, args=(w,)) for w in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    stop.set()
    watcher.join()
    engine.close()
    assert errors == []
    assert 0 < peak[0] <= bound, peak[0]
    assert engine.datasets_built > len(datasets)      # the bound did evict: images were rebuilt


def test_engine_errors_carry_their_class_without_the_message():
    engine = SqliteEngine(JudgeSettings())
    case = TestCaseSpec(id=1, data="INSERT INTO t VALUES ('secret-value');")
    init = "CREATE TABLE t (v TEXT);"
    try:
        missing = engine.execute("v", init, case, "SELECT nope FROM t", 500, 10)
        denied = engine.execute("v", init, case, "DELETE FROM t", 500, 10)   # past the gate: the authorizer
        runaway = engine.execute("v", init, case, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL "
                                                   "SELECT n + 1 FROM r) SELECT count(*) FROM r", 100, 10)
        too_big = engine.execute("v", init, case, "SELECT zeroblob(50000000)", 500, 10)
    finally:
        engine.close()
    assert (missing.verdict, missing.error_class) == (RUNTIME_ERROR, "SQLITE_ERROR")
    assert (denied.verdict, denied.error_class) == (RUNTIME_ERROR, "SQLITE_AUTH")
    assert (runaway.verdict, runaway.error_class) == (TIME_LIMIT_EXCEEDED, "SQLITE_INTERRUPT")
    assert (too_big.verdict, too_big.error_class) == (RUNTIME_ERROR, "SQLITE_TOOBIG")
