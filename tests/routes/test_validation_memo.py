"""Issue 14: validation once ran an edited challenge on the dataset of its previous content.

Datasets were remembered by (version, case id, sizes) and validation passes no version, so an edit
that kept every size (`v = 1` → `v = 0`) reused the first dataset and a failing solution passed."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error, require_engine

# Per engine: a table, a solution, data it runs on and data of the same size it fails on.
CASES = {
    "postgresql": ("CREATE TABLE t (v INTEGER);", "SELECT 1 / v AS r FROM t",
                   "INSERT INTO t VALUES (1);", "INSERT INTO t VALUES (0);", "division by zero"),
    "sqlite": ("CREATE TABLE t (v TEXT);", "SELECT json(v) AS r FROM t",
               "INSERT INTO t VALUES ('[1]');", "INSERT INTO t VALUES ('[1{');", "malformed JSON"),
}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_an_edit_of_the_same_size_is_validated_on_its_own_data(app, client, make_user, engine):
    require_engine(app, engine)
    init, solution, good, bad, message = CASES[engine]
    assert len(good) == len(bad)
    author = make_user()
    body = {"name": "Memo", "description": "d", "type": "FE", "engine": engine, "init": init,
            "solution": solution, "test_cases": [{"data": good, "is_visible": True}]}
    created = client.post("/api/challenges", json=body, headers=author["headers"])
    assert created.status_code == 201, created.get_json()
    challenge_id = created.get_json()["data"]["id"]

    edited = client.put(f"/api/challenges/{challenge_id}", json={"test_cases": [{"data": bad, "is_visible": True}]},
                        headers=author["headers"])
    assert message in assert_error(edited, 422)["message"]
