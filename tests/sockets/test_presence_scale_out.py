"""Presence across web processes (SPEC 9.4): two web processes on PostgreSQL + Redis. A player with a tab
on each closes one and stays connected; a player who closes every tab forfeits after the grace period."""
from __future__ import annotations

import time
import uuid

import pytest

from tests.helpers import wait_until
from tests.live_server import ApiClient, running_server
from tests.services_env import REDIS_URL, pg_url, unavailable
from tests.socket_client import RecordingClient
from tests.sockets.conftest import THREE_CASES
from tests.sockets.test_scale_out import drop_pg_database, fresh_pg_database, redis_reachable

GRACE_S = 2


@pytest.fixture
def two_processes_on_redis(tmp_path):
    if not redis_reachable():
        unavailable(f"Redis at {REDIS_URL}")
    database = fresh_pg_database()
    env = {"DATABASE_URL": pg_url(database), "SOCKETIO_MESSAGE_QUEUE": f"redis://{REDIS_URL.split('://', 1)[1]}",
           "ROOM_DISCONNECT_GRACE_S": str(GRACE_S)}
    try:
        with running_server(tmp_path / "a", **env) as base_a:
            with running_server(tmp_path / "b", **env) as base_b:
                yield base_a, base_b
    finally:
        drop_pg_database(database)


def player_row(client: ApiClient, room_id: int, user_id: int) -> dict:
    players = client.call("GET", f"/rooms/{room_id}").json()["data"]["players"]
    return next(p for p in players if p["user_id"] == user_id)


def test_closing_one_of_two_tabs_on_different_processes_keeps_the_player(two_processes_on_redis):
    base_a, base_b = two_processes_on_redis
    n = uuid.uuid4().hex[:8]
    host = ApiClient(base_a).signup(f"host{n}@presence.test", "Host")
    challenge = host.call("POST", "/challenges", json=THREE_CASES).json()["data"]
    room = host.call("POST", "/rooms", json={"name": "Duel", "challenge_ids": [challenge["id"]],
                                             "duration_s": 300}).json()["data"]
    player_b = ApiClient(base_b).signup(f"player{n}@presence.test", "Player")
    assert player_b.call("POST", "/rooms/join", json={"code": room["code"]}).status_code == 200
    player_a = ApiClient(base_a).login(f"player{n}@presence.test", "pw-secret-1")
    host_sock = RecordingClient(base_a, host.token).connect()
    tab_a = RecordingClient(base_a, player_a.token).connect()
    tab_b = RecordingClient(base_b, player_b.token).connect()
    try:
        for sock in (host_sock, tab_a, tab_b):
            assert sock.call("room.join", {"room_id": room["id"]})["status"] == "success"
        assert host_sock.call("room.start", {"room_id": room["id"]})["status"] == "success"
        host_sock.wait_for("room.started")
        tab_a.disconnect()
        time.sleep(GRACE_S * 2)     # well past the grace: a forfeit would have happened by now
        row = player_row(host, room["id"], player_b.user["id"])
        assert row["connected"] is True and row["forfeited"] is False
        assert host.call("GET", f"/rooms/{room['id']}").json()["data"]["state"] == "RUNNING"
        assert not host_sock.named("room.finished")
        tab_b.disconnect()          # the last tab: disconnected, then a forfeit after the grace
        wait_until(lambda: not player_row(host, room["id"], player_b.user["id"])["connected"], timeout_s=10)
        finished = host_sock.wait_for("room.finished", timeout=30)
        assert finished["winner_user_ids"] == [host.user["id"]]
        assert next(r for r in finished["standings"] if r["user_id"] == player_b.user["id"])["forfeited"] is True
    finally:
        for sock in (host_sock, tab_a, tab_b):
            sock.disconnect()
