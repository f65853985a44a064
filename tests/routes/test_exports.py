"""Gradebook CSVs (SPEC 9.3): who may download them, and that their content agrees with the JSON."""
import csv
import io

from tests.helpers import assert_error, wait_until

RIGHT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"
HALF = "SELECT id, name FROM items WHERE price < 4 ORDER BY id"


def submit(client, wait_judged, user, challenge_id, query, room_id=None):
    body = {"challenge_id": challenge_id, "query": query, **({"room_id": room_id} if room_id else {})}
    response = client.post("/api/attempts", json=body, headers=user["headers"])
    assert response.status_code == 202, response.get_json()
    return wait_judged(response.get_json()["data"]["id"], user["headers"])


def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_room_results_csv(client, make_user, make_challenge, wait_judged):
    host, admin = make_user("instructor"), make_user("admin")
    alice, bob = make_user(full_name="Alice"), make_user(full_name="=HYPERLINK(1)")
    first = make_challenge(host, name="Cheap items")
    second = make_challenge(host, name="Also cheap")
    room = client.post("/api/rooms", json={"name": "Class", "challenge_ids": [first["id"], second["id"]],
                                           "duration_s": 600, "max_players": 5, "host_plays": False},
                       headers=host["headers"]).get_json()["data"]
    for player in (alice, bob):
        client.post("/api/rooms/join", json={"code": room["code"]}, headers=player["headers"])
    assert client.post(f"/api/rooms/{room['id']}/start", headers=host["headers"]).status_code == 200
    url = f"/api/rooms/{room['id']}"
    wait_until(lambda: client.get(url, headers=host["headers"]).get_json()["data"]["state"] == "RUNNING", 30)
    submit(client, wait_judged, alice, first["id"], HALF, room["id"])
    submit(client, wait_judged, alice, first["id"], RIGHT, room["id"])
    submit(client, wait_judged, alice, second["id"], RIGHT, room["id"])
    submit(client, wait_judged, bob, first["id"], HALF, room["id"])

    rows = read_csv(client.get(f"{url}/results?format=csv", headers=host["headers"]))
    header = list(rows[0].keys())
    assert header == ["rank", "user_id", "email", "full_name",
                      "Cheap items best score", "Cheap items attempts", "Cheap items first accepted s",
                      "Also cheap best score", "Also cheap attempts", "Also cheap first accepted s",
                      "total_score", "total_attempts", "elapsed_s"]
    standings = client.get(f"{url}/results", headers=host["headers"]).get_json()["data"]["standings"]
    assert [int(r["user_id"]) for r in rows] == [s["user_id"] for s in standings]   # one row per player, same order
    by_user = {int(r["user_id"]): r for r in rows}
    a, b = by_user[alice["user"]["id"]], by_user[bob["user"]["id"]]
    assert a["email"] == alice["user"]["email"] and a["full_name"] == "Alice"
    assert b["full_name"].startswith("'=")   # a formula is neutralised
    assert a["rank"] == "1" and float(a["total_score"]) == 200 and a["total_attempts"] == "3"
    assert float(a["Cheap items best score"]) == 100 and a["Cheap items attempts"] == "2"
    assert float(a["Cheap items first accepted s"]) >= 0 and a["Also cheap attempts"] == "1"
    assert float(b["Cheap items best score"]) == 50 and b["Cheap items first accepted s"] == ""
    assert b["Also cheap attempts"] == "0" and float(b["total_score"]) == 50
    for row in rows:
        standing = next(s for s in standings if s["user_id"] == int(row["user_id"]))
        assert int(row["rank"]) == standing["rank"] and float(row["total_score"]) == standing["total_score"]
        assert float(row["elapsed_s"]) == standing["elapsed_s"]
    # Accept: text/csv gives the same file; admins too; players and others are refused; bad format is 400
    same = client.get(f"{url}/results", headers={**host["headers"], "Accept": "text/csv"})
    assert read_csv(same) == rows
    assert read_csv(client.get(f"{url}/results?format=csv", headers=admin["headers"])) == rows
    for other in (alice, make_user("instructor")):
        assert_error(client.get(f"{url}/results?format=csv", headers=other["headers"]), 403)
    assert_error(client.get(f"{url}/results?format=xlsx", headers=host["headers"]), 400)
    assert client.get(f"{url}/results?format=json", headers=alice["headers"]).status_code == 200
    assert_error(client.get("/api/rooms/999999/results?format=csv", headers=host["headers"]), 404)


def test_challenge_leaderboard_csv(client, make_user, make_challenge, wait_judged):
    creator, admin = make_user("instructor"), make_user("admin")
    players = [make_user() for _ in range(3)]
    challenge = make_challenge(creator, name="Pricing")
    cid = challenge["id"]
    submit(client, wait_judged, players[0], cid, HALF)
    submit(client, wait_judged, players[0], cid, RIGHT)
    submit(client, wait_judged, players[1], cid, HALF)
    submit(client, wait_judged, players[2], cid, RIGHT)
    url = f"/api/challenges/{cid}/leaderboard"
    rows = read_csv(client.get(url, headers=creator["headers"], query_string={"format": "csv"}))
    assert list(rows[0].keys()) == ["rank", "user_id", "email", "full_name", "Pricing best score",
                                    "Pricing attempts", "Pricing first accepted s", "total_score", "total_attempts"]
    entries = client.get(url, headers=creator["headers"]).get_json()["data"]["entries"]
    assert [(int(r["rank"]), int(r["user_id"]), float(r["Pricing best score"])) for r in rows] == \
        [(e["rank"], e["user_id"], e["score"]) for e in entries]
    by_user = {int(r["user_id"]): r for r in rows}
    first = by_user[players[0]["user"]["id"]]
    assert first["email"] == players[0]["user"]["email"] and first["Pricing attempts"] == "2"
    assert float(first["Pricing first accepted s"]) >= 0 and first["total_attempts"] == "2"
    assert by_user[players[1]["user"]["id"]]["Pricing first accepted s"] == ""
    assert by_user[players[2]["user"]["id"]]["Pricing first accepted s"] == "0.0"
    assert read_csv(client.get(url, headers={**admin["headers"], "Accept": "text/csv"})) == rows
    for other in (players[0], make_user("instructor")):
        assert_error(client.get(url, headers=other["headers"], query_string={"format": "csv"}), 403)
    assert_error(client.get(url, headers=creator["headers"], query_string={"format": "pdf"}), 400)


def test_exports_are_documented(client):
    spec = client.get("/api/swagger.json").get_json()
    for path in ("/rooms/{room_id}/results", "/challenges/{challenge_id}/leaderboard"):
        operation = spec["paths"][path]["get"]
        assert "text/csv" in operation["produces"]
        assert "email" in operation["responses"]["200"]["description"]
        assert any(p["name"] == "format" for p in operation["parameters"])
    for path in ("/challenges/{challenge_id}/attempts", "/rooms/{room_id}/attempts"):
        assert "get" in spec["paths"][path]
    assert "get" in spec["paths"]["/rooms"] and "post" in spec["paths"]["/rooms"]
