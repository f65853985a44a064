"""Live judging and leaderboards with real python-socketio clients against a running eventlet server."""
import pytest
import socketio

from tests.sockets.conftest import CORRECT


def test_connection_without_valid_token_is_refused(server, api):
    for auth in (None, {"token": "nope"}, {"token": api().call("POST", "/login", json={}).text}):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(server, auth=auth, transports=["websocket"], wait_timeout=5)


def test_refresh_token_cannot_connect(server, api):
    player = api()
    login = player.call("POST", "/login", json={"email": player.user["email"], "password": "pw-secret-1"}).json()
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server, auth={"token": login["data"]["refresh_token"]}, transports=["websocket"], wait_timeout=5)


def test_progress_streams_each_case_once(api, sockets, three_case_challenge):
    player = api()
    sock = sockets(player)
    ack = sock.call("subscribe", {"channel": f"user:{player.user['id']}"})
    assert ack["status"] == "success"
    response = player.call("POST", "/attempts", json={"challenge_id": three_case_challenge["id"], "query": CORRECT})
    attempt_id = response.json()["data"]["id"]
    assert sock.call("subscribe", {"channel": f"attempt:{attempt_id}"})["status"] == "success"
    completed = sock.wait_for("attempt.completed", lambda d: d["id"] == attempt_id)
    # python-socketio's client handles each event in its own thread: the last progress may land just after.
    sock.wait_for("attempt.progress", lambda d: d["attempt_id"] == attempt_id and d["judged"] == 3)
    assert completed["status"] == "COMPLETED" and completed["verdict"] == "ACCEPTED" and "cases" not in completed
    progress = [p for p in sock.named("attempt.progress") if p["attempt_id"] == attempt_id]
    assert sorted(p["judged"] for p in progress) == [1, 2, 3]
    assert len({p["test_case_id"] for p in progress}) == 3 and all(p["total"] == 3 for p in progress)
    hidden = [p for p in progress if not p["is_visible"]]
    assert len(hidden) == 2 and all(p["expected_result"] is None and p["actual_result"] is None for p in hidden)
    assert len([q for q in sock.named("attempt.queued") if q["id"] == attempt_id]) == 1
    assert len([c for c in sock.named("attempt.completed") if c["id"] == attempt_id]) == 1


def test_subscribe_authorization_and_bad_channels(api, sockets, three_case_challenge):
    owner, other = api(), api()
    attempt_id = owner.call("POST", "/attempts", json={"challenge_id": three_case_challenge["id"],
                                                        "query": CORRECT}).json()["data"]["id"]
    sock = sockets(other)
    assert sock.call("subscribe", {"channel": f"attempt:{attempt_id}"})["status"] == "error"
    assert sock.call("subscribe", {"channel": f"user:{owner.user['id']}"})["status"] == "error"
    for bad in ({}, {"channel": "nope"}, {"channel": "room:x"}, {"channel": 5}):
        reply = sock.call("subscribe", bad)
        assert reply["status"] == "error" and reply["message"]
    assert sock.call("unsubscribe", {"channel": f"challenge:{three_case_challenge['id']}"})["status"] == "success"


def test_leaderboard_snapshot_and_updates_only_on_change(api, sockets, three_case_challenge):
    watcher, player = api(), api()
    sock = sockets(watcher)
    cid = three_case_challenge["id"]
    assert sock.call("subscribe", {"channel": f"challenge:{cid}"})["status"] == "success"
    snapshot = sock.wait_for("leaderboard.snapshot")
    assert snapshot == {"challenge_id": cid, "entries": []}
    first = player.call("POST", "/attempts", json={"challenge_id": cid, "query": CORRECT}).json()["data"]["id"]
    update = sock.wait_for("leaderboard.updated")
    assert update["challenge_id"] == cid
    assert [(e["rank"], e["user_id"], e["attempt_id"], e["score"]) for e in update["entries"]] == \
        [(1, player.user["id"], first, 100)]
    # A worse attempt changes nothing; a newcomer's accepted attempt does. Events are
    # ordered per channel, so once the newcomer's update arrives, a spurious one would have too.
    worse = player.call("POST", "/attempts", json={"challenge_id": cid, "query": "SELECT 1 AS id"}).json()["data"]["id"]
    sock_player = sockets(player)
    sock_player.call("subscribe", {"channel": f"user:{player.user['id']}"})
    if player.call("GET", f"/attempts/{worse}").json()["data"]["status"] not in ("COMPLETED", "FAILED"):
        sock_player.wait_for("attempt.completed", lambda d: d["id"] == worse)
    newcomer = api()
    newcomer.call("POST", "/attempts", json={"challenge_id": cid, "query": CORRECT})
    second = sock.wait_for("leaderboard.updated", lambda d: len(d["entries"]) == 2)
    assert [e["user_id"] for e in second["entries"]] == [player.user["id"], newcomer.user["id"]] or \
        [e["user_id"] for e in second["entries"]] == [newcomer.user["id"], player.user["id"]]
    assert len(sock.named("leaderboard.updated")) == 2
    board = player.call("GET", f"/challenges/{cid}/leaderboard").json()["data"]
    assert board["type"] == "FE" and board["entries"][0]["rank"] == 1
    assert worse not in [e["attempt_id"] for e in board["entries"]]
