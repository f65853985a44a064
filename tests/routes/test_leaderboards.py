"""Leaderboards through HTTP: the overall ranking (SPEC 9.6), paginated per-challenge boards, `?wait=`."""
import time

import pytest

from tests.helpers import assert_error

CORRECT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"
HALF_RIGHT = "SELECT id, name FROM items WHERE price < 4 ORDER BY id"   # visible case wrong, hidden right
WRONG = "SELECT 1"
RUNAWAY = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
           "SELECT id, name FROM items WHERE id < (SELECT max(n) FROM r)")


def judged(client, user, challenge_id, query) -> dict:
    response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query},
                           headers=user["headers"])
    assert response.status_code == 202, response.get_json()
    attempt_id = response.get_json()["data"]["id"]
    body = client.get(f"/api/attempts/{attempt_id}?wait=30", headers=user["headers"]).get_json()["data"]
    assert body["status"] == "COMPLETED", body
    return body


def test_overall_ranking_orders_by_solved_then_score_then_last_first_solve(client, make_user, make_challenge):
    author = make_user()
    first, second = make_challenge(author, name="One"), make_challenge(author, name="Two")
    both, one_and_half, one_early, one_late, none = (make_user(full_name=n) for n in
                                                    ("Both", "OneAndHalf", "OneEarly", "OneLate", "None"))
    judged(client, both, first["id"], CORRECT)
    judged(client, both, second["id"], CORRECT)
    judged(client, one_and_half, first["id"], CORRECT)
    judged(client, one_and_half, second["id"], HALF_RIGHT)
    judged(client, one_early, second["id"], CORRECT)
    judged(client, one_late, second["id"], WRONG)
    judged(client, one_late, second["id"], CORRECT)        # solved after one_early: ranks below
    judged(client, none, first["id"], WRONG)

    response = client.get("/api/leaderboard", headers=none["headers"])
    assert response.status_code == 200
    body = response.get_json()
    names = [e["full_name"] for e in body["data"]]
    assert names == ["Both", "OneAndHalf", "OneEarly", "OneLate", "None"]
    assert [e["rank"] for e in body["data"]] == [1, 2, 3, 4, 5]
    by_name = {e["full_name"]: e for e in body["data"]}
    assert (by_name["Both"]["solved"], by_name["Both"]["total_score"]) == (2, 200)
    assert (by_name["OneAndHalf"]["solved"], by_name["OneAndHalf"]["total_score"]) == (1, 150)
    assert (by_name["None"]["solved"], by_name["None"]["total_score"]) == (0, 0)
    assert set(body["data"][0]) == {"rank", "user_id", "full_name", "solved", "total_score"}
    assert body["meta"] == {"total": 5, "page": 0, "size": 20}

    page = client.get("/api/leaderboard?page=1&size=2", headers=none["headers"]).get_json()
    assert [e["full_name"] for e in page["data"]] == ["OneEarly", "OneLate"]
    assert [e["rank"] for e in page["data"]] == [3, 4]
    assert page["meta"] == {"total": 5, "page": 1, "size": 2}


def test_challenge_leaderboard_is_paginated_with_meta(client, make_user, make_challenge):
    author = make_user()
    challenge = make_challenge(author)
    players = [make_user(full_name=f"P{i}") for i in range(3)]
    for player in players:
        judged(client, player, challenge["id"], CORRECT)
    full = client.get(f"/api/challenges/{challenge['id']}/leaderboard", headers=author["headers"]).get_json()
    assert full["meta"] == {"total": 3, "page": 0, "size": 100}
    assert sorted(e["full_name"] for e in full["data"]["entries"]) == ["P0", "P1", "P2"]
    first = client.get(f"/api/challenges/{challenge['id']}/leaderboard?size=2", headers=author["headers"]).get_json()
    second = client.get(f"/api/challenges/{challenge['id']}/leaderboard?size=2&page=1",
                        headers=author["headers"]).get_json()
    assert [e["rank"] for e in first["data"]["entries"]] == [1, 2]
    assert [e["rank"] for e in second["data"]["entries"]] == [3]
    assert first["meta"]["total"] == second["meta"]["total"] == 3
    together = first["data"]["entries"] + second["data"]["entries"]
    assert [e["user_id"] for e in together] == [e["user_id"] for e in full["data"]["entries"]]
    assert_error(client.get(f"/api/challenges/{challenge['id']}/leaderboard?page=x", headers=author["headers"]), 400)


def test_wait_returns_as_soon_as_the_attempt_is_judged(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    response = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": CORRECT},
                           headers=player["headers"])
    attempt_id = response.get_json()["data"]["id"]
    started = time.monotonic()
    body = client.get(f"/api/attempts/{attempt_id}?wait=20", headers=player["headers"]).get_json()["data"]
    assert body["status"] == "COMPLETED" and body["verdict"] == "ACCEPTED" and len(body["cases"]) == 2
    assert time.monotonic() - started < 15      # answered when judged, not at the end of the wait


def test_wait_answers_with_the_current_state_when_time_is_up(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    challenge = make_challenge(author, time_limit_ms=3000)
    response = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": RUNAWAY},
                           headers=player["headers"])
    attempt_id = response.get_json()["data"]["id"]
    started = time.monotonic()
    body = client.get(f"/api/attempts/{attempt_id}?wait=0.5", headers=player["headers"]).get_json()["data"]
    assert time.monotonic() - started >= 0.45
    assert body["status"] in ("QUEUED", "RUNNING")
    final = client.get(f"/api/attempts/{attempt_id}?wait=30", headers=player["headers"]).get_json()["data"]
    assert final["status"] == "COMPLETED" and final["verdict"] == "TIME_LIMIT_EXCEEDED"


@pytest.mark.parametrize("value", ["abc", "31", "-1", "nan", "inf", "1e400"])
def test_wait_out_of_range_or_not_a_number_is_400(client, make_user, make_challenge, value):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    attempt_id = judged(client, player, challenge["id"], CORRECT)["id"]
    assert_error(client.get(f"/api/attempts/{attempt_id}?wait={value}", headers=player["headers"]), 400)
