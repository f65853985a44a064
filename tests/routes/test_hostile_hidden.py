"""Hidden cases leak nothing (SPEC 9.7): queries that try to carry hidden values out through the row
count, the number of differing rows, or an engine error find only kinds in what the player reads."""
import json
import re

import pytest

from tests.helpers import require_engine

SECRET_NAMES = ("Qwertzuiop", "Asdfghjkl")
SECRET_NUMBERS = ("2718", "31")
HIDDEN_CHALLENGE = {
    "name": "Secrets", "description": "All rows of s by id.", "type": "FE",
    "init": "CREATE TABLE s (id INTEGER, name TEXT, n INTEGER);",
    "solution": "SELECT id, name FROM s ORDER BY id",
    "test_cases": [
        {"data": "INSERT INTO s VALUES (1, 'alpha', 5);", "is_visible": True},
        {"data": "INSERT INTO s VALUES (1, 'Qwertzuiop', 2718), (2, 'Asdfghjkl', 31);", "is_visible": False},
    ],
}
# Returns as many rows as the hidden number 31 (5 on the visible case).
ROW_COUNT_CHANNEL = ("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                     "WHERE i < (SELECT MAX(n) FROM s WHERE n < 100)) SELECT i AS id, 'x' AS name FROM r")
KINDS = {"wrong column count", "wrong column names", "wrong row count", "right rows in the wrong order",
         "rows differ from the expected result"}
HIDDEN_ERROR = re.compile(r"^runtime error( \([A-Za-z_][A-Za-z0-9_.]*\))?$")

COMMON_PROBES = [
    (ROW_COUNT_CHANNEL, "WRONG_ANSWER", "wrong row count", "expected 1, got 5"),
    ("SELECT id, name, n FROM s", "WRONG_ANSWER", "wrong column count", "expected 2, got 3"),
    ("SELECT id, CASE WHEN n > 1000 THEN 'a' ELSE name END AS name FROM s ORDER BY id",
     "ACCEPTED", "rows differ from the expected result", None),
]
ENGINE_PROBES = {
    "sqlite": [
        ("SELECT id, name FROM s WHERE json(name) IS NOT NULL", "RUNTIME_ERROR", None, "malformed JSON"),
    ],
    "postgresql": [
        # make_date prints the hidden number unquoted: "date field value out of range: 2718-13-01".
        ("SELECT id, CAST(make_date(n, 13, 1) AS TEXT) AS name FROM s", "RUNTIME_ERROR", None, "5-13-01"),
        ("SELECT CAST(name AS INTEGER) AS id, name FROM s", "RUNTIME_ERROR", None, "alpha"),
        ("SELECT id, name FROM s WHERE 1 / (n - 2718) IS NOT NULL", "ACCEPTED", None, None),
    ],
}


def hidden_texts(attempt: dict) -> list[str]:
    return [text for case in attempt["cases"] if not case["is_visible"]
            for text in (case["feedback"], case["error"]) if text]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_hidden_case_tells_kinds_never_values(app, client, make_user, wait_judged, engine):
    require_engine(app, engine)
    author, player = make_user(), make_user()
    created = client.post("/api/challenges", json={**HIDDEN_CHALLENGE, "engine": engine}, headers=author["headers"])
    assert created.status_code == 201, created.get_json()
    challenge_id = created.get_json()["data"]["id"]
    for query, visible_verdict, hidden_kind, visible_detail in COMMON_PROBES + ENGINE_PROBES[engine]:
        response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query},
                               headers=player["headers"])
        assert response.status_code == 202, response.get_json()
        attempt = wait_judged(response.get_json()["data"]["id"], player["headers"])
        visible, hidden = sorted(attempt["cases"], key=lambda c: c["is_visible"], reverse=True)
        assert hidden["verdict"] != "ACCEPTED", (query, hidden)
        # The visible case keeps its full message and feedback.
        assert visible["verdict"] == visible_verdict, (query, visible)
        if visible_detail:
            assert visible_detail in (visible["feedback"] or visible["error"] or ""), (query, visible)
        # The hidden one: a kind or an error class, nothing else.
        if hidden["verdict"] == "WRONG_ANSWER":
            assert hidden["feedback"] in KINDS and hidden["error"] is None, (query, hidden)
            if hidden_kind:
                assert hidden["feedback"] == hidden_kind
        else:
            assert hidden["verdict"] == "RUNTIME_ERROR" and HIDDEN_ERROR.match(hidden["error"]), (query, hidden)
        for text in hidden_texts(attempt):
            assert not any(ch.isdigit() for ch in text), (query, text)
        # Nowhere in what the player reads (attempt, cases, list) is a hidden value.
        listed = client.get(f"/api/attempts?challenge_id={challenge_id}", headers=player["headers"])
        everything = json.dumps(attempt) + json.dumps(listed.get_json())
        for secret in SECRET_NAMES:
            assert secret not in everything, (query, secret)
        assert not re.search(r"\b2718\b", json.dumps(attempt["cases"])), query
