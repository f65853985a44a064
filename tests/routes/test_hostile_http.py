"""Hostile HTTP clients (SPEC 9.7): request bodies, failed-login limits, fingerprints of huge accepted
queries, and a real server that keeps answering while passwords are hashed.

Each test asserts the outcome for the whole class of input (every route that takes a body, both app
databases), not one payload."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.helpers import assert_error, challenge_body
from tests.live_server import ApiClient, running_server

# Routes that read a JSON body: a hostile body is refused by the one parser, before anything else.
BODY_ROUTES = {
    ("POST", "/api/register"), ("POST", "/api/login"), ("POST", "/api/auth/logout"), ("POST", "/api/me/password"),
    ("POST", "/api/challenges"), ("PUT", "/api/challenges/<int:challenge_id>"),
    ("POST", "/api/challenges/<int:challenge_id>/test-cases"),
    ("PUT", "/api/challenges/<int:challenge_id>/test-cases/<int:test_case_id>"),
    ("POST", "/api/challenges/<int:challenge_id>/run"), ("POST", "/api/attempts"), ("POST", "/api/rooms"),
    ("POST", "/api/rooms/join"), ("POST", "/api/admin/users"), ("POST", "/api/admin/users/<int:user_id>/password"),
}
FIELDS = ("email", "full_name", "password", "name", "query", "code", "old", "new", "init", "solution", "data")


@pytest.fixture(autouse=True)
def fresh_login_counters(request):
    """Failed-login counters are per app and outlive a test: start each test that uses the app with none."""
    if "app" not in request.fixturenames:
        return
    from app.services.login_guard import login_guard
    with request.getfixturevalue("app").app_context():
        login_guard.reset()


@pytest.fixture
def every_body_route(app, client, make_user, make_challenge):
    """[(method, url, rule)] for every POST/PUT route of the API, ids filled with real objects, and the
    admin headers to call them with (so that no permission check answers first)."""
    admin = make_user("admin")
    challenge = make_challenge(admin)
    room = client.post("/api/rooms", headers=admin["headers"], json={
        "name": "r", "challenge_ids": [challenge["id"]], "duration_s": 60, "max_players": 2}).get_json()["data"]
    ids = {"challenge_id": challenge["id"], "test_case_id": challenge["test_cases"][0]["id"],
           "room_id": room["id"], "user_id": admin["user"]["id"]}
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) & {"POST", "PUT"}):
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<int:{name}>", str(ids.get(name, 1))).replace(f"<{name}>", str(ids.get(name, 1)))
            routes.append((method, url, rule.rule))
    assert len(routes) >= len(BODY_ROUTES)
    return routes, admin["headers"]


def send_raw(client, method: str, url: str, raw: bytes, headers: dict | None = None, **kwargs):
    return client.open(url, method=method, data=raw, content_type="application/json", headers=headers or {}, **kwargs)


def hostile_object(value_json: str) -> bytes:
    """A JSON object whose every usual field holds `value_json` (raw JSON text, escapes kept)."""
    return ("{" + ", ".join(f'"{name}": {value_json}' for name in FIELDS) + "}").encode()


HOSTILE_BODIES = [
    pytest.param(hostile_object('"\\ud800"'), 400, id="lone-high-surrogate"),
    pytest.param(hostile_object('"x\\udfff"'), 400, id="lone-low-surrogate"),
    pytest.param(b'{"\\ud800": 1}', 400, id="surrogate-in-a-key"),
    pytest.param(b'{"name": "\xed\xa0\x80"}', 400, id="surrogate-as-raw-utf8-bytes"),
    pytest.param(hostile_object('"SELECT 1\\u0000"'), 422, id="nul-in-text"),
    pytest.param(b'{"test_cases": [{"data": "INSERT\\u0000", "is_visible": true}]}', 422, id="nul-nested"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, 400, id="nested-arrays-100k"),
    pytest.param(b'{"a":' * 50_000 + b"1" + b"}" * 50_000, 400, id="nested-objects-50k"),
    pytest.param(b'{"name": ' + b"[" * 100 + b"]" * 100 + b"}", 400, id="nested-100-under-the-recursion-limit"),
    pytest.param(b'{"name": "\xff\xfe"}', 400, id="invalid-utf8"),
]


@pytest.mark.parametrize("raw, code", HOSTILE_BODIES)
def test_every_route_refuses_hostile_bodies_with_the_envelope(client, every_body_route, raw, code):
    routes, headers = every_body_route
    for method, url, rule in routes:
        response = send_raw(client, method, url, raw, headers)
        assert response.status_code != 500, (method, rule, response.get_json())
        if (method, rule) in BODY_ROUTES:
            body = assert_error(response, code)
            assert "\ud800" not in body["message"] and "\x00" not in body["message"]


def test_nul_names_the_field_on_both_app_databases(client, make_user, make_challenge):
    player = make_user()
    challenge = make_challenge(player)
    response = client.post("/api/attempts", headers=player["headers"],
                           json={"challenge_id": challenge["id"], "query": "SELECT 1\x00"})
    body = assert_error(response, 422)
    assert "'query'" in body["message"] and "NUL" in body["message"]
    response = client.post("/api/challenges", headers=player["headers"],
                           json=challenge_body(test_cases=[{"data": "INSERT\x00", "is_visible": True}]))
    assert "'test_cases[0].data'" in assert_error(response, 422)["message"]
    assert client.get("/api/attempts", headers=player["headers"]).get_json()["meta"]["total"] == 0


def test_a_surrogate_pair_is_ordinary_text(client):
    raw = b'{"email": "emoji@example.com", "full_name": "Ada \\ud83d\\ude00", "password": "pw-secret"}'
    response = send_raw(client, "POST", "/api/register", raw)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["data"]["full_name"] == "Ada \U0001F600"


def test_deep_nesting_message(client):
    body = assert_error(send_raw(client, "POST", "/api/login", b"[" * 100_000), 400)
    assert "nested too deeply" in body["message"]


# -- body size ------------------------------------------------------------------------------------
def test_every_route_answers_413_over_the_limit(app, client, every_body_route):
    routes, headers = every_body_route
    app.config["MAX_CONTENT_LENGTH"] = 4096
    raw = b'{"name": "' + b"x" * 8192 + b'"}'
    for method, url, rule in routes:
        body = assert_error(send_raw(client, method, url, raw, headers), 413)
        assert "too large" in body["message"], rule
    assert client.post("/api/login", json={"email": "a@example.com", "password": "x" * 1000}).status_code == 401


def test_the_default_limit_is_60_mb(app, client):
    assert app.config["MAX_CONTENT_LENGTH"] == 60 * 1024 * 1024
    big = b'{"email": "a@example.com", "password": "' + b"x" * (61 * 1024 * 1024) + b'"}'
    assert_error(send_raw(client, "POST", "/api/login", big), 413)


def test_a_body_without_content_length_is_cut_at_the_limit(app, client):
    """Chunked uploads declare no length: Werkzeug stops reading at the limit (413), it never buffers more."""
    import io
    app.config["MAX_CONTENT_LENGTH"] = 4096
    stream = io.BytesIO(b'{"email": "a@example.com", "password": "' + b"x" * 100_000 + b'"}')
    response = client.post("/api/login", input_stream=stream, content_type="application/json",
                           environ_overrides={"wsgi.input_terminated": True})
    assert_error(response, 413)


# -- failed logins ----------------------------------------------------------------------------------
def attempt_login(client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post("/api/login", json={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


def test_failed_logins_per_account_get_429_from_any_address(app, client, make_user):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = (3, 300)
    victim, bystander = make_user(), make_user()
    email = victim["user"]["email"]
    for i in range(3):
        assert_error(attempt_login(client, email, "guess", f"10.0.0.{i}"), 401)
    body = assert_error(attempt_login(client, email, victim["password"]), 429)   # even the right password
    assert "this account" in body["message"]
    assert_error(attempt_login(client, email.upper(), victim["password"], "10.9.9.9"), 429)
    assert attempt_login(client, bystander["user"]["email"], bystander["password"]).status_code == 200
    unknown = "nobody@example.com"   # an e-mail nobody has is limited the same way: a 429 tells nothing
    for _ in range(3):
        assert_error(attempt_login(client, unknown, "guess", "10.1.1.1"), 401)
    assert_error(attempt_login(client, unknown, "guess", "10.1.1.2"), 429)


def test_failed_logins_per_address_get_429_for_every_account_from_it(app, client, make_user):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = (4, 300)
    player = make_user()
    for i in range(4):
        assert_error(attempt_login(client, f"spray{i}@example.com", "guess", "10.0.0.66"), 401)
    body = assert_error(attempt_login(client, player["user"]["email"], player["password"], "10.0.0.66"), 429)
    assert "this address" in body["message"]
    assert attempt_login(client, player["user"]["email"], player["password"], "10.0.0.67").status_code == 200


def test_many_successful_logins_from_one_address_are_never_limited(app, client, make_user):
    """A classroom behind one NAT: 12 accounts, each signing in twice, with limits of 3."""
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = (3, 300)
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = (3, 300)
    students = [make_user() for _ in range(12)]
    for _round in range(2):
        for student in students:
            response = attempt_login(client, student["user"]["email"], student["password"], "192.0.2.1")
            assert response.status_code == 200, response.get_json()
    assert_error(attempt_login(client, students[0]["user"]["email"], "typo", "192.0.2.1"), 401)


def test_a_successful_login_clears_the_accounts_failures(app, client, make_user):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = (3, 300)
    player = make_user()
    email = player["user"]["email"]
    for _round in range(3):
        for _ in range(2):
            assert_error(attempt_login(client, email, "typo"), 401)
        assert attempt_login(client, email, player["password"]).status_code == 200


def test_redis_storage_shares_failed_logins_between_web_processes(app):
    """Two apps (two web processes) on one RATE_LIMIT_STORAGE_URL=redis://…: failures on one count on the other."""
    import uuid

    from app import create_app
    from tests.services_env import REDIS_URL, unavailable
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means Redis is not there
        unavailable(f"Redis unreachable at {REDIS_URL}: {exc}")
    shared = {key: app.config[key] for key in ("TESTING", "INSTANCE_PATH", "SECRET_KEY", "JWT_SECRET_KEY",
                                                "SQLALCHEMY_DATABASE_URI", "PASSWORD_HASH_METHOD")}
    shared.update(RATE_LIMIT_STORAGE_URL=REDIS_URL, LOGIN_FAILURES_PER_ACCOUNT=(2, 60),
                  LOGIN_FAILURES_PER_ADDRESS=(100_000, 60))   # the address key is shared by every run
    first, second = create_app(shared).test_client(), create_app(shared).test_client()
    email = f"shared-{uuid.uuid4().hex}@example.com"   # a key no other test run uses
    for _ in range(2):
        assert_error(attempt_login(first, email, "guess"), 401)
    assert_error(attempt_login(second, email, "guess"), 429)


