"""Rooms against hostile players over HTTP (SPEC 9.7): the join code, the freeze on /results, the quota."""
import csv
import io

from tests.helpers import assert_error, wait_until

CORRECT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"


def create_room(client, host, challenge_id, **extra):
    body = {"name": "Duel", "challenge_ids": [challenge_id], "duration_s": 60, **extra}
    response = client.post("/api/rooms", json=body, headers=host["headers"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def get_room(client, user, room_id):
    return client.get(f"/api/rooms/{room_id}", headers=user["headers"]).get_json()["data"]


def test_code_only_for_host_and_players(client, make_user, make_challenge):
    host, guest, stranger = make_user(), make_user(), make_user()
    room = create_room(client, host, make_challenge(host)["id"])
    code = room["code"]
    assert code and len(code) >= 4
    joined = client.post("/api/rooms/join", json={"code": code}, headers=guest["headers"]).get_json()["data"]
    assert joined["code"] == code
    assert get_room(client, host, room["id"])["code"] == code
    assert get_room(client, guest, room["id"])["code"] == code
    seen = client.get(f"/api/rooms/{room['id']}", headers=stranger["headers"])
    assert seen.status_code == 200 and seen.get_json()["data"]["code"] is None
    assert code not in seen.get_data(as_text=True)
    results = client.get(f"/api/rooms/{room['id']}/results", headers=stranger["headers"])
    assert code not in results.get_data(as_text=True)


def test_results_follow_the_freeze_for_players_and_spectators_not_the_host(app, client, make_user, make_challenge,
                                                                           wait_judged):
    app.config["ROOM_COUNTDOWN_S"] = 0
    instructor = make_user("instructor")
    players = [make_user(), make_user()]
    challenge = make_challenge(instructor)
    room = create_room(client, instructor, challenge["id"], max_players=5, host_plays=False, freeze_last_s=59)
    for player in players:
        client.post("/api/rooms/join", json={"code": room["code"]}, headers=player["headers"])
    assert client.post(f"/api/rooms/{room['id']}/start", headers=instructor["headers"]).status_code == 200
    wait_until(lambda: get_room(client, players[1], room["id"])["frozen"], timeout_s=10)
    scorer = players[0]
    attempt = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": CORRECT,
                                                 "room_id": room["id"]}, headers=scorer["headers"])
    assert wait_judged(attempt.get_json()["data"]["id"], scorer["headers"])["verdict"] == "ACCEPTED"
    scorer_id = scorer["user"]["id"]

    def total(user, as_csv=False):
        url = f"/api/rooms/{room['id']}/results" + ("?format=csv" if as_csv else "")
        response = client.get(url, headers=user["headers"])
        assert response.status_code == 200
        if as_csv:
            rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
            return [float(r["total_score"]) for r in rows if int(r["user_id"]) == scorer_id][0]
        return [r["total_score"] for r in response.get_json()["data"]["standings"] if r["user_id"] == scorer_id][0]

    # The host sees the live standings (the room view and /results agree).
    wait_until(lambda: total(instructor) == 100, timeout_s=10)
    assert total(instructor, as_csv=True) == 100
    # Players (the scorer's opponent) and outsiders read the standings as they were at the freeze.
    for reader in (players[1], make_user()):
        assert total(reader) == 0
        assert client.get(f"/api/rooms/{room['id']}/results?format=csv", headers=reader["headers"]).status_code == 403
        assert [r["total_score"] for r in get_room(client, reader, room["id"])["standings"]] == [0, 0]
    assert client.get(f"/api/rooms/{room['id']}/results", headers=players[1]["headers"]).get_json()[
        "data"]["winner_user_ids"] == []
    # FINISHED reveals the final standings to everyone.
    client.post(f"/api/rooms/{room['id']}/end", headers=instructor["headers"])
    final = client.get(f"/api/rooms/{room['id']}/results", headers=players[1]["headers"]).get_json()["data"]
    assert final["winner_user_ids"] == [scorer_id] and total(instructor, as_csv=True) == 100


def test_sixth_open_room_is_refused_rematch_counts_and_ending_frees_a_slot(app, client, make_user, make_challenge):
    host = make_user()
    challenge_id = make_challenge(host)["id"]
    rooms = [create_room(client, host, challenge_id) for _ in range(5)]
    refused = client.post("/api/rooms", json={"name": "Six", "challenge_ids": [challenge_id], "duration_s": 60},
                          headers=host["headers"])
    message = assert_error(refused, 409)["message"]
    assert "5" in message and "end one" in message
    # Someone else is not limited by this host's rooms.
    create_room(client, make_user(), challenge_id)
    # Ending a LOBBY room frees a slot...
    ended = client.post(f"/api/rooms/{rooms[0]['id']}/end", headers=host["headers"])
    assert ended.status_code == 200 and ended.get_json()["data"]["state"] == "FINISHED"
    sixth = create_room(client, host, challenge_id)
    # ...and a rematch takes one like any new room.
    assert_error(client.post(f"/api/rooms/{rooms[0]['id']}/rematch", headers=host["headers"]), 409)
    client.post(f"/api/rooms/{sixth['id']}/end", headers=host["headers"])
    assert client.post(f"/api/rooms/{rooms[0]['id']}/rematch", headers=host["headers"]).status_code == 201
    open_rooms = [r for r in rooms[1:] + [sixth] if get_room(client, host, r["id"])["state"] != "FINISHED"]
    assert len(open_rooms) == 4    # + the rematch = 5


def test_rematch_invites_the_players_and_shows_them_the_new_code(client, make_user, make_challenge):
    host, guest, stranger = make_user(), make_user(), make_user()
    room = create_room(client, host, make_challenge(host)["id"])
    client.post("/api/rooms/join", json={"code": room["code"]}, headers=guest["headers"])
    client.post(f"/api/rooms/{room['id']}/end", headers=host["headers"])
    new_room = client.post(f"/api/rooms/{room['id']}/rematch", headers=host["headers"]).get_json()["data"]
    assert get_room(client, guest, new_room["id"])["code"] == new_room["code"]
    assert get_room(client, stranger, new_room["id"])["code"] is None
