"""Instructor tools through HTTP: analytics, similar attempts, CSV exports."""
import csv
import io
import statistics
from datetime import timedelta

from app.extensions import db
from app.models import Attempt

from tests.helpers import assert_error

RIGHT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"
HALF = "SELECT id, name FROM items WHERE price < 4 ORDER BY id"       # wrong on the visible case only
WRONG = "SELECT id, name FROM items WHERE price > 100 ORDER BY id"    # wrong everywhere
BROKEN = "SELECT nope FROM items"


def judged(client, wait_judged, user, challenge_id, query):
    attempt = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query}, headers=user["headers"])
    return wait_judged(attempt.get_json()["data"]["id"], user["headers"])


def test_analytics_match_hand_computed_figures(client, make_user, make_challenge, wait_judged):
    instructor, p1, p2, p3 = make_user("instructor"), make_user(), make_user(), make_user()
    challenge = make_challenge(instructor)
    cid = challenge["id"]
    done = [judged(client, wait_judged, p1, cid, HALF), judged(client, wait_judged, p1, cid, RIGHT),
            judged(client, wait_judged, p2, cid, WRONG), judged(client, wait_judged, p2, cid, BROKEN),
            judged(client, wait_judged, p3, cid, RIGHT)]
    response = client.get(f"/api/admin/analytics?challenge_id={cid}", headers=instructor["headers"])
    assert response.status_code == 200
    [item] = response.get_json()["data"]
    assert item["challenge_id"] == cid and item["name"] == challenge["name"]
    assert item["attempts"] == 5 and item["unique_users"] == 3 and item["accepted_users"] == 2
    assert item["acceptance_rate"] == 0.4
    assert item["verdicts"]["ACCEPTED"] == 2 and item["verdicts"]["WRONG_ANSWER"] == 2
    assert item["verdicts"]["RUNTIME_ERROR"] == 1 and item["verdicts"]["REJECTED"] == 0
    expected_median = statistics.median(a["execution_ms"] for a in done)
    assert abs(item["median_execution_ms"] - expected_median) < 0.002
    visible_id, hidden_id = [tc["id"] for tc in challenge["test_cases"]]
    rates = {c["test_case_id"]: c["accepted_rate"] for c in item["cases"]}
    # visible case accepted by RIGHT×2 only (HALF fails it): 2/5; hidden case by HALF and RIGHT×2: 3/5
    assert rates == {visible_id: 0.4, hidden_id: 0.6}
    # the running totals (no time window) and an aggregate over a window holding everything agree
    windowed = client.get(f"/api/admin/analytics?challenge_id={cid}&start=2000-01-01T00:00:00Z",
                          headers=instructor["headers"]).get_json()["data"]
    assert windowed == [item], repr((windowed, item))


def test_running_totals_survive_a_rejudge(client, make_user, make_challenge, wait_judged):
    instructor, p1, p2 = make_user("instructor"), make_user(), make_user()
    challenge = make_challenge(instructor)
    cid = challenge["id"]
    first = judged(client, wait_judged, p1, cid, RIGHT)
    judged(client, wait_judged, p2, cid, HALF)
    # the reference answer changes: HALF becomes right, RIGHT wrong
    client.put(f"/api/challenges/{cid}", json={"solution": HALF}, headers=instructor["headers"])
    assert client.post(f"/api/challenges/{cid}/rejudge", headers=instructor["headers"]).status_code == 200
    assert wait_judged(first["id"], p1["headers"])["verdict"] == "WRONG_ANSWER"
    for user in (p1, p2):
        for attempt in client.get(f"/api/attempts?challenge_id={cid}", headers=user["headers"]).get_json()["data"]:
            wait_judged(attempt["id"], user["headers"])
    url = f"/api/admin/analytics?challenge_id={cid}"
    [item] = client.get(url, headers=instructor["headers"]).get_json()["data"]
    assert (item["attempts"], item["unique_users"], item["accepted_users"]) == (2, 2, 1)
    assert item["verdicts"]["ACCEPTED"] == 1 and item["verdicts"]["WRONG_ANSWER"] == 1
    windowed = client.get(url + "&start=2000-01-01T00:00:00Z", headers=instructor["headers"]).get_json()["data"]
    assert windowed == [item], repr((windowed, item))


