"""Challenges and test cases: shapes, visibility, authorization, validation on the engine."""
import pytest

from tests.helpers import assert_error, challenge_body


def test_create_challenge_shape_and_creator_from_token(client, make_user):
    author = make_user()
    body = challenge_body(user_id=999)
    response = client.post("/api/challenges", json=body, headers=author["headers"])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert data["created_user_id"] == author["user"]["id"]
    assert data["engine"] == "sqlite" and data["time_limit_ms"] == 2000 and data["check_column_names"] is True
    assert data["solution"] == body["solution"]
    assert [tc["is_visible"] for tc in data["test_cases"]] == [True, False]
    assert all(tc["data"] for tc in data["test_cases"])
    assert {"id", "name", "description", "type", "init", "created_at", "updated_at"} <= set(data)


def test_visibility_rules_for_other_players_creator_and_admin(client, make_user, make_challenge):
    author, other, admin = make_user(), make_user(), make_user("admin")
    challenge = make_challenge(author)
    seen = client.get(f"/api/challenges/{challenge['id']}", headers=other["headers"]).get_json()["data"]
    assert "solution" not in seen
    hidden = [tc for tc in seen["test_cases"] if not tc["is_visible"]]
    assert hidden and all(tc["data"] is None for tc in hidden)
    assert all(tc["data"] for tc in seen["test_cases"] if tc["is_visible"])
    for viewer in (author, admin):
        data = client.get(f"/api/challenges/{challenge['id']}", headers=viewer["headers"]).get_json()["data"]
        assert data["solution"] and all(tc["data"] for tc in data["test_cases"])
    listed = client.get("/api/challenges", headers=other["headers"]).get_json()["data"]
    assert all("solution" not in c for c in listed)


def test_list_pagination_meta_and_bad_params(client, make_user, make_challenge):
    author = make_user()
    for i in range(3):
        make_challenge(author, name=f"C{i}")
    body = client.get("/api/challenges?page=1&size=2", headers=author["headers"]).get_json()
    assert body["meta"] == {"total": 3, "page": 1, "size": 2} and len(body["data"]) == 1
    capped = client.get("/api/challenges?size=1000", headers=author["headers"]).get_json()
    assert capped["meta"]["size"] == 100
    for bad in ("page=x", "size=abc", "page=-1", "size=0"):
        assert_error(client.get(f"/api/challenges?{bad}", headers=author["headers"]), 400)


def test_challenges_by_user(client, make_user, make_challenge):
    a, b = make_user(), make_user()
    make_challenge(a, name="mine")
    make_challenge(b, name="theirs")
    data = client.get(f"/api/challenges-by-user/{a['user']['id']}", headers=b["headers"]).get_json()["data"]
    assert [c["name"] for c in data] == ["mine"]


@pytest.mark.parametrize("overrides, code", [
    ({"type": "XX"}, 422),
    ({"engine": "oracle"}, 422),
    ({"time_limit_ms": 20000}, 422),
    ({"time_limit_ms": 0}, 422),
    ({"name": "n" * 201}, 422),
    ({"description": "d" * 20001}, 422),
    ({"solution": "s" * 100001}, 422),
    ({"test_cases": []}, 422),
    ({"init": "CREATE TABLE broken ("}, 422),
    ({"solution": "SELECT nope FROM items"}, 422),
    ({"solution": "DELETE FROM items"}, 422),
    ({"test_cases": [{"data": "INSERT INTO missing VALUES (1)"}]}, 422),
    ({"name": 5}, 400),
    ({"test_cases": "x"}, 400),
    ({"time_limit_ms": "fast"}, 400),
    ({"check_column_names": "yes"}, 400),
])
def test_create_rejects_bad_input_and_stores_nothing(client, make_user, overrides, code):
    author = make_user()
    response = client.post("/api/challenges", json=challenge_body(**overrides), headers=author["headers"])
    assert_error(response, code)
    listed = client.get("/api/challenges", headers=author["headers"]).get_json()
    assert listed["meta"]["total"] == 0


def test_engine_error_message_is_returned(client, make_user):
    author = make_user()
    response = client.post("/api/challenges", json=challenge_body(solution="SELECT nope FROM items"),
                           headers=author["headers"])
    assert "nope" in assert_error(response, 422)["message"]


def test_missing_required_fields(client, make_user):
    author = make_user()
    for field in ("name", "type", "init", "solution", "test_cases"):
        body = challenge_body()
        del body[field]
        assert_error(client.post("/api/challenges", json=body, headers=author["headers"]), 400)


