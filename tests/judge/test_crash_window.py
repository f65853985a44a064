"""The recorder's crash window: every case of an attempt stored, the process gone before finalising.

Real judge, real recorder and the real sweeper loop; the crash is `recorder.finalise` raising (what a
killed process leaves is the same: committed case rows, an attempt still RUNNING). Afterwards the
attempt must end COMPLETED exactly once, with no operator action.
"""
from __future__ import annotations

import threading

from app.extensions import db, judging
from app.judge.verdicts import ACCEPTED, COMPLETED, RUNNING
from app.models import Attempt, ChallengeStats
from app.services import analytics, recorder
from tests.helpers import challenge_body, wait_until
from tests.recording import ledger

SOLUTION = challenge_body()["solution"]
REAL_FINALISE = recorder.finalise


class Crash(Exception):
    """The recorder's process dying between storing the last case and finalising."""


def crash_finalise(monkeypatch, times: int) -> list:
    """Makes the first `times` finalise calls die before writing anything; returns the call log."""
    calls, real = [], recorder.finalise

    def dying(attempt):
        calls.append(attempt.id)
        if len(calls) <= times:
            raise Crash(f"killed before finalising attempt {attempt.id}")
        return real(attempt)
    monkeypatch.setattr(recorder, "finalise", dying)
    return calls


def totals_match_recomputation(app, challenge_id: int) -> None:
    with app.app_context():
        stats = db.session.get(ChallengeStats, challenge_id)
        kept = (stats.attempts, stats.unique_users, stats.accepted_users, stats.accepted_attempts)
        assert kept == tuple(analytics.scan_totals([challenge_id], [])[challenge_id])
        db.session.remove()


def submit(client, player, challenge_id) -> int:
    response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": SOLUTION},
                           headers=player["headers"])
    assert response.status_code in (200, 201, 202), response.get_json()
    return response.get_json()["data"]["id"]


def assert_completed_once(app, client, player, attempt_id: int, challenge_id: int) -> None:
    after = ledger(app, attempt_id)
    assert after["status"] == COMPLETED and after["verdict"] == ACCEPTED and after["score"] == 100.0, after
    assert after["case_rows"] == 2 and after["case_judged"] == [1, 1], after
    assert after["verdict_counts"] == {ACCEPTED: 1} and after["best_attempt"] == attempt_id, after
    totals_match_recomputation(app, challenge_id)
    board = client.get(f"/api/challenges/{challenge_id}/leaderboard", headers=player["headers"]).get_json()["data"]
    assert [entry["user_id"] for entry in board["entries"]] == [player["user"]["id"]]


def test_a_redelivered_completion_finalises(app, client, make_user, make_challenge, monkeypatch):
    """The transport redelivers the completion whose handling died; it stores nothing new and finalises."""
    owner, player = make_user("instructor"), make_user()
    challenge = make_challenge(owner)
    calls = crash_finalise(monkeypatch, times=1)
    attempt_id = submit(client, player, challenge["id"])
    wait_until(lambda: ledger(app, attempt_id)["status"] == COMPLETED, 30)
    assert len(calls) == 2   # the crash, then the redelivery
    assert_completed_once(app, client, player, attempt_id, challenge["id"])


def test_the_sweeper_finishes_what_a_dead_recorder_left(app, client, make_user, make_challenge, monkeypatch):
    """Every delivery of the completions dies: the attempt sits RUNNING with every case stored until
    the sweeper re-queues it; the judge's repeated completions are redeliveries that finalise it."""
    service = judging.of(app)
    owner, player = make_user("instructor"), make_user()
    challenge = make_challenge(owner)
    calls = crash_finalise(monkeypatch, times=10**6)
    attempt_id = submit(client, player, challenge["id"])
    wait_until(lambda: len(calls) >= 2 and ledger(app, attempt_id)["case_rows"] == 2, 30)
    assert ledger(app, attempt_id)["status"] == RUNNING   # the crash window, left as a dead process leaves it
    monkeypatch.setattr(recorder, "finalise", REAL_FINALISE)   # the recorder comes back (a restarted process)
    monkeypatch.setattr(service, "stuck_after_s", 1)
    stop = threading.Event()
    service.worker.start_sweeper(stop, interval_s=0.2)
    try:
        wait_until(lambda: ledger(app, attempt_id)["status"] == COMPLETED, 30)
    finally:
        stop.set()
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).dispatch_count >= 2   # re-queued by the sweeper
        db.session.remove()
    assert_completed_once(app, client, player, attempt_id, challenge["id"])

