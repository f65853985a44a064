"""Order up to hidden sort keys through HTTP (SPEC 4), and the warning when order falls back to exact."""
from __future__ import annotations

import pytest

from tests.helpers import require_engine

INIT = "CREATE TABLE e (id INTEGER, dept TEXT, score INTEGER);"
DATA = "INSERT INTO e VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 10), (4, 'd', 30), (5, 'e', 20), (6, 'a', 10);"


def ordering_challenge(engine: str, solution: str) -> dict:
    return {"name": "By score", "description": "Departments by score.", "type": "FE", "engine": engine,
            "init": INIT, "solution": solution, "test_cases": [{"data": DATA, "is_visible": True},
                                                               {"data": DATA, "is_visible": False}]}


def attempt(client, wait_judged, player, challenge_id: int, query: str) -> dict:
    response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query},
                           headers=player["headers"])
    assert response.status_code == 202, response.get_json()
    return wait_judged(response.get_json()["data"]["id"], player["headers"])


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_hidden_sort_key_accepts_another_tie_order_and_refuses_a_wrong_order(app, client, make_user, wait_judged,
                                                                             engine):
    require_engine(app, engine)
    author, player = make_user(), make_user()
    created = client.post("/api/challenges", json=ordering_challenge(engine, "SELECT dept FROM e ORDER BY score"),
                          headers=author["headers"])
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["data"]["warnings"] == []
    challenge_id = created.get_json()["data"]["id"]

    ties = attempt(client, wait_judged, player, challenge_id, "SELECT dept FROM e ORDER BY score, dept DESC")
    assert ties["verdict"] == "ACCEPTED", ties
    wrong = attempt(client, wait_judged, player, challenge_id, "SELECT dept FROM e ORDER BY dept")
    assert wrong["verdict"] == "WRONG_ANSWER", wrong
    visible = next(case for case in wrong["cases"] if case["is_visible"])
    assert visible["feedback"] == "right rows in the wrong order"


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_limit_ties_at_the_cut_through_http(app, client, make_user, wait_judged, engine):
    require_engine(app, engine)
    author, player = make_user(), make_user()
    created = client.post("/api/challenges",
                          json=ordering_challenge(engine, "SELECT dept FROM e ORDER BY score LIMIT 2"),
                          headers=author["headers"])
    assert created.status_code == 201, created.get_json()
    challenge_id = created.get_json()["data"]["id"]
    other_ties = attempt(client, wait_judged, player, challenge_id,
                         "SELECT dept FROM e ORDER BY score, dept DESC LIMIT 2")
    assert other_ties["verdict"] == "ACCEPTED", other_ties
    beyond = attempt(client, wait_judged, player, challenge_id, "SELECT dept FROM e ORDER BY score LIMIT 3")
    assert beyond["verdict"] == "WRONG_ANSWER", beyond
    outside = attempt(client, wait_judged, player, challenge_id, "SELECT dept FROM e ORDER BY score DESC LIMIT 2")
    assert outside["verdict"] == "WRONG_ANSWER", outside


def test_order_that_falls_back_to_exact_is_a_warning_on_post_and_put(app, client, make_user):
    require_engine(app, "sqlite")
    author = make_user()
    created = client.post("/api/challenges",
                          json=ordering_challenge("sqlite", "SELECT DISTINCT dept FROM e ORDER BY score"),
                          headers=author["headers"])
    assert created.status_code == 201, created.get_json()
    warnings = created.get_json()["data"]["warnings"]
    assert len(warnings) == 1 and "DISTINCT" in warnings[0] and "exactly" in warnings[0]

    challenge_id = created.get_json()["data"]["id"]
    fixed = client.put(f"/api/challenges/{challenge_id}", json={"solution": "SELECT DISTINCT dept FROM e ORDER BY dept"},
                       headers=author["headers"])
    assert fixed.status_code == 200 and fixed.get_json()["data"]["warnings"] == []
    broken = client.put(f"/api/challenges/{challenge_id}",
                        json={"solution": "SELECT DISTINCT dept FROM e ORDER BY id"}, headers=author["headers"])
    assert broken.status_code == 200 and "DISTINCT" in broken.get_json()["data"]["warnings"][0]
    assert "warnings" not in client.get(f"/api/challenges/{challenge_id}", headers=author["headers"]).get_json()["data"]
