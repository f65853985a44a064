"""Duels and tournaments end to end: real clients, real server clock, real judge."""

from tests.helpers import wait_until
from tests.sockets.conftest import CORRECT


def create_room(host, challenge_ids, **extra):
    body = {"name": "Duel", "challenge_ids": challenge_ids, "duration_s": 60, **extra}
    response = host.call("POST", "/rooms", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def submit(client, challenge_id, room_id, query=CORRECT):
    response = client.call("POST", "/attempts", json={"challenge_id": challenge_id, "query": query, "room_id": room_id})
    assert response.status_code == 202, response.text
    return response.json()["data"]["id"]


def seqs_increase(events: list[dict]) -> bool:
    seqs = [e["seq"] for e in events]
    return seqs == sorted(seqs) and len(seqs) == len(set(seqs))


def test_full_duel_with_spectator(api, sockets, three_case_challenge):
    alice, bob, carol = api(name="Alice"), api(name="Bob"), api(name="Carol")
    cid = three_case_challenge["id"]
    room = create_room(alice, [cid])
    assert room["state"] == "LOBBY" and len(room["code"]) >= 4
    joined = bob.call("POST", "/rooms/join", json={"code": room["code"]}).json()["data"]
    assert [p["user_id"] for p in joined["players"]] == [alice.user["id"], bob.user["id"]]
    sa, sb = sockets(alice), sockets(bob)
    for sock in (sa, sb):
        state = sock.call("room.join", {"room_id": room["id"]})
        assert state["status"] == "success" and state["data"]["state"] == "LOBBY"
    assert sb.call("room.ready", {"room_id": room["id"], "ready": True})["status"] == "success"
    assert sb.call("room.start", {"room_id": room["id"]})["status"] == "error"  # host only
    assert sa.call("room.start", {"room_id": room["id"]})["status"] == "success"
    sa.wait_for("room.countdown")
    started = sb.wait_for("room.started")
    assert started["challenge_ids"] == [cid] and started["ends_at"]
    # A latecomer becomes a spectator and sees the room.
    carol.call("POST", "/rooms/join", json={"code": room["code"]})
    sc = sockets(carol)
    spectator_view = sc.call("room.join", {"room_id": room["id"]})["data"]
    assert carol.user["id"] in spectator_view["spectators"]
    assert carol.user["id"] not in [p["user_id"] for p in spectator_view["players"]]
    submit(alice, cid, room["id"])
    first = sc.wait_for("room.first_solve")
    assert first["user_id"] == alice.user["id"] and first["challenge_id"] == cid
    submit(bob, cid, room["id"])
    finished = [s.wait_for("room.finished") for s in (sa, sb, sc)]
    assert finished[0] == finished[1] == finished[2]
    assert finished[0]["winner_user_ids"] == [alice.user["id"]]
    ranks = [(row["user_id"], row["rank"], row["total_score"]) for row in finished[0]["standings"]]
    assert ranks == [(alice.user["id"], 1, 100), (bob.user["id"], 2, 100)]
    results = carol.call("GET", f"/rooms/{room['id']}/results").json()["data"]
    assert results["winner_user_ids"] == [alice.user["id"]] and results["standings"] == finished[0]["standings"]
    room_events = [d for e, d in sa.events if e.startswith("room.") and isinstance(d, dict) and "seq" in d]
    assert seqs_increase(room_events)
    # Rematch: a new LOBBY room with the same players.
    rematch = alice.call("POST", f"/rooms/{room['id']}/rematch")
    assert rematch.status_code == 201
    new_room = rematch.json()["data"]
    assert new_room["state"] == "LOBBY" and {p["user_id"] for p in new_room["players"]} == {alice.user["id"], bob.user["id"]}
    assert sb.wait_for("room.rematch")["new_room_id"] == new_room["id"]


def test_reconnect_mid_game_keeps_seat_and_score(api, sockets, three_case_challenge):
    host, player = api(), api()
    cid = three_case_challenge["id"]
    room = create_room(host, [cid], duration_s=120)
    player.call("POST", "/rooms/join", json={"code": room["code"]})
    sh, sp = sockets(host), sockets(player)
    sh.call("room.join", {"room_id": room["id"]})
    sp.call("room.join", {"room_id": room["id"]})
    sh.call("room.start", {"room_id": room["id"]})
    sp.wait_for("room.started")
    submit(player, cid, room["id"])
    sp.wait_for("room.standings", lambda d: any(r["total_score"] == 100 for r in d["standings"]))
    sp.disconnect()
    sh.wait_for("room.state", lambda d: any(p["user_id"] == player.user["id"] and not p["connected"] for p in d["players"]))
    again = sockets(player)
    state = again.call("room.join", {"room_id": room["id"]})["data"]
    assert state["state"] == "RUNNING"
    me = [p for p in state["players"] if p["user_id"] == player.user["id"]]
    assert me and me[0]["connected"] and not me[0]["forfeited"]
    assert [r["total_score"] for r in state["standings"] if r["user_id"] == player.user["id"]] == [100]
    assert host.call("POST", f"/rooms/{room['id']}/end").status_code == 200
    assert again.wait_for("room.finished")["winner_user_ids"] == [player.user["id"]]


def test_duel_forfeit_after_grace(api, sockets, three_case_challenge):
    host, quitter = api(), api()
    room = create_room(host, [three_case_challenge["id"]])
    quitter.call("POST", "/rooms/join", json={"code": room["code"]})
    sh, sq = sockets(host), sockets(quitter)
    sh.call("room.join", {"room_id": room["id"]})
    sq.call("room.join", {"room_id": room["id"]})
    sh.call("room.start", {"room_id": room["id"]})
    sq.wait_for("room.started")
    sq.disconnect()
    finished = sh.wait_for("room.finished", timeout=20)   # grace is 2 s in this server
    assert finished["winner_user_ids"] == [host.user["id"]]
    quitter_row = [r for r in finished["standings"] if r["user_id"] == quitter.user["id"]][0]
    assert quitter_row["forfeited"] is True


def test_tournament_freeze_hides_standings_from_players_not_host(api, sockets, three_case_challenge):
    instructor = api("instructor")
    players = [api() for _ in range(3)]
    cid = three_case_challenge["id"]
    room = create_room(instructor, [cid], max_players=10, host_plays=False, duration_s=12, freeze_last_s=11)
    for p in players:
        p.call("POST", "/rooms/join", json={"code": room["code"]})
    host_sock = sockets(instructor)
    host_sock.call("room.join", {"room_id": room["id"]})
    player_socks = [sockets(p) for p in players]
    for sock in player_socks:
        sock.call("room.join", {"room_id": room["id"]})
    assert host_sock.call("room.announce", {"room_id": room["id"], "text": "Good luck!"})["status"] == "success"
    assert player_socks[0].wait_for("room.announcement")["text"] == "Good luck!"
    host_sock.call("room.start", {"room_id": room["id"]})
    player_socks[0].wait_for("room.started")
    wait_until(lambda: players[0].call("GET", f"/rooms/{room['id']}").json()["data"]["frozen"], timeout_s=10)
    submit(players[0], cid, room["id"])
    live = host_sock.wait_for("room.standings", lambda d: d["standings"][0]["total_score"] == 100)
    assert live["standings"][0]["user_id"] == players[0].user["id"]
    view = players[1].call("GET", f"/rooms/{room['id']}").json()["data"]
    assert all(r["total_score"] == 0 for r in view["standings"])  # frozen for players
    host_view = instructor.call("GET", f"/rooms/{room['id']}").json()["data"]
    assert host_view["standings"][0]["total_score"] == 100
    assert not [d for d in player_socks[1].named("room.standings") if d["standings"][0]["total_score"] == 100]
    finished = player_socks[1].wait_for("room.finished", timeout=30)
    assert finished["standings"][0]["user_id"] == players[0].user["id"] and finished["standings"][0]["total_score"] == 100
    assert finished["winner_user_ids"] == [players[0].user["id"]]


def test_kick_in_lobby_and_room_errors(api, sockets, three_case_challenge):
    host, guest, stranger = api(), api(), api()
    room = create_room(host, [three_case_challenge["id"]])
    guest.call("POST", "/rooms/join", json={"code": room["code"]})
    sh, sg = sockets(host), sockets(guest)
    sh.call("room.join", {"room_id": room["id"]})
    sg.call("room.join", {"room_id": room["id"]})
    assert sg.call("room.kick", {"room_id": room["id"], "user_id": host.user["id"]})["status"] == "error"
    assert sh.call("room.kick", {"room_id": room["id"], "user_id": guest.user["id"]})["status"] == "success"
    assert sg.wait_for("room.kicked")["room_id"] == room["id"]
    state = host.call("GET", f"/rooms/{room['id']}").json()["data"]
    assert [p["user_id"] for p in state["players"]] == [host.user["id"]]
    assert stranger.call("POST", "/rooms", json={"name": "T", "challenge_ids": [three_case_challenge["id"]],
                                                  "duration_s": 60, "max_players": 5}).status_code == 403
    assert stranger.call("POST", "/rooms", json={"name": "T", "challenge_ids": [three_case_challenge["id"]],
                                                  "duration_s": 5}).status_code == 422
    assert stranger.call("POST", "/rooms/join", json={"code": "ZZZZZZ"}).status_code == 404
    assert stranger.call("POST", f"/rooms/{room['id']}/start").status_code == 403
    assert sh.call("room.join", {"room_id": "x"})["status"] == "error"
    # Ending a LOBBY room closes it unplayed (so it stops counting as open); a FINISHED one cannot end.
    assert host.call("POST", f"/rooms/{room['id']}/end").json()["data"]["state"] == "FINISHED"
    assert host.call("POST", f"/rooms/{room['id']}/end").status_code == 409
