"""Time-windowed analytics: whole days from the per-day rollups, cut days from the attempts.

Attempts are judged for real, then spread over several days (their `created_at` moved in the database
and the rollups rebuilt, as a rejudge does). Every window (whole days, a day cut at either end, inside
one day, open-ended, empty) must give exactly what a recomputation from the attempt rows gives.
"""
from __future__ import annotations

import statistics
from datetime import datetime, timedelta

import pytest

from app.extensions import db
from app.judge.verdicts import ACCEPTED, COMPLETED
from app.models import Attempt, AttemptCase, Challenge
from app.services import challenge_stats
from app.services.analytics import Window
from app.services.time_buckets import EDGES, bucket_of, upper_edge

RIGHT = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"
HALF = "SELECT id, name FROM items WHERE price < 4 ORDER BY id"
WRONG = "SELECT id, name FROM items WHERE price > 100 ORDER BY id"
DAY0 = datetime(2026, 3, 10)


def reference(app, challenge_id: int, start, end) -> dict:
    """The analytics item recomputed from the attempt rows in Python."""
    with app.app_context():
        attempts = [a for a in db.session.execute(db.select(Attempt).where(Attempt.challenge_id == challenge_id))
                    .scalars() if (start is None or a.created_at >= start) and (end is None or a.created_at <= end)]
        cases = db.session.execute(db.select(AttemptCase).where(
            AttemptCase.attempt_id.in_([a.id for a in attempts]))).scalars().all()
        case_ids = [tc.id for tc in db.session.get(Challenge, challenge_id).test_cases]
        db.session.remove()
    done = [a for a in attempts if a.status == COMPLETED]
    times = [a.execution_ms for a in done if a.execution_ms is not None]
    rates = {}
    for tc in case_ids:
        judged = [c for c in cases if c.test_case_id == tc]
        rates[tc] = round(sum(c.verdict == ACCEPTED for c in judged) / len(judged), 4) if judged else 0.0
    accepted = [a for a in attempts if a.verdict == ACCEPTED]
    return {
        "attempts": len(attempts), "unique_users": len({a.user_id for a in attempts}),
        "accepted_users": len({a.user_id for a in accepted}),
        "acceptance_rate": round(len(accepted) / len(attempts), 4) if attempts else 0.0,
        "verdicts": {v: sum(a.verdict == v for a in done) for v in {a.verdict for a in done}},
        "median_execution_ms": round(statistics.median(times), 3) if times else None,
        "cases": rates,
    }


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def spread_challenge(app, client, make_user, make_challenge, wait_judged):
    """One challenge with 12 judged attempts by 4 users, moved to 10, 11 and 12 March at chosen hours."""
    instructor = make_user("instructor")
    challenge = make_challenge(instructor)
    players = [make_user() for _ in range(4)]
    queries = [RIGHT, HALF, WRONG]
    ids = []
    for n in range(12):
        player = players[n % 4]
        posted = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": queries[n % 3]},
                             headers=player["headers"]).get_json()["data"]
        ids.append(wait_judged(posted["id"], player["headers"])["id"])
    with app.app_context():
        for n, attempt_id in enumerate(ids):
            attempt = db.session.get(Attempt, attempt_id)
            attempt.created_at = DAY0 + timedelta(days=n % 3, hours=2 * n, minutes=n)
            attempt.execution_ms = 0.5 + n * 0.25       # distinct, known times
        db.session.flush()
        challenge_row = db.session.get(Challenge, challenge["id"])
        challenge_stats.rebuild(challenge_row.id, [tc.id for tc in challenge_row.test_cases])
        db.session.commit()
        db.session.remove()
    return instructor, challenge


WINDOWS = [
    (DAY0, None),                                                       # whole days, open end
    (DAY0 + timedelta(days=1), DAY0 + timedelta(days=2)),               # one whole day and 00:00 of the next
    (DAY0 + timedelta(hours=5), None),                                  # first day cut
    (None, DAY0 + timedelta(days=1, hours=7, minutes=30)),              # last day cut
    (DAY0 + timedelta(hours=3), DAY0 + timedelta(days=2, hours=9)),     # cut at both ends
    (DAY0 + timedelta(days=1, hours=1), DAY0 + timedelta(days=1, hours=20)),   # inside one day
    (DAY0 + timedelta(days=5), None),                                   # nothing
    (DAY0 + timedelta(days=2), DAY0 + timedelta(days=1)),               # start after end
]


@pytest.mark.parametrize("start,end", WINDOWS)
def test_every_window_equals_a_recomputation(app, client, spread_challenge, start, end):
    instructor, challenge = spread_challenge
    url = f"/api/admin/analytics?challenge_id={challenge['id']}"
    url += f"&start={_iso(start)}" if start else ""
    url += f"&end={_iso(end)}" if end else ""
    response = client.get(url, headers=instructor["headers"])
    assert response.status_code == 200, response.get_json()
    [item] = response.get_json()["data"]
    expected = reference(app, challenge["id"], start, end)
    got = {key: item[key] for key in expected if key not in ("verdicts", "cases")}
    assert got == {key: value for key, value in expected.items() if key not in ("verdicts", "cases")}
    assert {v: n for v, n in item["verdicts"].items() if n} == expected["verdicts"]
    assert {c["test_case_id"]: c["accepted_rate"] for c in item["cases"]} == expected["cases"]


def test_new_attempts_land_in_todays_rollups(client, make_user, make_challenge, wait_judged):
    """The hooks (not a rebuild) keep the rollups: a window starting today sees what all-time sees."""
    instructor, player = make_user("instructor"), make_user()
    challenge = make_challenge(instructor)
    for query in (RIGHT, WRONG, RIGHT):
        posted = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": query},
                             headers=player["headers"]).get_json()["data"]
        wait_judged(posted["id"], player["headers"])
    base = f"/api/admin/analytics?challenge_id={challenge['id']}"
    midnight = datetime.utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    all_time = client.get(base, headers=instructor["headers"]).get_json()["data"]
    today = client.get(base + f"&start={_iso(midnight)}", headers=instructor["headers"]).get_json()["data"]
    assert today == all_time and all_time[0]["attempts"] == 3 and all_time[0]["accepted_users"] == 1


def test_window_pieces():
    whole = Window(datetime(2026, 1, 1), datetime(2026, 1, 3))
    assert (whole.first_day.isoformat(), whole.last_day.isoformat()) == ("2026-01-01", "2026-01-02")
    assert whole.edges == [(datetime(2026, 1, 3), datetime(2026, 1, 3, 0, 0, 0, 1))]   # `end` is inclusive
    cut = Window(datetime(2026, 1, 1, 12), None)
    assert cut.first_day.isoformat() == "2026-01-02" and cut.edges == [(datetime(2026, 1, 1, 12), datetime(2026, 1, 2))]
    inside = Window(datetime(2026, 1, 1, 1), datetime(2026, 1, 1, 2))
    assert not inside.has_whole_days and len(inside.edges) == 1
    assert Window(None, None).edges == [] and Window(datetime(9999, 12, 31, 23), datetime.max).edges is not None


def test_time_buckets_are_consistent_at_every_edge():
    for edge in EDGES[1:200:7]:
        assert bucket_of(edge) == edge and upper_edge(bucket_of(edge)) > edge
        below = edge - 1e-12
        assert bucket_of(below) < edge and upper_edge(bucket_of(below)) == edge
    assert bucket_of(0.0) == 0.0 and bucket_of(10 ** 9) == EDGES[-1] and upper_edge(EDGES[-1]) == float("inf")