def test_analytics_scope_and_filters(client, make_user, make_challenge):
    admin, teacher_a, teacher_b, player = make_user("admin"), make_user("instructor"), make_user("instructor"), make_user()
    mine, theirs = make_challenge(teacher_a, name="mine"), make_challenge(teacher_b, name="theirs")
    names = [i["name"] for i in client.get("/api/admin/analytics", headers=teacher_a["headers"]).get_json()["data"]]
    assert names == ["mine"]
    assert_error(client.get(f"/api/admin/analytics?challenge_id={theirs['id']}", headers=teacher_a["headers"]), 403)
    assert_error(client.get("/api/admin/analytics", headers=player["headers"]), 403)
    everything = client.get("/api/admin/analytics", headers=admin["headers"]).get_json()["data"]
    assert {i["challenge_id"] for i in everything} == {mine["id"], theirs["id"]}
    future = client.get("/api/admin/analytics?start=2999-01-01T00:00:00Z", headers=admin["headers"]).get_json()["data"]
    assert all(i["attempts"] == 0 and i["median_execution_ms"] is None for i in future)
    assert_error(client.get("/api/admin/analytics?start=soon", headers=admin["headers"]), 400)
    assert_error(client.get("/api/admin/analytics?challenge_id=999999", headers=admin["headers"]), 404)


EQUIVALENT = [
    "SELECT i.id, i.name FROM items i WHERE i.price < 6 AND i.id > 0 ORDER BY i.id",
    "select   x.ID, x.NAME\n from ITEMS x where x.id > 0 and x.price < 6 order by x.id  -- mine",
    "SELECT q.id, q.name FROM items AS q WHERE q.id > 0 AND q.price < 6 ORDER BY q.id",
]
DIFFERENT = "SELECT i.id, i.name FROM items i WHERE i.price < 6 OR i.id < 0 ORDER BY i.id"


def test_similar_attempts_pairs(client, make_user, make_challenge, wait_judged):
    author, admin, a, b, c, d, outsider = (make_user("instructor"), make_user("admin"), make_user(), make_user(),
                                           make_user(), make_user(), make_user())
    challenge = make_challenge(author)
    cid = challenge["id"]
    ids = [judged(client, wait_judged, user, cid, q)["id"] for user, q in zip((a, b, c), EQUIVALENT)]
    other = judged(client, wait_judged, d, cid, DIFFERENT)
    assert other["verdict"] == "ACCEPTED"
    response = client.get(f"/api/admin/similar-attempts?challenge_id={cid}", headers=author["headers"])
    assert response.status_code == 200
    pairs = response.get_json()["data"]
    assert sorted(tuple(sorted(p["attempt_ids"])) for p in pairs) == sorted(
        [tuple(sorted((ids[0], ids[1]))), tuple(sorted((ids[0], ids[2]))), tuple(sorted((ids[1], ids[2])))])
    assert len({p["fingerprint"] for p in pairs}) == 1
    assert all(other["id"] not in p["attempt_ids"] for p in pairs)
    assert all(len(set(p["user_ids"])) == 2 for p in pairs)
    assert client.get(f"/api/admin/similar-attempts?challenge_id={cid}", headers=admin["headers"]).status_code == 200
    assert_error(client.get(f"/api/admin/similar-attempts?challenge_id={cid}", headers=outsider["headers"]), 403)
    assert_error(client.get("/api/admin/similar-attempts", headers=admin["headers"]), 400)
    assert_error(client.get("/api/admin/similar-attempts?challenge_id=424242", headers=admin["headers"]), 404)


def test_same_user_twice_is_not_a_pair(client, make_user, make_challenge, wait_judged):
    author, a = make_user("instructor"), make_user()
    cid = make_challenge(author)["id"]
    judged(client, wait_judged, a, cid, EQUIVALENT[0])
    judged(client, wait_judged, a, cid, EQUIVALENT[1])
    assert client.get(f"/api/admin/similar-attempts?challenge_id={cid}", headers=author["headers"]).get_json()["data"] == []


