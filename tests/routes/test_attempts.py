"""Attempts through HTTP: submit, judged by the in-process judge, read back, quota and rate limit."""
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import assert_error

CORRECT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"


def submit(client, user, challenge_id, query, **extra):
    return client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query, **extra},
                       headers=user["headers"])


def test_submit_is_202_queued_then_judged(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    response = submit(client, player, challenge["id"], CORRECT)
    assert response.status_code == 202
    attempt = response.get_json()["data"]
    assert attempt["status"] in ("QUEUED", "RUNNING", "COMPLETED")
    assert attempt["user_id"] == player["user"]["id"] and attempt["room_id"] is None
    judged = wait_judged(attempt["id"], player["headers"])
    assert judged["status"] == "COMPLETED" and judged["verdict"] == "ACCEPTED"
    assert judged["score"] == 100 and judged["passed"] == 2 and judged["total"] == 2
    assert judged["judged_at"] and judged["execution_ms"] >= 0
    assert len(judged["cases"]) == 2
    assert abs(sum(c["execution_ms"] for c in judged["cases"]) - judged["execution_ms"]) < 0.01
    visible, hidden = judged["cases"]
    assert visible["expected_result"] and visible["actual_result"]
    assert hidden["is_visible"] is False and hidden["expected_result"] is None and hidden["actual_result"] is None


def test_wrong_answer_verdict_score_and_feedback(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    attempt = submit(client, player, challenge["id"], "SELECT id, name FROM items WHERE price < 4 ORDER BY id")
    judged = wait_judged(attempt.get_json()["data"]["id"], player["headers"])
    assert judged["status"] == "COMPLETED"
    verdicts = [c["verdict"] for c in judged["cases"]]
    assert verdicts == ["WRONG_ANSWER", "ACCEPTED"]
    assert judged["verdict"] == "WRONG_ANSWER" and judged["score"] == 50 and judged["passed"] == 1
    assert judged["cases"][0]["feedback"]


def test_non_select_is_accepted_and_judged_rejected(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    response = submit(client, player, challenge["id"], "DELETE FROM items")
    assert response.status_code == 202
    judged = wait_judged(response.get_json()["data"]["id"], player["headers"])
    assert judged["status"] == "COMPLETED" and judged["verdict"] == "REJECTED" and judged["score"] == 0


def test_engine_error_is_runtime_error(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    response = submit(client, player, challenge["id"], "SELECT no_such_column FROM items")
    judged = wait_judged(response.get_json()["data"]["id"], player["headers"])
    assert judged["status"] == "COMPLETED" and judged["verdict"] == "RUNTIME_ERROR"
    assert "no_such_column" in judged["cases"][0]["error"]


def test_attempt_visibility_owner_admin_others(client, make_user, make_challenge):
    author, player, other, admin = make_user(), make_user(), make_user(), make_user("admin")
    challenge = make_challenge(author)
    attempt = submit(client, player, challenge["id"], CORRECT).get_json()["data"]
    assert client.get(f"/api/attempts/{attempt['id']}", headers=player["headers"]).status_code == 200
    assert client.get(f"/api/attempts/{attempt['id']}", headers=admin["headers"]).status_code == 200
    assert_error(client.get(f"/api/attempts/{attempt['id']}", headers=other["headers"]), 403)
    assert_error(client.get("/api/attempts/987654", headers=player["headers"]), 404)
    uid = player["user"]["id"]
    assert client.get(f"/api/users/{uid}/attempts", headers=admin["headers"]).status_code == 200
    assert_error(client.get(f"/api/users/{uid}/attempts", headers=other["headers"]), 403)
    item = client.get(f"/api/users/{uid}/attempts/{attempt['id']}", headers=player["headers"])
    assert item.status_code == 200 and "cases" in item.get_json()["data"]
    assert_error(client.get(f"/api/users/{other['user']['id']}/attempts/{attempt['id']}",
                            headers=admin["headers"]), 404)


def test_attempt_lists_newest_first_with_filters(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    first, second = make_challenge(author, name="A"), make_challenge(author, name="B")
    ids = [submit(client, player, ch["id"], CORRECT).get_json()["data"]["id"] for ch in (first, second, first)]
    body = client.get("/api/attempts", headers=player["headers"]).get_json()
    assert [a["id"] for a in body["data"]] == list(reversed(ids))
    assert body["meta"] == {"total": 3, "page": 0, "size": 20}
    only_first = client.get(f"/api/attempts?challenge_id={first['id']}", headers=player["headers"]).get_json()
    assert [a["id"] for a in only_first["data"]] == [ids[2], ids[0]]
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert client.get("/api/attempts", query_string={"start": future}, headers=player["headers"]).get_json()["meta"]["total"] == 0
    assert client.get("/api/attempts", query_string={"start": past, "end": future},
                      headers=player["headers"]).get_json()["meta"]["total"] == 3
    paged = client.get("/api/attempts?page=1&size=2", headers=player["headers"]).get_json()
    assert [a["id"] for a in paged["data"]] == [ids[0]]
    for bad in ("start=yesterday", "end=2026-13-45", "challenge_id=x", "page=1.5"):
        assert_error(client.get(f"/api/attempts?{bad}", headers=player["headers"]), 400)


@pytest.mark.parametrize("body, code", [
    ({"query": "SELECT 1"}, 400),
    ({"challenge_id": "one", "query": "SELECT 1"}, 400),
    ({"challenge_id": 1}, 400),
    ({"challenge_id": 1, "query": 7}, 400),
    ({"challenge_id": 1, "query": "S" * 100001}, 422),
    ({"challenge_id": 424242, "query": "SELECT 1"}, 404),
])
def test_submit_bad_input_stores_nothing(client, make_user, make_challenge, body, code):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    if body.get("challenge_id") == 1:
        body = {**body, "challenge_id": challenge["id"]}
    assert_error(client.post("/api/attempts", json=body, headers=player["headers"]), code)
    assert client.get("/api/attempts", headers=player["headers"]).get_json()["meta"]["total"] == 0


def test_quota_and_429_without_storing(app, client, make_user, make_challenge):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    app.config["SUBMISSION_QUOTA_PER_DAY"] = 2
    assert client.get("/api/attempts/quota", headers=player["headers"]).get_json()["data"] == {"remain": 2, "total": 2}
    for _ in range(2):
        assert submit(client, player, challenge["id"], CORRECT).status_code == 202
    assert client.get("/api/attempts/quota", headers=player["headers"]).get_json()["data"] == {"remain": 0, "total": 2}
    assert_error(submit(client, player, challenge["id"], CORRECT), 429)
    assert client.get("/api/attempts", headers=player["headers"]).get_json()["meta"]["total"] == 2


def test_rate_limit_per_user(app, client, make_user, make_challenge):
    author, player, other = make_user(), make_user(), make_user()
    challenge = make_challenge(author)
    app.config["RATE_LIMIT_ATTEMPTS"] = (3, 60)
    for _ in range(3):
        assert submit(client, player, challenge["id"], CORRECT).status_code == 202
    assert_error(submit(client, player, challenge["id"], CORRECT), 429)
    assert submit(client, other, challenge["id"], CORRECT).status_code == 202
    assert client.get("/api/attempts", headers=player["headers"]).get_json()["meta"]["total"] == 3


@pytest.mark.parametrize("limit", ["RATE_LIMIT_ATTEMPTS", "SUBMISSION_QUOTA_PER_DAY"])
def test_simultaneous_submissions_never_pass_the_limit(app, make_user, make_challenge, limit):
    """60 submissions at once against a limit of 30 store exactly 30 (on both app databases):
    the check and the insert are one atomic step per user, not count-then-insert."""
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    app.config[limit] = (30, 60) if limit == "RATE_LIMIT_ATTEMPTS" else 30
    start, codes = threading.Barrier(60), []

    def post() -> None:
        client = app.test_client()
        start.wait()
        codes.append(submit(client, player, challenge["id"], CORRECT).status_code)
    threads = [threading.Thread(target=post) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [202] * 30 + [429] * 30, sorted(codes)
    listed = app.test_client().get("/api/attempts?size=100", headers=player["headers"]).get_json()
    assert listed["meta"]["total"] == 30


def test_rejudge_requeues_every_attempt(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    attempt = submit(client, player, challenge["id"], CORRECT).get_json()["data"]
    wait_judged(attempt["id"], player["headers"])
    assert_error(client.post(f"/api/challenges/{challenge['id']}/rejudge", headers=player["headers"]), 403)
    # Change the expected answer, then rejudge: the same query is now wrong.
    client.put(f"/api/challenges/{challenge['id']}",
               json={"solution": "SELECT id, name FROM items WHERE price < 3 ORDER BY id"}, headers=author["headers"])
    response = client.post(f"/api/challenges/{challenge['id']}/rejudge", headers=author["headers"])
    assert response.status_code == 200 and response.get_json()["data"] == {"queued": 1}
    rejudged = wait_judged(attempt["id"], player["headers"])
    assert rejudged["verdict"] == "WRONG_ANSWER"


def test_run_returns_visible_results_without_storing(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    response = client.post(f"/api/challenges/{challenge['id']}/run", json={"query": CORRECT}, headers=player["headers"])
    assert response.status_code == 200
    results = response.get_json()["data"]
    assert len(results) == 1
    assert results[0]["columns"] == ["id", "name"] and results[0]["rows"] == [[1, "apple"], [2, "pear"]]
    assert results[0]["truncated"] is False and results[0]["error"] is None
    refused = client.post(f"/api/challenges/{challenge['id']}/run", json={"query": "DROP TABLE items"},
                          headers=player["headers"]).get_json()["data"]
    assert refused[0]["error"]
    assert client.get("/api/attempts", headers=player["headers"]).get_json()["meta"]["total"] == 0
    assert_error(client.post("/api/challenges/31337/run", json={"query": CORRECT}, headers=player["headers"]), 404)
    assert_error(client.post(f"/api/challenges/{challenge['id']}/run", json={}, headers=player["headers"]), 400)


def test_run_gives_the_expected_result_and_the_would_be_verdict_on_visible_cases(client, make_user, make_challenge):
    """SPEC 9.6: each visible case carries `expected`, `verdict` and `feedback`; hidden cases never appear."""
    author, player = make_user(), make_user()
    challenge = make_challenge(author)
    url = f"/api/challenges/{challenge['id']}/run"
    right = client.post(url, json={"query": CORRECT}, headers=player["headers"]).get_json()["data"]
    assert len(right) == 1 and right[0]["test_case_id"] == challenge["test_cases"][0]["id"]
    assert right[0]["expected"] == {"columns": ["id", "name"], "rows": [[1, "apple"], [2, "pear"]], "truncated": False}
    assert right[0]["verdict"] == "ACCEPTED" and right[0]["feedback"] is None
    wrong = client.post(url, json={"query": "SELECT id, name FROM items ORDER BY id"},
                        headers=player["headers"]).get_json()["data"]
    assert wrong[0]["verdict"] == "WRONG_ANSWER" and "3" in wrong[0]["feedback"] and "2" in wrong[0]["feedback"]
    assert wrong[0]["rows"] == [[1, "apple"], [2, "pear"], [3, "fig"]] and wrong[0]["expected"]["rows"] == \
        [[1, "apple"], [2, "pear"]]
    failing = client.post(url, json={"query": "SELECT nope FROM items"}, headers=player["headers"]).get_json()["data"]
    assert failing[0]["verdict"] == "RUNTIME_ERROR" and failing[0]["error"] and failing[0]["expected"]["rows"]
    refused = client.post(url, json={"query": "DELETE FROM items"}, headers=player["headers"]).get_json()["data"]
    assert refused[0]["verdict"] == "REJECTED" and refused[0]["error"] and refused[0]["rows"] == []
    hidden_rows = [[1, "kiwi"]]
    assert all(item["expected"]["rows"] != hidden_rows for item in right + wrong + failing + refused)


def test_run_answers_while_the_judge_queue_is_busy(client, make_user, make_challenge, wait_judged):
    author, player = make_user(), make_user()
    slow = make_challenge(author, time_limit_ms=1000)
    spin = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    queued = [submit(client, player, slow["id"], spin).get_json()["data"]["id"] for _ in range(6)]
    # 6 attempts × 2 cases × 1 s on 2 judge threads: the queue stays busy for ~6 s
    started = time.monotonic()
    response = client.post(f"/api/challenges/{slow['id']}/run", json={"query": CORRECT}, headers=player["headers"])
    elapsed_s = time.monotonic() - started
    assert response.status_code == 200 and response.get_json()["data"][0]["error"] is None
    pending = [a for a in queued
               if client.get(f"/api/attempts/{a}", headers=player["headers"]).get_json()["data"]["status"]
               in ("QUEUED", "RUNNING")]
    assert pending, "the queue was not busy while Run answered"
    assert elapsed_s < 1.0 + 2.0, elapsed_s      # its own time limit + a generous margin, not the queue's
    for attempt_id in queued:
        assert wait_judged(attempt_id, player["headers"])["verdict"] == "TIME_LIMIT_EXCEEDED"
