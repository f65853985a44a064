"""SPEC 9.3 over Socket.IO: payloads that embed users (room players, standings) never carry a classmate's e-mail."""
import json

from tests.helpers import wait_until
from tests.sockets.conftest import CORRECT


def test_room_events_embed_players_without_email(api, sockets, three_case_challenge):
    host, guest = api(name="Host"), api(name="Guest")
    cid = three_case_challenge["id"]
    room = host.call("POST", "/rooms", json={"name": "Duel", "challenge_ids": [cid], "duration_s": 60}).json()["data"]
    host_socket, guest_socket = sockets(host), sockets(guest)
    assert host_socket.call("room.join", {"room_id": room["id"]})["status"] == "success"
    assert guest.call("POST", "/rooms/join", json={"code": room["code"]}).status_code == 200
    joined = guest_socket.call("room.join", {"room_id": room["id"]})
    assert joined["status"] == "success"
    assert [p["user_id"] for p in joined["data"]["players"]] == [host.user["id"], guest.user["id"]]
    assert guest_socket.call("room.ready", {"room_id": room["id"], "ready": True})["status"] == "success"
    assert host_socket.call("room.start", {"room_id": room["id"]})["status"] == "success"
    guest_socket.wait_for("room.started")
    response = guest.call("POST", "/attempts", json={"challenge_id": cid, "query": CORRECT, "room_id": room["id"]})
    assert response.status_code == 202
    host_socket.wait_for("room.standings")
    wait_until(lambda: any(e == "attempt.completed" for e, _ in host_socket.events), timeout_s=30)
    for sock, other in ((guest_socket, host), (host_socket, guest)):
        received = json.dumps([joined] + [data for _event, data in sock.events])
        assert other.user["email"] not in received and '"email"' not in received