# -- the fingerprint of a huge accepted query ----------------------------------------------------------
def test_a_huge_accepted_query_is_judged_and_gets_no_fingerprint(app, client, make_user, make_challenge, wait_judged):
    from app.extensions import db
    from app.models import Attempt
    player = make_user()
    challenge = make_challenge(player)
    ctes = ",\n".join(f"c{i} AS (SELECT id, price + {i} AS w FROM items WHERE price > {i})" for i in range(1450))
    query = f"WITH {ctes}\nSELECT id, name FROM items WHERE price < 6 ORDER BY id"
    assert 90_000 < len(query) <= 100_000
    response = client.post("/api/attempts", headers=player["headers"], json={"challenge_id": challenge["id"],
                                                                               "query": query})
    assert response.status_code == 202, response.get_json()
    judged = wait_judged(response.get_json()["data"]["id"], player["headers"], timeout_s=120)
    assert judged["verdict"] == "ACCEPTED", judged
    with app.app_context():
        assert db.session.get(Attempt, judged["id"]).fingerprint is None


# -- the real server under eventlet -------------------------------------------------------------------
GENEROUS_S = 1.0


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The real server with its default scrypt hash; limits high enough for the load below."""
    with running_server(tmp_path_factory.mktemp("hostile-http"), LOGIN_FAILURES_PER_ADDRESS="1000 per minute",
                        LOGIN_FAILURES_PER_ACCOUNT="1000 per minute") as base:
        yield base


def test_health_answers_while_ten_wrong_password_logins_hash_at_once(live_server):
    """Before: 10 concurrent wrong-password logins pushed /api/health to 3.6-4.9 s."""
    ApiClient(live_server).signup("target@arena.test", "Target")
    statuses: list[int] = []

    def wrong_logins(index: int) -> None:
        for round_ in range(3):
            email = "target@arena.test" if index % 2 else f"unknown{index}-{round_}@arena.test"
            response = requests.post(f"{live_server}/api/login", json={"email": email, "password": "wrong"}, timeout=60)
            statuses.append(response.status_code)

    threads = [threading.Thread(target=wrong_logins, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    health_s = []
    while any(thread.is_alive() for thread in threads):
        t0 = time.monotonic()
        assert requests.get(f"{live_server}/api/health", timeout=10).status_code == 200
        health_s.append(time.monotonic() - t0)
        time.sleep(0.05)
    assert statuses == [401] * 30                  # every login was checked against a (scrypt) hash
    assert len(health_s) >= 5
    assert max(health_s) < GENEROUS_S, (max(health_s), sorted(health_s)[-5:])


def test_a_password_change_refuses_other_sessions_socket_connections(live_server):
    from socketio.exceptions import ConnectionError as SocketConnectionError

    from tests.socket_client import RecordingClient
    first = ApiClient(live_server).signup("sessions@arena.test", "Sessions")
    second = ApiClient(live_server).login("sessions@arena.test", "pw-secret-1")
    changed = first.call("POST", "/me/password", json={"old": "pw-secret-1", "new": "pw-secret-2"})
    assert changed.status_code == 200, changed.text
    assert second.call("GET", "/me").status_code == 401
    with pytest.raises(SocketConnectionError):
        RecordingClient(live_server, second.token).connect()
    sock = RecordingClient(live_server, first.token).connect()
    try:
        assert sock.sio.connected
    finally:
        sock.disconnect()
