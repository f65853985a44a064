"""Leaderboards order by score, then the deterministic cost, then time (SPEC 9.5), through HTTP."""
from datetime import datetime, timedelta

import pytest

from app.models import Attempt, ChallengeBest
from app.services.leaderboard import is_better

CHEAP = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"
# The same rows after counting to 3,000 first: clearly more work for the engine, same answer.
COSTLY = ("SELECT id, name FROM items WHERE price < 6 AND (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL "
          "SELECT n + 1 FROM r WHERE n < 3000) SELECT count(*) FROM r) > 0 ORDER BY id")
WRONG = "SELECT id, name FROM items ORDER BY id"


def judged(client, user, challenge_id, query) -> dict:
    response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query},
                           headers=user["headers"])
    assert response.status_code == 202, response.get_json()
    attempt_id = response.get_json()["data"]["id"]
    body = client.get(f"/api/attempts/{attempt_id}?wait=30", headers=user["headers"]).get_json()["data"]
    assert body["status"] == "COMPLETED", body
    return body


@pytest.mark.parametrize("kind, winner", [("FE", "Cheap"), ("LE", "Costly")])
def test_equal_scores_rank_by_cost_before_time_and_age(client, make_user, make_challenge, kind, winner):
    author = make_user()
    challenge = make_challenge(author, type=kind)
    costly_user, cheap_user, wrong_user = (make_user(full_name=n) for n in ("Costly", "Cheap", "Wrong"))
    costly = judged(client, costly_user, challenge["id"], COSTLY)     # earlier: would win a tie on age
    cheap = judged(client, cheap_user, challenge["id"], CHEAP)
    judged(client, wrong_user, challenge["id"], WRONG)

    assert costly["score"] == cheap["score"] == 100
    assert cheap["cost"] < costly["cost"]
    full = client.get(f"/api/attempts/{cheap['id']}", headers=cheap_user["headers"]).get_json()["data"]
    assert full["cost"] == sum(case["cost"] for case in full["cases"])

    board = client.get(f"/api/challenges/{challenge['id']}/leaderboard", headers=author["headers"]).get_json()
    names = [entry["full_name"] for entry in board["data"]["entries"]]
    loser = "Costly" if winner == "Cheap" else "Cheap"
    assert names == [winner, loser, "Wrong"]
    by_name = {entry["full_name"]: entry for entry in board["data"]["entries"]}
    assert by_name["Cheap"]["cost"] == cheap["cost"] and by_name["Costly"]["cost"] == costly["cost"]


def _attempt(score, cost, ms, age_s=0):
    return Attempt(score=score, cost=cost, execution_ms=ms, created_at=datetime(2026, 1, 1) + timedelta(seconds=age_s))


def _best(score, cost, ms, age_s=0):
    return ChallengeBest(score=score, cost=cost, execution_ms=ms,
                         attempt_created_at=datetime(2026, 1, 1) + timedelta(seconds=age_s))


@pytest.mark.parametrize("kind, attempt, best, better", [
    ("FE", _attempt(100, 10, 9.0, 5), _best(100, 20, 1.0), True),      # cheaper beats faster and older
    ("FE", _attempt(100, 20, 1.0), _best(100, 10, 9.0, 5), False),
    ("LE", _attempt(100, 20, 1.0, 5), _best(100, 10, 9.0), True),      # LE: costlier wins
    ("FE", _attempt(100, 10, 5.0), _best(100, 10, 6.0), True),         # equal cost: time decides
    ("FE", _attempt(100, 10, 5.0), _best(100, None, 1.0), True),       # a best without cost sorts last
    ("LE", _attempt(100, None, 9.0), _best(100, 1, 1.0), False),
    ("FE", _attempt(50, 1, 1.0), _best(100, 99, 9.0), False),          # score first
])
def test_is_better_follows_the_board_order(kind, attempt, best, better):
    assert is_better(kind, attempt, best) is better