def test_update_and_delete_authorization(client, make_user, make_challenge):
    author, other, admin = make_user(), make_user(), make_user("admin")
    challenge = make_challenge(author)
    url = f"/api/challenges/{challenge['id']}"
    assert_error(client.put(url, json={"name": "hijack"}, headers=other["headers"]), 403)
    assert_error(client.delete(url, headers=other["headers"]), 403)
    updated = client.put(url, json={"name": "Renamed", "time_limit_ms": 3000}, headers=author["headers"])
    assert updated.status_code == 200
    assert updated.get_json()["data"]["name"] == "Renamed" and updated.get_json()["data"]["time_limit_ms"] == 3000
    assert_error(client.put(url, json={"solution": "SELECT missing FROM items"}, headers=author["headers"]), 422)
    assert client.get(url, headers=author["headers"]).get_json()["data"]["solution"] == challenge["solution"]
    assert client.put(url, json={"check_column_names": False}, headers=admin["headers"]).status_code == 200
    deleted = client.delete(url, headers=admin["headers"])
    assert deleted.status_code == 200 and deleted.get_json()["data"] == {"id": challenge["id"]}
    assert_error(client.get(url, headers=author["headers"]), 404)
    assert_error(client.put("/api/challenges/424242", json={"name": "x"}, headers=admin["headers"]), 404)


def test_test_case_routes(client, make_user, make_challenge):
    author, other = make_user(), make_user()
    challenge = make_challenge(author)
    base = f"/api/challenges/{challenge['id']}/test-cases"
    new_case = {"data": "INSERT INTO items VALUES (7, 'lime', 1);", "is_visible": False}
    assert_error(client.post(base, json=new_case, headers=other["headers"]), 403)
    created = client.post(base, json=new_case, headers=author["headers"])
    assert created.status_code == 201
    case = created.get_json()["data"]
    assert case["challenge_id"] == challenge["id"] and case["is_visible"] is False and case["data"]
    assert_error(client.post(base, json={"data": "INSERT INTO nope VALUES (1)"}, headers=author["headers"]), 422)
    updated = client.put(f"{base}/{case['id']}", json={"is_visible": True}, headers=author["headers"])
    assert updated.status_code == 200 and updated.get_json()["data"]["is_visible"] is True
    assert_error(client.put(f"{base}/999999", json={"is_visible": True}, headers=author["headers"]), 404)
    assert client.delete(f"{base}/{case['id']}", headers=author["headers"]).status_code == 200
    remaining = client.get(f"/api/challenges/{challenge['id']}", headers=author["headers"]).get_json()["data"]
    assert case["id"] not in [tc["id"] for tc in remaining["test_cases"]]


def test_cannot_delete_last_test_case(client, make_user, make_challenge):
    author = make_user()
    challenge = make_challenge(author, test_cases=[{"data": "INSERT INTO items VALUES (1, 'a', 1);"}])
    case_id = challenge["test_cases"][0]["id"]
    assert_error(client.delete(f"/api/challenges/{challenge['id']}/test-cases/{case_id}",
                               headers=author["headers"]), 409)


def test_attempts_keep_their_case_results_when_the_cases_change(client, make_user, make_challenge, wait_judged):
    owner, player = make_user("instructor"), make_user()
    challenge = make_challenge(owner)
    posted = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": challenge_body()["solution"]},
                         headers=player["headers"]).get_json()["data"]
    judged = wait_judged(posted["id"], player["headers"])
    before = client.get(f"/api/attempts/{judged['id']}", headers=player["headers"]).get_json()["data"]["cases"]
    assert len(before) == 2
    first, second = [tc["id"] for tc in challenge["test_cases"]]
    assert client.delete(f"/api/challenges/{challenge['id']}/test-cases/{first}",
                         headers=owner["headers"]).status_code == 200
    replaced = client.put(f"/api/challenges/{challenge['id']}", json={"test_cases": [
        {"data": "INSERT INTO items VALUES (1, 'pen', 2);", "is_visible": True}]}, headers=owner["headers"])
    assert replaced.status_code == 200
    current = replaced.get_json()["data"]["test_cases"]
    assert len(current) == 1 and current[0]["id"] not in (first, second)
    after = client.get(f"/api/attempts/{judged['id']}", headers=player["headers"]).get_json()["data"]["cases"]
    assert after == before
    # a retired case is gone from the challenge's own routes
    assert_error(client.put(f"/api/challenges/{challenge['id']}/test-cases/{second}", json={"is_visible": False},
                            headers=owner["headers"]), 404)
