"""Registration, login, tokens, logout and password change through HTTP."""
import json

import pytest

from tests.helpers import assert_error


def register(client, **body):
    payload = {"email": "ada@example.com", "full_name": "Ada Lovelace", "password": "analytical"}
    payload.update(body)
    return client.post("/api/register", json=payload)


def no_secrets(body) -> None:
    text = json.dumps(body)
    assert "password" not in text and "hash" not in text and "pbkdf2" not in text


def test_register_returns_player_without_password(client):
    response = register(client)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "success"
    assert set(body["data"]) == {"id", "email", "full_name", "role", "created_at"}
    assert body["data"]["role"] == "player" and body["data"]["email"] == "ada@example.com"
    no_secrets(body)


def test_register_accepts_unsafe_password_alias(client):
    body = {"email": "bob@example.com", "full_name": "Bob", "unsafe_password": "alias-pw"}
    assert client.post("/api/register", json=body).status_code == 201
    assert client.post("/api/login", json={"email": "bob@example.com", "password": "alias-pw"}).status_code == 200


@pytest.mark.parametrize("body, code", [
    ({"email": "not-an-email"}, 422),
    ({"email": "a@b"}, 422),
    ({"password": ""}, 422),
    ({"full_name": "   "}, 422),
    ({"full_name": "x" * 201}, 422),
    ({"email": 42}, 400),
    ({"password": ["list"]}, 400),
])
def test_register_rejects_bad_values(client, body, code):
    assert_error(register(client, **body), code)


@pytest.mark.parametrize("missing", ["email", "full_name", "password"])
def test_register_requires_fields(client, missing):
    payload = {"email": "x@example.com", "full_name": "X", "password": "pw"}
    del payload[missing]
    assert_error(client.post("/api/register", json=payload), 400)


def test_register_malformed_json_and_non_object(client):
    assert_error(client.post("/api/register", data="{not json", content_type="application/json"), 400)
    assert_error(client.post("/api/register", json=[1, 2]), 400)


def test_register_duplicate_email_is_conflict_case_insensitive(client):
    assert register(client).status_code == 201
    assert_error(register(client, email="ADA@example.com"), 409)


def test_login_and_me(client):
    register(client)
    response = client.post("/api/login", json={"email": "ada@example.com", "password": "analytical"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["user"]["email"] == "ada@example.com" and data["access_token"] and data["refresh_token"]
    no_secrets({"user": data["user"]})
    me = client.get("/api/me", headers={"Authorization": f"Bearer {data['access_token']}"})
    assert me.status_code == 200 and me.get_json()["data"]["id"] == data["user"]["id"]


@pytest.mark.parametrize("body", [
    {"email": "ada@example.com", "password": "wrong"},
    {"email": "nobody@example.com", "password": "analytical"},
])
def test_login_wrong_credentials_is_401(client, body):
    register(client)
    assert_error(client.post("/api/login", json=body), 401)


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer not.a.token", "Basic abc", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.tampered",
])
def test_me_token_problems_are_401(client, header):
    headers = {"Authorization": header} if header else {}
    assert_error(client.get("/api/me", headers=headers), 401)


def test_tampered_and_expired_tokens_are_401(app, client, make_user):
    user = make_user()
    token = user["access_token"]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert_error(client.get("/api/me", headers={"Authorization": f"Bearer {tampered}"}), 401)
    from datetime import timedelta

    from flask_jwt_extended import create_access_token
    with app.app_context():
        expired = create_access_token(identity=str(user["user"]["id"]), expires_delta=timedelta(seconds=-10))
    assert_error(client.get("/api/me", headers={"Authorization": f"Bearer {expired}"}), 401)


def test_refresh_token_types_are_enforced(client, make_user):
    user = make_user()
    refresh_headers = {"Authorization": f"Bearer {user['refresh_token']}"}
    assert_error(client.get("/api/me", headers=refresh_headers), 401)
    assert_error(client.post("/api/auth/refresh", headers=user["headers"]), 401)
    response = client.post("/api/auth/refresh", headers=refresh_headers)
    assert response.status_code == 200
    new_access = response.get_json()["data"]["access_token"]
    assert client.get("/api/me", headers={"Authorization": f"Bearer {new_access}"}).status_code == 200


def test_logout_revokes_access_and_given_refresh_token(client, make_user):
    user = make_user()
    response = client.post("/api/auth/logout", headers=user["headers"], json={"refresh_token": user["refresh_token"]})
    assert response.status_code == 200
    assert_error(client.get("/api/me", headers=user["headers"]), 401)
    assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {user['refresh_token']}"}), 401)


def test_logout_needs_no_body_and_revocation_survives_restart(app, client, make_user):
    user = make_user()
    assert client.post("/api/auth/logout", headers=user["headers"]).status_code == 200
    from app import create_app
    restarted = create_app({k: app.config[k] for k in (
        "TESTING", "INSTANCE_PATH", "SECRET_KEY", "JWT_SECRET_KEY", "SQLALCHEMY_DATABASE_URI")})
    assert_error(restarted.test_client().get("/api/me", headers=user["headers"]), 401)


