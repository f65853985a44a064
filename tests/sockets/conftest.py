import itertools

import pytest

from tests import asyncapi
from tests.live_server import ApiClient, running_server
from tests.services_env import PG_ADMIN_URL
from tests.socket_client import RecordingClient

ADMIN = ("admin@arena.test", "admin-pw-123")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live")
    with running_server(instance, FIRST_ADMIN_EMAIL=ADMIN[0], FIRST_ADMIN_PASSWORD=ADMIN[1],
                        ROOM_DISCONNECT_GRACE_S="2", SANDBOX_DATABASE_URL=PG_ADMIN_URL) as base:
        yield base


_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def events_match_the_asyncapi_document():
    """Every event a test's sockets received must be documented and match its schema (docs/asyncapi.yaml)."""
    asyncapi.take_violations()
    yield
    violations = asyncapi.take_violations()
    assert not violations, "events that break docs/asyncapi.yaml:\n" + "\n".join(violations)


@pytest.fixture
def api(server):
    """api(role="player") → a signed-in ApiClient."""
    def make(role: str = "player", name: str | None = None) -> ApiClient:
        n = next(_ids)
        email, full_name = f"live{n}-{role}@arena.test", name or f"{role.title()} {n}"
        if role == "player":
            return ApiClient(server).signup(email, full_name)
        admin = ApiClient(server).login(*ADMIN)
        created = admin.call("POST", "/admin/users", json={"email": email, "full_name": full_name,
                                                           "password": "pw-secret-1", "role": role})
        assert created.status_code == 201, created.text
        return ApiClient(server).login(email, "pw-secret-1")
    return make


@pytest.fixture
def sockets(server):
    opened: list[RecordingClient] = []

    def connect(client: ApiClient) -> RecordingClient:
        sock = RecordingClient(server, client.token).connect()
        opened.append(sock)
        return sock
    yield connect
    for sock in opened:
        sock.disconnect()


THREE_CASES = {
    "name": "Three cases", "type": "FE",
    "init": "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);",
    "solution": "SELECT id FROM t WHERE v > 1 ORDER BY id",
    "test_cases": [
        {"data": "INSERT INTO t VALUES (1, 1), (2, 2);", "is_visible": True},
        {"data": "INSERT INTO t VALUES (1, 5), (2, 0), (3, 9);", "is_visible": False},
        {"data": "INSERT INTO t VALUES (7, 7);", "is_visible": False},
    ],
}
CORRECT = "SELECT id FROM t WHERE v > 1 ORDER BY id"


@pytest.fixture
def three_case_challenge(api):
    author = api()
    response = author.call("POST", "/challenges", json=THREE_CASES)
    assert response.status_code == 201, response.text
    return response.json()["data"]