def test_leaderboard_csv_export(client, make_user, make_challenge, wait_judged):
    author, a, b = make_user("instructor"), make_user(full_name="=cmd|' /C calc'!A0"), make_user(full_name="Bea")
    cid = make_challenge(author)["id"]
    judged(client, wait_judged, a, cid, RIGHT)
    judged(client, wait_judged, b, cid, HALF)
    for kwargs in ({"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        headers = {**author["headers"], **kwargs.get("headers", {})}
        response = client.get(f"/api/challenges/{cid}/leaderboard", headers=headers,
                              query_string=kwargs.get("query_string"))
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert rows[0][:4] == ["rank", "user_id", "email", "full_name"]
        assert [r[0] for r in rows[1:]] == ["1", "2"]
        assert rows[1][3].startswith("'=")  # formula neutralised
    json_board = client.get(f"/api/challenges/{cid}/leaderboard", headers=author["headers"]).get_json()["data"]
    assert [e["score"] for e in json_board["entries"]] == [100, 50]


def test_trends_count_acceptance_per_period_and_bin_execution_times(app, client, make_user, make_challenge, wait_judged):
    instructor, other, p1, p2 = make_user("instructor"), make_user("instructor"), make_user(), make_user()
    cid = make_challenge(instructor)["id"]
    done = [judged(client, wait_judged, p1, cid, WRONG), judged(client, wait_judged, p1, cid, RIGHT),
            judged(client, wait_judged, p2, cid, HALF), judged(client, wait_judged, p2, cid, RIGHT)]
    url = f"/api/admin/analytics/trends?challenge_id={cid}"
    trends = client.get(url, headers=instructor["headers"]).get_json()["data"]
    assert trends["challenge_id"] == cid and trends["period"] == "hour"   # all within two days
    assert sum(p["judged"] for p in trends["acceptance"]) == 4 and sum(p["accepted"] for p in trends["acceptance"]) == 2
    bins = trends["execution_ms"]
    times = [a["execution_ms"] for a in done]
    assert sum(b["attempts"] for b in bins) == 4 and len(bins) in (1, 10)
    assert abs(bins[0]["from_ms"] - min(times)) < 0.002 and abs(bins[-1]["to_ms"] - max(times)) < 0.002
    for ms in times:   # every time lies in a range that counts something
        assert any(b["from_ms"] - 0.002 <= ms <= b["to_ms"] + 0.002 and b["attempts"] for b in bins), (ms, bins)

    # an attempt from last week: a per-day series, oldest first
    with app.app_context():
        attempt = db.session.get(Attempt, done[0]["id"])
        attempt.created_at -= timedelta(days=7)
        db.session.commit()
    trends = client.get(url, headers=instructor["headers"]).get_json()["data"]
    assert trends["period"] == "day" and len(trends["acceptance"]) == 2
    older, newer = trends["acceptance"]
    assert older["period_start"] < newer["period_start"] and len(older["period_start"]) == 10
    assert (older["judged"], older["accepted"], newer["judged"], newer["accepted"]) == (1, 0, 3, 2)
    windowed = client.get(f"{url}&start={newer['period_start']}", headers=instructor["headers"]).get_json()["data"]
    assert [p["judged"] for p in windowed["acceptance"]] == [3]

    assert_error(client.get(url, headers=p1["headers"]), 403)
    assert_error(client.get(url, headers=other["headers"]), 403)
    assert_error(client.get("/api/admin/analytics/trends", headers=instructor["headers"]), 400)
    assert_error(client.get("/api/admin/analytics/trends?challenge_id=x", headers=instructor["headers"]), 400)
    assert_error(client.get(f"{url}&start=yesterday", headers=instructor["headers"]), 400)
    assert_error(client.get("/api/admin/analytics/trends?challenge_id=999999", headers=instructor["headers"]), 404)
