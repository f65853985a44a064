"""The judge through a real Kafka-protocol broker (Tansu): HTTP submit → Kafka → worker processes →
Kafka → recorder, with worker processes started, shared and killed like in production."""
from __future__ import annotations

import signal
import uuid
from pathlib import Path

import pytest

from tests.helpers import wait_until
from tests.live_server import ApiClient, WorkerPool, kafka_env, running_server

SLOW_CHALLENGE = {
    "name": "Count to a lot", "type": "FE", "time_limit_ms": 3000,
    "init": "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);",
    "solution": "SELECT id FROM t ORDER BY id",
    "test_cases": [{"data": "INSERT INTO t VALUES (1, 1), (2, 2);", "is_visible": True},
                   {"data": "INSERT INTO t VALUES (5, 5);", "is_visible": False},
                   {"data": "INSERT INTO t VALUES (7, 7), (8, 8);", "is_visible": False}],
}
# Correct, but spends ~100 ms per case so a batch is still running when a worker is killed.
SLOW_CORRECT = ("SELECT id FROM t WHERE (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
                "WHERE n < 150000) SELECT count(*) FROM r) > 0 ORDER BY id")


@pytest.fixture
def kafka_site(kafka_broker, tmp_path):
    """A web process whose judging goes through Kafka, and a factory of judge worker processes."""
    env = kafka_env(kafka_broker)
    instance = tmp_path / "instance"
    pool = WorkerPool(tmp_path, {**env, "INSTANCE_PATH": str(instance)})
    with running_server(instance, FIRST_ADMIN_EMAIL="admin@kafka.test", FIRST_ADMIN_PASSWORD="admin-pw-123",
                        **env) as base:
        try:
            yield base, pool.start
        finally:
            pool.stop()


def new_player(base: str) -> ApiClient:
    n = uuid.uuid4().hex[:8]
    return ApiClient(base).signup(f"k{n}@kafka.test", f"Kafka {n}")


def create(author: ApiClient, body: dict) -> int:
    response = author.call("POST", "/challenges", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def submit(player: ApiClient, challenge_id: int, query: str) -> int:
    response = player.call("POST", "/attempts", json={"challenge_id": challenge_id, "query": query})
    assert response.status_code == 202, response.text
    return response.json()["data"]["id"]


def judged(player: ApiClient, attempt_id: int, timeout_s: float = 60) -> dict:
    def done():
        data = player.call("GET", f"/attempts/{attempt_id}").json()["data"]
        return data if data["status"] in ("COMPLETED", "FAILED") else None
    return wait_until(done, timeout_s, 0.05)


def test_every_verdict_through_kafka_on_both_engines(kafka_site):
    base, start_worker = kafka_site
    start_worker(threads=2)
    author, player = new_player(base), new_player(base)
    sqlite_id = create(author, {**SLOW_CHALLENGE, "time_limit_ms": 300})
    queries = {
        "ACCEPTED": "SELECT id FROM t ORDER BY id",
        "WRONG_ANSWER": "SELECT id FROM t WHERE id < 0",
        "TIME_LIMIT_EXCEEDED": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
        "RUNTIME_ERROR": "SELECT nope FROM t",
        "OUTPUT_LIMIT_EXCEEDED": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
        "REJECTED": "DELETE FROM t",
    }
    attempts = {verdict: submit(player, sqlite_id, query) for verdict, query in queries.items()}
    for verdict, attempt_id in attempts.items():
        data = judged(player, attempt_id)
        assert (data["status"], data["verdict"]) == ("COMPLETED", verdict), data
        assert len(data["cases"]) == 3
    pg_id = create(author, {**SLOW_CHALLENGE, "engine": "postgresql"})
    data = judged(player, submit(player, pg_id, "SELECT id FROM t ORDER BY id"))
    assert (data["verdict"], data["score"], data["passed"]) == ("ACCEPTED", 100, 3), data


def judged_ids(log_path: Path) -> set[int]:
    ids = set()
    for line in log_path.read_text().splitlines():
        if "judging attempt_id=" in line:
            ids.add(int(line.split("judging attempt_id=")[1].split()[0]))
    return ids


def assert_judged_exactly_once(owned: list[tuple[ApiClient, int]]) -> None:
    for player, attempt_id in owned:
        data = judged(player, attempt_id, timeout_s=90)
        assert data["status"] == "COMPLETED" and data["verdict"] == "ACCEPTED", data
        assert (data["passed"], data["total"], data["score"]) == (3, 3, 100), data
        assert sorted(c["test_case_id"] for c in data["cases"]) == sorted({c["test_case_id"] for c in data["cases"]})


PLAYERS = 8   # jobs are partitioned by user: consecutive ids cover every one of the 8 partitions


def batch_on_two_workers(kafka_site, size: int):
    """Two judge worker processes and `size` slow attempts of PLAYERS players submitted at once."""
    base, start_worker = kafka_site
    workers = [start_worker(), start_worker()]
    author, players = new_player(base), [new_player(base) for _ in range(PLAYERS)]
    challenge_id = create(author, SLOW_CHALLENGE)
    owned = [(players[n % PLAYERS], submit(players[n % PLAYERS], challenge_id, SLOW_CORRECT)) for n in range(size)]
    return workers, players, challenge_id, owned


def test_two_worker_processes_share_a_batch(kafka_site):
    [(_, log_a), (_, log_b)], _, _, owned = batch_on_two_workers(kafka_site, 16)
    assert_judged_exactly_once(owned)
    by_a, by_b = judged_ids(log_a), judged_ids(log_b)
    assert by_a and by_b, (by_a, by_b)          # both members of the group took jobs
    assert {attempt_id for _, attempt_id in owned} <= by_a | by_b


def test_sigkill_mid_batch_loses_nothing_and_counts_nothing_twice(kafka_site):
    [(victim, victim_log), (_, survivor_log)], players, challenge_id, owned = batch_on_two_workers(kafka_site, 24)
    wait_until(lambda: judged_ids(victim_log), timeout_s=60)     # the victim is mid-batch
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    assert_judged_exactly_once(owned)
    for player in players:
        mine = player.call("GET", f"/attempts?challenge_id={challenge_id}&size=100").json()
        assert mine["meta"]["total"] == sum(1 for owner, _ in owned if owner is player)
    board = players[0].call("GET", f"/challenges/{challenge_id}/leaderboard").json()["data"]["entries"]
    assert sorted(e["user_id"] for e in board) == sorted(player.user["id"] for player in players)
    assert judged_ids(survivor_log)