def test_change_password(client, make_user):
    user = make_user()
    bad = client.post("/api/me/password", headers=user["headers"], json={"old": "wrong", "new": "n3w"})
    assert_error(bad, 403)
    assert_error(client.post("/api/me/password", headers=user["headers"], json={"old": user["password"]}), 400)
    ok = client.post("/api/me/password", headers=user["headers"], json={"old": user["password"], "new": "n3w-pass"})
    assert ok.status_code == 200
    no_secrets(ok.get_json())
    email = user["user"]["email"]
    assert client.post("/api/login", json={"email": email, "password": user["password"]}).status_code == 401
    assert client.post("/api/login", json={"email": email, "password": "n3w-pass"}).status_code == 200


# -- sessions (SPEC 9.7): logout ends the whole session, a password change every other one ---------
def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(client, user: dict, password: str | None = None) -> dict:
    response = client.post("/api/login", json={"email": user["user"]["email"], "password": password or user["password"]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def works(client, session: dict) -> bool:
    """(access token accepted, refresh token accepted)"""
    me = client.get("/api/me", headers=bearer(session["access_token"])).status_code
    refresh = client.post("/api/auth/refresh", headers=bearer(session["refresh_token"])).status_code
    assert me in (200, 401) and refresh in (200, 401)
    return me == 200 and refresh == 200


def test_logout_without_body_revokes_the_refresh_token_of_the_session(client, make_user):
    user = make_user()
    assert client.post("/api/auth/logout", headers=user["headers"]).status_code == 200
    assert_error(client.get("/api/me", headers=user["headers"]), 401)
    assert_error(client.post("/api/auth/refresh", headers=bearer(user["refresh_token"])), 401)


def test_logout_revokes_access_tokens_refreshed_in_the_session_and_no_other_session(client, make_user):
    user = make_user()
    other_session = login(client, user)
    refreshed = client.post("/api/auth/refresh", headers=bearer(user["refresh_token"])).get_json()["data"]
    assert client.get("/api/me", headers=bearer(refreshed["access_token"])).status_code == 200
    assert client.post("/api/auth/logout", headers=user["headers"]).status_code == 200
    assert_error(client.get("/api/me", headers=bearer(refreshed["access_token"])), 401)
    assert works(client, other_session)


def test_logout_with_a_refresh_token_revokes_its_session(client, make_user):
    user = make_user()
    other_session = login(client, user)
    response = client.post("/api/auth/logout", headers=user["headers"],
                           json={"refresh_token": other_session["refresh_token"]})
    assert response.status_code == 200
    assert not works(client, other_session)
    assert not works(client, user)


def test_logout_with_the_refresh_token_in_the_header_ends_the_session(client, make_user):
    user = make_user()
    assert client.post("/api/auth/logout", headers=bearer(user["refresh_token"])).status_code == 200
    assert_error(client.get("/api/me", headers=user["headers"]), 401)


def test_password_change_revokes_every_other_session_but_not_the_callers(client, make_user):
    user = make_user()
    other = login(client, user)
    third = login(client, user)
    response = client.post("/api/me/password", headers=user["headers"],
                           json={"old": user["password"], "new": "brand-new-pw"})
    assert response.status_code == 200
    assert works(client, user)                       # the caller's session goes on, refresh included
    assert not works(client, other) and not works(client, third)
    assert works(client, login(client, user, "brand-new-pw"))


def test_admin_password_reset_revokes_every_session_of_the_user(client, make_user):
    admin, player = make_user("admin"), make_user()
    response = client.post(f"/api/admin/users/{player['user']['id']}/password", headers=admin["headers"],
                           json={"password": "reset-by-admin"})
    assert response.status_code == 200
    assert not works(client, player)
    assert works(client, admin)


def test_a_token_without_a_session_is_refused(app, client, make_user):
    user = make_user()
    from flask_jwt_extended import create_access_token
    with app.app_context():
        forged_shape = create_access_token(identity=str(user["user"]["id"]))   # validly signed, no session
        foreign = create_access_token(identity=str(user["user"]["id"] + 1000),
                                      additional_claims={"sid": "no-such-session"})
    assert_error(client.get("/api/me", headers=bearer(forged_shape)), 401)
    assert_error(client.get("/api/me", headers=bearer(foreign)), 401)


# -- the cost of a login does not depend on whether the e-mail exists --------------------------------
def test_login_costs_the_same_for_unknown_and_known_emails(app, client):
    """With the real scrypt hash: before, an unknown e-mail answered in 8 ms and a known one in 168 ms."""
    import statistics
    import time
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    assert register(client).status_code == 201

    def failed_login_s(email: str) -> float:
        started = time.perf_counter()
        assert_error(client.post("/api/login", json={"email": email, "password": "not-it"}), 401)
        return time.perf_counter() - started

    failed_login_s("warm-up@example.com")   # the first unknown e-mail builds the dummy hash once
    known = statistics.median(failed_login_s("ada@example.com") for _ in range(3))
    unknown = statistics.median(failed_login_s(f"nobody{i}@example.com") for i in range(3))
    assert known > 0.02, known              # the real hash ran (pbkdf2:1000 of the fixtures is ~1 ms)
    assert unknown >= 0.3 * known, (unknown, known)


@pytest.fixture(autouse=True)
def fresh_login_counters(request):
    """Failed-login counters are per app and outlive a test: start each test that uses the app with none."""
    if "app" not in request.fixturenames:
        return
    from app.services.login_guard import login_guard
    with request.getfixturevalue("app").app_context():
        login_guard.reset()
