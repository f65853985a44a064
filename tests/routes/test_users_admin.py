"""User profiles and admin account routes."""


from tests.helpers import assert_error


def test_get_user_and_unknown_user(client, make_user):
    alice, bob = make_user(), make_user()
    response = client.get(f"/api/users/{bob['user']['id']}", headers=alice["headers"])
    assert response.status_code == 200
    public = {k: v for k, v in bob["user"].items() if k != "email"}
    assert response.get_json()["data"] == public   # SPEC 9.3: a classmate's e-mail is not theirs to read
    assert_error(client.get("/api/users/999999", headers=alice["headers"]), 404)
    assert_error(client.get(f"/api/users/{bob['user']['id']}"), 401)


def test_non_integer_id_is_not_a_500(client, make_user):
    alice = make_user()
    response = client.get("/api/users/abc", headers=alice["headers"])
    assert response.status_code in (400, 404)
    assert response.get_json()["status"] == "error"


def test_ids_and_pages_beyond_64_bits_are_client_errors(client, make_user):
    alice = make_user()
    huge = "99999999999999999999999"
    for method, path in (("get", f"/api/challenges/{huge}"), ("delete", f"/api/challenges/{huge}"),
                         ("get", f"/api/attempts/{huge}"), ("get", f"/api/users/{huge}")):
        response = getattr(client, method)(path, headers=alice["headers"])
        assert response.status_code == 404 and response.get_json()["status"] == "error"
    for query in (f"page={huge}", "page=999999999999999999", f"size={huge}"):
        response = client.get(f"/api/challenges?{query}", headers=alice["headers"])
        assert response.status_code == 400 and response.get_json()["status"] == "error", query


def test_admin_creates_users_with_roles(client, make_user):
    admin, player = make_user("admin"), make_user()
    body = {"email": "teach@example.com", "full_name": "Teach", "password": "pw", "role": "instructor"}
    assert_error(client.post("/api/admin/users", json=body, headers=player["headers"]), 403)
    response = client.post("/api/admin/users", json=body, headers=admin["headers"])
    assert response.status_code == 201 and response.get_json()["data"]["role"] == "instructor"
    assert "password" not in str(response.get_json())
    assert_error(client.post("/api/admin/users", json=body, headers=admin["headers"]), 409)
    assert_error(client.post("/api/admin/users", json={**body, "email": "x@example.com", "role": "god"},
                             headers=admin["headers"]), 422)


def test_admin_sets_password(client, make_user):
    admin, player = make_user("admin"), make_user()
    target = player["user"]["id"]
    assert_error(client.post(f"/api/admin/users/{target}/password", json={"password": "x"},
                             headers=player["headers"]), 403)
    assert_error(client.post("/api/admin/users/99999/password", json={"password": "x"},
                             headers=admin["headers"]), 404)
    response = client.post(f"/api/admin/users/{target}/password", json={"password": "reset-pw"},
                           headers=admin["headers"])
    assert response.status_code == 200
    login = client.post("/api/login", json={"email": player["user"]["email"], "password": "reset-pw"})
    assert login.status_code == 200


def test_unknown_route_and_method_use_the_envelope(client, make_user):
    user = make_user()
    assert_error(client.get("/api/nope", headers=user["headers"]), 404)
    assert_error(client.delete("/api/me", headers=user["headers"]), 405)


def test_admin_searches_users_by_name_or_email_and_role(client, make_user):
    admin = make_user("admin")
    ada, bob, teach = make_user(full_name="Ada 100%_Lovelace"), make_user(full_name="Bob Stone"), make_user("instructor")
    listing = client.get("/api/admin/users?q=100%25_love&size=5", headers=admin["headers"]).get_json()
    assert [u["id"] for u in listing["data"]] == [ada["user"]["id"]]   # % and _ match literally
    assert listing["meta"] == {"total": 1, "page": 0, "size": 5} and listing["data"][0]["email"] == ada["user"]["email"]
    by_email = client.get(f"/api/admin/users?q={bob['user']['email'].upper()}", headers=admin["headers"]).get_json()
    assert [u["id"] for u in by_email["data"]] == [bob["user"]["id"]]
    instructors = client.get("/api/admin/users?role=instructor", headers=admin["headers"]).get_json()["data"]
    assert [u["id"] for u in instructors] == [teach["user"]["id"]]
    everyone = client.get("/api/admin/users", headers=admin["headers"]).get_json()
    assert everyone["meta"]["total"] == 4 and everyone["data"][0]["id"] == teach["user"]["id"]   # newest first
    assert_error(client.get("/api/admin/users?role=god", headers=admin["headers"]), 400)
    assert_error(client.get("/api/admin/users?page=x", headers=admin["headers"]), 400)
    assert_error(client.get("/api/admin/users", headers=ada["headers"]), 403)
    assert_error(client.get("/api/admin/users", headers=teach["headers"]), 403)


def test_admin_changes_a_role_which_takes_effect_at_once(client, make_user):
    admin, player = make_user("admin"), make_user()
    target = player["user"]["id"]
    assert_error(client.post("/api/challenges/import", json={"format": "sqlarena-problem-set/1", "challenges": []},
                             headers=player["headers"]), 403)
    response = client.put(f"/api/admin/users/{target}/role", json={"role": "instructor"}, headers=admin["headers"])
    assert response.status_code == 200 and response.get_json()["data"]["role"] == "instructor"
    assert client.get("/api/me", headers=player["headers"]).get_json()["data"]["role"] == "instructor"
    assert_error(client.put(f"/api/admin/users/{target}/role", json={"role": "god"}, headers=admin["headers"]), 422)
    assert_error(client.put(f"/api/admin/users/{target}/role", json={"role": 3}, headers=admin["headers"]), 400)
    assert_error(client.put(f"/api/admin/users/{target}/role", json={}, headers=admin["headers"]), 400)
    assert_error(client.put("/api/admin/users/99999/role", json={"role": "player"}, headers=admin["headers"]), 404)
    assert_error(client.put(f"/api/admin/users/{admin['user']['id']}/role", json={"role": "player"},
                            headers=admin["headers"]), 409)
    assert_error(client.put(f"/api/admin/users/{target}/role", json={"role": "admin"}, headers=player["headers"]), 403)
    assert client.get("/api/me", headers=player["headers"]).get_json()["data"]["role"] == "instructor"
