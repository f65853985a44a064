"""Instructors see their students' work (SPEC 9.3): the permission matrix of the new routes, through HTTP."""
import pytest

from tests.helpers import assert_error, wait_until

RIGHT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"
HALF = "SELECT id, name FROM items WHERE price < 4 ORDER BY id"   # right on the hidden case only


def submit(client, wait_judged, user, challenge_id, query, room_id=None):
    body = {"challenge_id": challenge_id, "query": query, **({"room_id": room_id} if room_id else {})}
    response = client.post("/api/attempts", json=body, headers=user["headers"])
    assert response.status_code == 202, response.get_json()
    return wait_judged(response.get_json()["data"]["id"], user["headers"])


@pytest.fixture
def world(client, make_user, make_challenge, wait_judged):
    """A creator's challenge played in another instructor's room by `player`, and outside it by `other`."""
    people = {"creator": make_user("instructor"), "host": make_user("instructor"),
              "other_instructor": make_user("instructor"), "admin": make_user("admin"),
              "player": make_user(), "other": make_user()}
    challenge = make_challenge(people["creator"])
    room = client.post("/api/rooms", json={"name": "Class", "challenge_ids": [challenge["id"]], "duration_s": 600,
                                           "max_players": 5, "host_plays": False},
                       headers=people["host"]["headers"]).get_json()["data"]
    assert client.post("/api/rooms/join", json={"code": room["code"]},
                       headers=people["player"]["headers"]).status_code == 200
    in_room = submit(client, wait_judged, people["player"], challenge["id"], HALF, room["id"])
    outside = submit(client, wait_judged, people["other"], challenge["id"], RIGHT)
    return {**people, "challenge": challenge, "room": room, "in_room": in_room, "outside": outside}


def get(client, url, user, **params):
    return client.get(url, headers=user["headers"], query_string=params)


def hidden_case(attempt):
    return next(c for c in attempt["cases"] if not c["is_visible"])


def test_challenge_attempts_creator_and_admin_only(client, world):
    url = f"/api/challenges/{world['challenge']['id']}/attempts"
    for who in ("creator", "admin"):
        response = get(client, url, world[who])
        assert response.status_code == 200
        body = response.get_json()
        assert [a["id"] for a in body["data"]] == [world["outside"]["id"], world["in_room"]["id"]]  # newest first
        assert body["meta"]["total"] == 2
    for who in ("player", "other", "host", "other_instructor"):
        assert_error(get(client, url, world[who]), 403)
    assert_error(get(client, "/api/challenges/999999/attempts", world["admin"]), 404)


def test_challenge_attempts_filters(client, world):
    url = f"/api/challenges/{world['challenge']['id']}/attempts"
    creator = world["creator"]
    only_player = get(client, url, creator, user_id=world["player"]["user"]["id"]).get_json()["data"]
    assert [a["id"] for a in only_player] == [world["in_room"]["id"]]
    accepted = get(client, url, creator, verdict="ACCEPTED").get_json()["data"]
    assert [a["id"] for a in accepted] == [world["outside"]["id"]]
    assert get(client, url, creator, start="2999-01-01T00:00:00Z").get_json()["data"] == []
    assert get(client, url, creator, end="2000-01-01T00:00:00Z").get_json()["data"] == []
    paged = get(client, url, creator, size=1, page=1).get_json()
    assert [a["id"] for a in paged["data"]] == [world["in_room"]["id"]] and paged["meta"]["total"] == 2
    for bad in ({"user_id": "abc"}, {"verdict": "GREAT"}, {"start": "yesterday"}, {"page": "x"}):
        assert_error(get(client, url, creator, **bad), 400)


def test_room_attempts_host_and_admin_only(client, world):
    url = f"/api/rooms/{world['room']['id']}/attempts"
    for who in ("host", "admin"):
        body = get(client, url, world[who]).get_json()
        assert [a["id"] for a in body["data"]] == [world["in_room"]["id"]] and body["meta"]["total"] == 1
    for who in ("player", "other", "creator", "other_instructor"):
        assert_error(get(client, url, world[who]), 403)
    host = world["host"]
    assert get(client, url, host, user_id=world["other"]["user"]["id"]).get_json()["data"] == []
    assert len(get(client, url, host, challenge_id=world["challenge"]["id"]).get_json()["data"]) == 1
    assert_error(get(client, url, host, challenge_id="one"), 400)
    assert_error(get(client, "/api/rooms/999999/attempts", host), 404)


def test_attempt_read_in_full_by_creator_and_room_host(client, world):
    attempt_id = world["in_room"]["id"]
    url = f"/api/attempts/{attempt_id}"
    own = get(client, url, world["player"]).get_json()["data"]
    assert hidden_case(own)["expected_result"] is None and hidden_case(own)["actual_result"] is None
    for who in ("creator", "host", "admin"):
        seen = get(client, url, world[who]).get_json()["data"]
        assert seen["query"] == HALF
        assert hidden_case(seen)["expected_result"] is not None and hidden_case(seen)["actual_result"] is not None
    for who in ("other", "other_instructor"):
        assert_error(get(client, url, world[who]), 403)
    # The host of a room reads only attempts made in it: the outside attempt is not theirs to read.
    assert_error(get(client, f"/api/attempts/{world['outside']['id']}", world["host"]), 403)
    assert get(client, f"/api/attempts/{world['outside']['id']}", world["creator"]).status_code == 200
    assert_error(get(client, "/api/attempts/999999", world["creator"]), 404)


def test_my_rooms(client, world, make_user):
    room_id = world["room"]["id"]
    for who in ("host", "player"):
        body = get(client, "/api/rooms", world[who]).get_json()
        assert [r["id"] for r in body["data"]] == [room_id] and body["meta"]["total"] == 1
        assert body["data"][0]["relation"] == who and "code" not in body["data"][0]
    for who in ("other", "creator", "other_instructor"):
        assert get(client, "/api/rooms", world[who]).get_json()["data"] == []
    assert room_id in [r["id"] for r in get(client, "/api/rooms", world["admin"]).get_json()["data"]]
    # newest first, and the state filter
    newer = client.post("/api/rooms", json={"name": "Later", "challenge_ids": [world["challenge"]["id"]],
                                            "duration_s": 60}, headers=world["host"]["headers"]).get_json()["data"]
    assert [r["id"] for r in get(client, "/api/rooms", world["host"]).get_json()["data"]] == [newer["id"], room_id]
    client.post(f"/api/rooms/{room_id}/end", headers=world["host"]["headers"])
    wait_until(lambda: get(client, f"/api/rooms/{room_id}", world["host"]).get_json()["data"]["state"] == "FINISHED")
    finished = get(client, "/api/rooms", world["host"], state="FINISHED").get_json()["data"]
    assert [r["id"] for r in finished] == [room_id]
    assert [r["id"] for r in get(client, "/api/rooms", world["host"], state="LOBBY").get_json()["data"]] == [newer["id"]]
    assert_error(get(client, "/api/rooms", world["host"], state="OPEN"), 400)
    assert_error(get(client, "/api/rooms", world["host"], page="-1"), 400)
