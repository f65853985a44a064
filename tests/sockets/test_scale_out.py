"""Scale-out: two web processes and a separate judge worker behind a message queue (Redis or Kafka).
A client connected to process A receives the events caused by a submission made on process B."""
from __future__ import annotations

import uuid

import pytest

from tests.live_server import ApiClient, WorkerPool, kafka_env, running_server
from tests.services_env import PG_ADMIN_URL, REDIS_URL, ensure_pg_database, pg_url, unavailable
from tests.socket_client import RecordingClient
from tests.sockets.conftest import CORRECT, THREE_CASES


def fresh_pg_database() -> str:
    """A new, empty app database shared by the web processes of one test."""
    name = f"sqlarena_scale_{uuid.uuid4().hex[:8]}"
    error = ensure_pg_database(name)
    if error:
        unavailable(f"PostgreSQL: {error}")
    return name


def drop_pg_database(name: str) -> None:
    import psycopg2
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def redis_reachable() -> bool:
    import redis
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["redis", "kafka"])
def two_web_processes(request, kafka_broker, tmp_path):
    if request.param == "redis" and not redis_reachable():
        unavailable(f"Redis at {REDIS_URL}")
    queue = f"redis://{REDIS_URL.split('://', 1)[1]}" if request.param == "redis" else f"kafka://{kafka_broker}"
    database = fresh_pg_database()
    env = {**kafka_env(kafka_broker), "DATABASE_URL": pg_url(database), "SOCKETIO_MESSAGE_QUEUE": queue}
    pool = WorkerPool(tmp_path, env)
    try:
        with running_server(tmp_path / "a", FIRST_ADMIN_EMAIL="admin@scale.test", FIRST_ADMIN_PASSWORD="admin-pw-1",
                            **env) as base_a:
            with running_server(tmp_path / "b", **env) as base_b:
                pool.start(threads=2)
                yield base_a, base_b
    finally:
        pool.stop()
        drop_pg_database(database)


def test_client_on_a_receives_events_caused_on_b(two_web_processes):
    base_a, base_b = two_web_processes
    n = uuid.uuid4().hex[:8]
    author = ApiClient(base_b).signup(f"author{n}@scale.test", "Author")
    challenge = author.call("POST", "/challenges", json=THREE_CASES).json()["data"]
    player_b = ApiClient(base_b).signup(f"player{n}@scale.test", "Player")
    watcher = ApiClient(base_a).signup(f"watcher{n}@scale.test", "Watcher")
    player_on_a = ApiClient(base_a).login(f"player{n}@scale.test", "pw-secret-1")

    own = RecordingClient(base_a, player_on_a.token).connect()          # the player's socket, on A
    board = RecordingClient(base_a, watcher.token).connect()            # someone else watching, on A
    try:
        assert own.call("subscribe", {"channel": f"user:{player_b.user['id']}"})["status"] == "success"
        assert board.call("subscribe", {"channel": f"challenge:{challenge['id']}"})["status"] == "success"
        board.wait_for("leaderboard.snapshot")
        attempt = player_b.call("POST", "/attempts", json={"challenge_id": challenge["id"], "query": CORRECT})
        attempt_id = attempt.json()["data"]["id"]                        # submitted on B
        done = own.wait_for("attempt.completed", lambda d: d["id"] == attempt_id, timeout=60)
        assert done["verdict"] == "ACCEPTED"
        progress = [p for p in own.named("attempt.progress") if p["attempt_id"] == attempt_id]
        assert sorted(p["judged"] for p in progress) == [1, 2, 3]       # each case exactly once
        updated = board.wait_for("leaderboard.updated", timeout=30)
        assert [e["user_id"] for e in updated["entries"]] == [player_b.user["id"]]
    finally:
        own.disconnect()
        board.disconnect()
