"""Socket.IO against hostile players (SPEC 9.7), with real clients on a running server: seats need the
code, the code and others' queries stay private, malformed payloads get an error ack naming the field,
and reserved event names sent by a client do nothing."""
import json
import re
import time

import pytest

from tests.helpers import wait_until
from tests.sockets.conftest import CORRECT

HIDDEN_ERROR = re.compile(r"^runtime error( \([A-Za-z_][A-Za-z0-9_.]*\))?$")
PRIVATE_ATTEMPT_FIELDS = ("query", "cases", "expected_result", "actual_result", "feedback", "error")


def create_room(host, challenge_ids, **extra):
    body = {"name": "Duel", "challenge_ids": challenge_ids, "duration_s": 120, **extra}
    response = host.call("POST", "/rooms", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def of_attempt(sock, event, attempt_id):
    key = "attempt_id" if event == "attempt.progress" else "id"
    return [d for d in sock.named(event) if d.get(key) == attempt_id]


def test_room_join_without_the_code_only_watches(api, sockets, three_case_challenge):
    host, stranger = api(), api()
    room = create_room(host, [three_case_challenge["id"]])
    sh, ss = sockets(host), sockets(stranger)
    assert sh.call("room.join", {"room_id": room["id"]})["data"]["code"] == room["code"]
    view = ss.call("room.join", {"room_id": room["id"]})["data"]
    assert stranger.user["id"] in view["spectators"]
    assert stranger.user["id"] not in [p["user_id"] for p in view["players"]] and view["code"] is None
    # The seat is still free: an announcement and a ready flag make room events flow to both.
    sh.call("room.ready", {"room_id": room["id"], "ready": True})
    ss.wait_for("room.state", lambda d: any(p["ready"] for p in d["players"]))
    assert all(d["code"] is None for d in ss.named("room.state"))
    assert room["code"] not in json.dumps(ss.events)
    assert all(d["code"] == room["code"] for d in sh.named("room.state"))
    # With the code, the watcher takes the free seat.
    joined = stranger.call("POST", "/rooms/join", json={"code": room["code"]}).json()["data"]
    assert stranger.user["id"] in [p["user_id"] for p in joined["players"]] and joined["code"] == room["code"]
    assert stranger.user["id"] not in joined["spectators"]


def test_room_sees_attempt_outcomes_not_queries_and_each_socket_once(api, sockets, three_case_challenge):
    alice, bob, carol = api(), api(), api()
    cid = three_case_challenge["id"]
    room = create_room(alice, [cid])
    bob.call("POST", "/rooms/join", json={"code": room["code"]})
    sa, sb, sc = sockets(alice), sockets(bob), sockets(carol)
    for sock in (sa, sb, sc):
        assert sock.call("room.join", {"room_id": room["id"]})["status"] == "success"
    for sock, person in ((sa, alice), (sb, bob)):    # in both user: and room: channels
        assert sock.call("subscribe", {"channel": f"user:{person.user['id']}"})["status"] == "success"
    sa.call("room.start", {"room_id": room["id"]})
    sb.wait_for("room.started")
    query = CORRECT + " /* bob-secret-plan */"
    attempt_id = bob.call("POST", "/attempts", json={"challenge_id": cid, "query": query,
                                                     "room_id": room["id"]}).json()["data"]["id"]
    for sock in (sa, sb, sc):
        sock.wait_for("attempt.completed", lambda d: d["id"] == attempt_id)
    # The owner reads everything, once per event.
    assert [q["query"] for q in of_attempt(sb, "attempt.queued", attempt_id)] == [query]
    assert len(of_attempt(sb, "attempt.completed", attempt_id)) == 1
    assert sorted(p["judged"] for p in of_attempt(sb, "attempt.progress", attempt_id)) == [1, 2, 3]
    # The opponent and the spectator read the outcome only, once per event.
    for sock in (sa, sc):
        events = {name: of_attempt(sock, name, attempt_id)
                  for name in ("attempt.queued", "attempt.progress", "attempt.completed")}
        assert len(events["attempt.queued"]) == 1 and len(events["attempt.completed"]) == 1
        assert sorted(p["judged"] for p in events["attempt.progress"]) == [1, 2, 3]
        assert events["attempt.completed"][0]["verdict"] == "ACCEPTED"
        for payloads in events.values():
            for payload in payloads:
                assert not set(PRIVATE_ATTEMPT_FIELDS) & set(payload), payload
        assert "bob-secret-plan" not in json.dumps(sock.events)


def test_rematch_code_goes_to_players_not_spectators(api, sockets, three_case_challenge):
    host, guest, watcher = api(), api(), api()
    room = create_room(host, [three_case_challenge["id"]])
    guest.call("POST", "/rooms/join", json={"code": room["code"]})
    sh, sg, sw = sockets(host), sockets(guest), sockets(watcher)
    for sock in (sh, sg, sw):
        sock.call("room.join", {"room_id": room["id"]})
    sh.call("room.start", {"room_id": room["id"]})
    sg.wait_for("room.started")
    assert host.call("POST", f"/rooms/{room['id']}/end").status_code == 200
    new_room = host.call("POST", f"/rooms/{room['id']}/rematch").json()["data"]
    assert sg.wait_for("room.rematch")["code"] == new_room["code"]
    assert sh.wait_for("room.rematch")["code"] == new_room["code"]
    seen = sw.wait_for("room.rematch")
    assert seen["new_room_id"] == new_room["id"] and seen["code"] is None
    assert new_room["code"] not in json.dumps(sw.events)
    # Invited by the rematch, the guest keeps a seat in the new room over room.join; the watcher watches.
    assert guest.user["id"] in [p["user_id"] for p in sg.call("room.join", {"room_id": new_room["id"]})["data"]["players"]]
    assert watcher.user["id"] in sw.call("room.join", {"room_id": new_room["id"]})["data"]["spectators"]


MALFORMED = [
    ("subscribe", {"channel": "user:²"}, "channel"),
    ("subscribe", {"channel": "user:٣"}, "channel"),
    ("subscribe", {"channel": "user:" + "9" * 30}, "channel"),
    ("subscribe", {"channel": 5}, "channel"),
    ("subscribe", {}, "channel"),
    ("unsubscribe", {"channel": ["user:1"]}, "channel"),
    ("room.join", {"room_id": "٣"}, "room_id"),
    ("room.join", {"room_id": "3"}, "room_id"),
    ("room.join", {"room_id": 2 ** 64}, "room_id"),
    ("room.join", {"room_id": 2 ** 200}, "room_id"),
    ("room.join", {"room_id": -1}, "room_id"),
    ("room.join", {"room_id": [1]}, "room_id"),
    ("room.join", {"room_id": True}, "room_id"),
    ("room.join", {}, "room_id"),
    ("room.join", "7", "payload"),
    ("room.join", [7], "payload"),
    ("room.start", {"room_id": 1.5}, "room_id"),
    ("room.leave", {"room_id": None}, "room_id"),
    ("room.ready", {"room_id": 1, "ready": "yes"}, "ready"),
]


@pytest.mark.parametrize("event, payload, field", MALFORMED)
def test_malformed_payload_gets_an_error_naming_the_field(api, sockets, event, payload, field):
    sock = sockets(api())
    reply = sock.call(event, payload)
    assert reply["status"] == "error" and field in reply["message"], reply
    assert reply["message"] != "internal error"


def test_malformed_ids_inside_a_real_room(api, sockets, three_case_challenge):
    host = api()
    room = create_room(host, [three_case_challenge["id"]])
    sock = sockets(host)
    sock.call("room.join", {"room_id": room["id"]})
    for event, payload, field in [
        ("room.kick", {"room_id": room["id"], "user_id": "٣"}, "user_id"),
        ("room.kick", {"room_id": room["id"], "user_id": 2 ** 70}, "user_id"),
        ("room.kick", {"room_id": room["id"]}, "user_id"),
        ("room.announce", {"room_id": room["id"], "text": 5}, "text"),
        ("room.announce", {"room_id": room["id"]}, "text"),
    ]:
        reply = sock.call(event, payload)
        assert reply["status"] == "error" and field in reply["message"], (event, payload, reply)
    assert sock.call("room.join", {"room_id": 2 ** 62})["message"] == "room not found"


def test_reserved_event_names_from_a_client_do_nothing(api, sockets, three_case_challenge):
    host, guest, other = api(), api(), api()
    room = create_room(host, [three_case_challenge["id"]])
    guest.call("POST", "/rooms/join", json={"code": room["code"]})
    sg = sockets(guest)
    sg.call("room.join", {"room_id": room["id"]})

    def guest_connected():
        players = host.call("GET", f"/rooms/{room['id']}").json()["data"]["players"]
        return [p["connected"] for p in players if p["user_id"] == guest.user["id"]] == [True]

    wait_until(guest_connected)
    sg.sio.emit("disconnect", {})
    sg.sio.emit("disconnect")
    sg.sio.emit("connect", ({"token": other.token}, {"token": other.token}))   # another user's identity
    sg.sio.emit("connect_error", {"message": "x"})
    time.sleep(0.5)   # the server handles events in order: the next call answers after these were seen
    # Still the same user, still connected, still in the room.
    assert sg.call("subscribe", {"channel": f"user:{guest.user['id']}"})["status"] == "success"
    assert sg.call("subscribe", {"channel": f"user:{other.user['id']}"})["status"] == "error"
    assert guest_connected()
    assert sg.sio.connected


def test_progress_of_a_hidden_case_names_the_kind_only(api, sockets, three_case_challenge):
    """The hidden cases hold 3 and 1 rows with ids 1, 2, 3 and 7: a query whose row count or error
    would carry them finds only kinds in its own live events."""
    player = api()
    sock = sockets(player)
    sock.call("subscribe", {"channel": f"user:{player.user['id']}"})
    cid = three_case_challenge["id"]
    probes = ["SELECT id FROM t",                                   # row count: hidden 3 vs 2 expected
              "SELECT id FROM t WHERE json(CASE WHEN v > 8 THEN 'x' ELSE '1' END) IS NOT NULL"]  # error on 9 only
    for query in probes:
        attempt_id = player.call("POST", "/attempts", json={"challenge_id": cid, "query": query}).json()["data"]["id"]
        sock.wait_for("attempt.completed", lambda d: d["id"] == attempt_id)
        hidden = [p for p in of_attempt(sock, "attempt.progress", attempt_id) if not p["is_visible"]]
        assert len(hidden) == 2
        for progress in hidden:
            texts = [t for t in (progress["feedback"], progress["error"]) if t]
            assert progress["verdict"] == "ACCEPTED" or texts, progress
            for text in texts:
                assert not any(ch.isdigit() for ch in text), text
            assert progress["expected_result"] is None and progress["actual_result"] is None
        said = [p["feedback"] or p["error"] for p in hidden if p["verdict"] != "ACCEPTED"]
        assert said and all(text == "wrong row count" or HIDDEN_ERROR.match(text) for text in said), said
