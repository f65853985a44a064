"""Small builders and assertions shared by tests."""

SIMPLE_INIT = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price INTEGER);"
SIMPLE_CASES = [
    {"data": "INSERT INTO items VALUES (1, 'apple', 3), (2, 'pear', 5), (3, 'fig', 8);", "is_visible": True},
    {"data": "INSERT INTO items VALUES (1, 'kiwi', 2), (2, 'plum', 9);", "is_visible": False},
]


def challenge_body(**overrides) -> dict:
    body = {
        "name": "Cheap items", "description": "Items cheaper than 6, by id.", "type": "FE",
        "init": SIMPLE_INIT, "solution": "SELECT id, name FROM items WHERE price < 6 ORDER BY id",
        "test_cases": [dict(tc) for tc in SIMPLE_CASES],
    }
    body.update(overrides)
    return body


def assert_error(response, code: int) -> dict:
    body = response.get_json()
    assert response.status_code == code, (response.status_code, body)
    assert body["status"] == "error" and isinstance(body["message"], str) and body["message"], body
    assert "Traceback" not in body["message"]
    return body


def wait_until(condition, timeout_s: float = 10.0, interval_s: float = 0.05):
    """Polls until `condition()` is truthy (a generous bound, never a timing assertion); returns its value."""
    import time
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s} s")


def require_engine(app, engine: str) -> None:
    """Skips (fails under CI) when the app has no working sandbox for `engine`."""
    from tests.services_env import unavailable
    from app.extensions import judging
    engines = judging.of(app).engines
    if engine not in engines:
        unavailable(f"the {engine} sandbox is not configured")
    problem = engines[engine].health()
    if problem:
        unavailable(f"the {engine} sandbox is unreachable: {problem}")
