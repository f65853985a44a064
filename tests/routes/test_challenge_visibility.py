"""Who sees a challenge (SPEC 9.1) across every route that touches one; hints, the solution, list filters."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import assert_error, wait_until

CORRECT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def hidden_from(client, user, challenge) -> None:
    """Every route that reads a challenge answers 404, and no list shows it."""
    h = user["headers"]
    cid = challenge["id"]
    assert_error(client.get(f"/api/challenges/{cid}", headers=h), 404)
    assert_error(client.post(f"/api/challenges/{cid}/run", json={"query": CORRECT}, headers=h), 404)
    assert_error(client.get(f"/api/challenges/{cid}/leaderboard", headers=h), 404)
    assert_error(client.post(f"/api/challenges/{cid}/hints/next", headers=h), 404)
    assert_error(client.get(f"/api/challenges/{cid}/hints", headers=h), 404)
    assert_error(client.get(f"/api/challenges/{cid}/solution", headers=h), 404)
    assert_error(client.post("/api/attempts", json={"challenge_id": cid, "query": CORRECT}, headers=h), 404)
    assert_error(client.put(f"/api/challenges/{cid}", json={"name": "x"}, headers=h), 404)
    assert_error(client.post(f"/api/challenges/{cid}/rejudge", headers=h), 404)
    listed = client.get("/api/challenges?size=100", headers=h).get_json()
    assert cid not in [c["id"] for c in listed["data"]] and listed["meta"]["total"] == len(listed["data"])
    assert cid not in [c["id"] for c in client.get("/api/challenges?q=cheap", headers=h).get_json()["data"]]
    by_user = client.get(f"/api/challenges-by-user/{challenge['created_user_id']}", headers=h).get_json()["data"]
    assert cid not in [c["id"] for c in by_user]
    assert client.get("/api/attempts/quota", headers=h).get_json()["data"]["remain"] == \
        client.get("/api/attempts/quota", headers=h).get_json()["data"]["total"]   # nothing was stored


def seen_by(client, user, challenge_id) -> dict:
    response = client.get(f"/api/challenges/{challenge_id}", headers=user["headers"])
    assert response.status_code == 200, response.get_json()
    listed = client.get("/api/challenges?size=100", headers=user["headers"]).get_json()["data"]
    assert challenge_id in [c["id"] for c in listed]
    return response.get_json()["data"]


def test_default_is_public_and_fields_round_trip(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    challenge = make_challenge(author, difficulty="easy", tags=["Joins", "basics"], hints=["one", "two"],
                     explanation="Filter, then sort.")
    assert challenge["visibility"] == "public" and challenge["release_at"] is None
    assert challenge["tags"] == ["joins", "basics"] and challenge["hints"] == ["one", "two"]
    assert challenge["explanation"] == "Filter, then sort." and challenge["hint_count"] == 2
    as_player = seen_by(client, player, challenge["id"])
    assert "hints" not in as_player and "explanation" not in as_player and "solution" not in as_player
    assert as_player["hint_count"] == 2 and as_player["difficulty"] == "easy"


def test_draft_exists_only_for_its_creator_and_admins(client, make_user, make_challenge):
    author, player, admin = make_user(), make_user(), make_user("admin")
    draft = make_challenge(author, visibility="draft")
    seen_by(client, author, draft["id"])
    seen_by(client, admin, draft["id"])
    hidden_from(client, player, draft)
    published = client.put(f"/api/challenges/{draft['id']}", json={"visibility": "public"}, headers=author["headers"])
    assert published.status_code == 200 and published.get_json()["data"]["visibility"] == "public"
    seen_by(client, player, draft["id"])


def test_release_at_in_the_future_hides_until_then(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    later = make_challenge(author, release_at=iso(datetime.now(timezone.utc) + timedelta(hours=1)))
    hidden_from(client, player, later)
    earlier = make_challenge(author, release_at=iso(datetime.now(timezone.utc) - timedelta(minutes=1)))
    seen_by(client, player, earlier["id"])
    cleared = client.put(f"/api/challenges/{later['id']}", json={"release_at": None}, headers=author["headers"])
    assert cleared.get_json()["data"]["release_at"] is None
    seen_by(client, player, later["id"])


def test_room_challenge_opens_to_members_at_the_start(app, client, make_user, make_challenge):
    app.config["ROOM_COUNTDOWN_S"] = 0
    host, member, outsider = make_user("instructor"), make_user(), make_user()
    secret = make_challenge(host, visibility="room")
    room = client.post("/api/rooms", json={"name": "Class", "challenge_ids": [secret["id"]], "duration_s": 600,
                                           "max_players": 10, "host_plays": False}, headers=host["headers"])
    assert room.status_code == 201, room.get_json()
    room = room.get_json()["data"]
    assert client.post("/api/rooms/join", json={"code": room["code"]}, headers=member["headers"]).status_code == 200
    hidden_from(client, member, secret)           # in the lobby: not yet
    assert client.post(f"/api/rooms/{room['id']}/start", headers=host["headers"]).status_code == 200
    wait_until(lambda: client.get(f"/api/rooms/{room['id']}", headers=host["headers"]).get_json()["data"]["state"]
               == "RUNNING", timeout_s=15)
    seen_by(client, member, secret["id"])
    attempt = client.post("/api/attempts", json={"challenge_id": secret["id"], "query": CORRECT, "room_id": room["id"]},
                          headers=member["headers"])
    assert attempt.status_code == 202
    hidden_from(client, outsider, secret)         # never for someone outside the room


def test_another_users_draft_cannot_be_put_in_a_room(client, make_user, make_challenge):
    author, host = make_user(), make_user("instructor")
    draft = make_challenge(author, visibility="draft")
    assert_error(client.post("/api/rooms", json={"name": "R", "challenge_ids": [draft["id"]], "duration_s": 60,
                                                 "max_players": 2}, headers=host["headers"]), 404)


def test_publish_roles(app, client, make_user, make_challenge):
    app.config["CHALLENGE_PUBLISH_ROLES"] = ("admin", "instructor")
    player, instructor = make_user(), make_user("instructor")
    from tests.helpers import challenge_body
    for visibility in ("public", "room"):
        assert_error(client.post("/api/challenges", json=challenge_body(visibility=visibility),
                                 headers=player["headers"]), 403)
    assert_error(client.post("/api/challenges", json=challenge_body(), headers=player["headers"]), 403)
    draft = client.post("/api/challenges", json=challenge_body(visibility="draft"), headers=player["headers"])
    assert draft.status_code == 201
    assert_error(client.put(f"/api/challenges/{draft.get_json()['data']['id']}", json={"visibility": "public"},
                            headers=player["headers"]), 403)
    assert client.post("/api/challenges", json=challenge_body(), headers=instructor["headers"]).status_code == 201
    assert client.get("/api/challenges", headers=instructor["headers"]).get_json()["meta"]["total"] == 1


@pytest.mark.parametrize("fields, code", [
    ({"visibility": "secret"}, 422), ({"visibility": 3}, 400), ({"release_at": "next tuesday"}, 400),
    ({"release_at": 12}, 400), ({"difficulty": "brutal"}, 422), ({"tags": "joins"}, 400),
    ({"tags": ["x"] * 11}, 422), ({"tags": ["x" * 41]}, 422), ({"tags": [""]}, 422), ({"hints": [1]}, 400),
])
def test_bad_learner_fields_store_nothing(client, make_user, fields, code):
    from tests.helpers import challenge_body
    author = make_user()
    assert_error(client.post("/api/challenges", json=challenge_body(**fields), headers=author["headers"]), code)
    assert client.get("/api/challenges", headers=author["headers"]).get_json()["meta"]["total"] == 0


def test_hints_are_revealed_one_at_a_time_per_user(client, make_user, make_challenge):
    author, first, second = make_user(), make_user(), make_user()
    challenge = make_challenge(author, hints=["Look at price.", "Sort by id."])
    url = f"/api/challenges/{challenge['id']}/hints/next"
    one = client.post(url, headers=first["headers"]).get_json()["data"]
    assert one == {"index": 0, "text": "Look at price.", "revealed": ["Look at price."], "remaining": 1}
    two = client.post(url, headers=first["headers"]).get_json()["data"]
    assert two == {"index": 1, "text": "Sort by id.", "revealed": ["Look at price.", "Sort by id."], "remaining": 0}
    assert_error(client.post(url, headers=first["headers"]), 404)
    # what was revealed is read back (another browser shows the same hints), per user
    revealed = f"/api/challenges/{challenge['id']}/hints"
    assert client.get(revealed, headers=first["headers"]).get_json()["data"] == {
        "revealed": ["Look at price.", "Sort by id."], "remaining": 0}
    assert client.get(revealed, headers=second["headers"]).get_json()["data"] == {"revealed": [], "remaining": 2}
    assert client.post(url, headers=second["headers"]).get_json()["data"]["index"] == 0
    plain = make_challenge(author)
    assert_error(client.post(f"/api/challenges/{plain['id']}/hints/next", headers=first["headers"]), 404)


def test_solution_unlocks_after_an_accepted_attempt(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    challenge = make_challenge(author, explanation="Filter, then sort.")
    url = f"/api/challenges/{challenge['id']}/solution"
    assert_error(client.get(url, headers=player["headers"]), 403)
    wrong = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": "SELECT 1"},
                        headers=player["headers"]).get_json()["data"]
    wait_judged(wrong["id"], player["headers"])
    assert_error(client.get(url, headers=player["headers"]), 403)
    right = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": CORRECT},
                        headers=player["headers"]).get_json()["data"]
    assert wait_judged(right["id"], player["headers"])["verdict"] == "ACCEPTED"
    body = client.get(url, headers=player["headers"]).get_json()["data"]
    assert body["solution"] == challenge["solution"] and body["explanation"] == "Filter, then sort."
    assert client.get(url, headers=author["headers"]).status_code == 200


def test_solution_unlocks_for_members_of_a_finished_room(app, client, make_user, make_challenge):
    app.config["ROOM_COUNTDOWN_S"] = 0
    host, member, other = make_user("instructor"), make_user(), make_user()
    challenge = make_challenge(host)
    room = client.post("/api/rooms", json={"name": "Duel", "challenge_ids": [challenge["id"]], "duration_s": 600,
                                           "max_players": 5, "host_plays": False}, headers=host["headers"]).get_json()
    room = room["data"]
    client.post("/api/rooms/join", json={"code": room["code"]}, headers=member["headers"])
    url = f"/api/challenges/{challenge['id']}/solution"
    client.post(f"/api/rooms/{room['id']}/start", headers=host["headers"])
    wait_until(lambda: client.get(f"/api/rooms/{room['id']}", headers=host["headers"]).get_json()["data"]["state"]
               == "RUNNING", timeout_s=15)
    assert_error(client.get(url, headers=member["headers"]), 403)
    assert client.post(f"/api/rooms/{room['id']}/end", headers=host["headers"]).status_code == 200
    assert client.get(url, headers=member["headers"]).status_code == 200
    assert_error(client.get(url, headers=other["headers"]), 403)


def test_list_filters(client, make_user, make_challenge, wait_judged):
    author, other_author, player = make_user(), make_user(), make_user()
    joins = make_challenge(author, name="Join practice", difficulty="easy", tags=["joins"])
    windows = make_challenge(author, name="Window functions", description="Use RANK() OVER",
                   difficulty="hard", tags=["windows", "ranking"])
    percent = make_challenge(other_author, name="100% literal_match", tags=["joins"])
    h = player["headers"]

    def ids(query: str) -> list[int]:
        body = client.get(f"/api/challenges{query}", headers=h).get_json()
        assert body["meta"]["total"] == len(body["data"])
        return [c["id"] for c in body["data"]]

    assert ids("?tag=joins") == [joins["id"], percent["id"]]
    assert ids("?tag=JOINS&difficulty=easy") == [joins["id"]]
    assert ids("?difficulty=hard") == [windows["id"]]
    assert ids("?q=rank()") == [windows["id"]]                 # description, case-insensitive
    assert ids("?q=100%25") == [percent["id"]]                 # % is a literal, not a wildcard
    assert ids("?q=w_ndow") == []                              # _ is a literal too, not "any character"
    assert ids(f"?created_by={other_author['user']['id']}") == [percent["id"]]
    assert ids("?solved=true") == []
    attempt = client.post("/api/attempts", json={"challenge_id": windows["id"], "query": CORRECT}, headers=h)
    assert wait_judged(attempt.get_json()["data"]["id"], h)["verdict"] == "ACCEPTED"
    assert ids("?solved=true") == [windows["id"]]
    assert ids("?solved=false") == [joins["id"], percent["id"]]
    assert_error(client.get("/api/challenges?difficulty=brutal", headers=h), 400)
    assert_error(client.get("/api/challenges?solved=maybe", headers=h), 400)
    assert_error(client.get("/api/challenges?created_by=x", headers=h), 400)
