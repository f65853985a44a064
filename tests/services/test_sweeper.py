"""The sweeper re-queues a silent attempt on its OWN challenge version, even after the challenge changed."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db, judging
from app.judge.verdicts import ACCEPTED, COMPLETED, FAILED
from app.models import Attempt, ChallengeVersion
from app.models import challenge_version as challenge_versions
from app.models.timestamps import utcnow
from tests.helpers import challenge_body, wait_until
from tests.recording import ledger, store_attempt

OLD_SOLUTION = challenge_body()["solution"]
NEW_SOLUTION = "SELECT id, name FROM items WHERE price < 4 ORDER BY id"


def silence(app, attempt_id: int, dispatch_count: int = 1) -> None:
    """The attempt's job was lost: no sign of life for longer than JUDGE_STUCK_AFTER_S."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.dispatched_at = utcnow() - timedelta(seconds=judging.of(app).stuck_after_s + 5)
        attempt.dispatch_count = dispatch_count
        db.session.commit()
        db.session.remove()


def sweep(app) -> int:
    with app.app_context():
        try:
            return judging.of(app).worker.sweep()
        finally:
            db.session.remove()


def lost_attempt_then_edit(app, client, make_user, make_challenge) -> int:
    """An attempt that solves the challenge as it was, whose job was lost; then the challenge changes."""
    owner, player = make_user("instructor"), make_user()
    challenge = make_challenge(owner)
    attempt_id = store_attempt(app, player["user"]["id"], challenge["id"], query=OLD_SOLUTION)
    response = client.put(f"/api/challenges/{challenge['id']}", json={"solution": NEW_SOLUTION},
                          headers=owner["headers"])
    assert response.status_code == 200, response.get_json()
    silence(app, attempt_id)
    return attempt_id


@pytest.mark.parametrize("carried", [True, False], ids=["sql-in-job", "sql-loaded-by-judge"])
def test_requeued_attempt_is_judged_on_its_own_version(app, client, make_user, make_challenge,
                                                       monkeypatch, carried):
    if not carried:   # a job too big to carry its SQL: the judge loads the attempt's version
        monkeypatch.setattr(judging.of(app), "inline_limit_bytes", 0)
    attempt_id = lost_attempt_then_edit(app, client, make_user, make_challenge)
    assert sweep(app) == 1
    owner_view = wait_until(lambda: (v := ledger(app, attempt_id))["status"] in (COMPLETED, FAILED) and v, 30)
    # On the new version the old solution is wrong; on its own version it is accepted.
    assert owner_view["status"] == COMPLETED and owner_view["verdict"] == ACCEPTED, owner_view
    assert owner_view["case_rows"] == 2 and owner_view["verdict_counts"] == {ACCEPTED: 1}
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.dispatch_count == 2
        # Judged: its version's snapshot is no longer needed; the current version's stays.
        assert challenge_versions.prune() == 1
        [left] = db.session.execute(db.select(ChallengeVersion)
                                    .where(ChallengeVersion.challenge_id == attempt.challenge_id)).scalars()
        assert left.version != attempt.challenge_version
        db.session.commit()
        db.session.remove()


def test_prune_keeps_versions_that_open_attempts_wait_on(app, client, make_user, make_challenge):
    attempt_id = lost_attempt_then_edit(app, client, make_user, make_challenge)
    with app.app_context():
        assert challenge_versions.prune() == 0
        db.session.commit()
        db.session.remove()
    assert sweep(app) == 1   # still re-queueable on its own version
    wait_until(lambda: ledger(app, attempt_id)["verdict"] == ACCEPTED, 30)


def test_attempt_whose_version_is_gone_fails_instead_of_hanging(app, client, make_user, make_challenge):
    attempt_id = lost_attempt_then_edit(app, client, make_user, make_challenge)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        db.session.execute(db.delete(ChallengeVersion).where(ChallengeVersion.version == attempt.challenge_version))
        db.session.commit()
        db.session.remove()
    assert sweep(app) == 1
    after = ledger(app, attempt_id)
    assert after["status"] == FAILED and after["case_rows"] == 0


def test_attempt_silent_after_every_try_fails(app, make_user, make_challenge):
    owner, player = make_user("instructor"), make_user()
    challenge = make_challenge(owner)
    attempt_id = store_attempt(app, player["user"]["id"], challenge["id"])
    silence(app, attempt_id, dispatch_count=3)
    assert sweep(app) == 1
    assert ledger(app, attempt_id)["status"] == FAILED
    assert sweep(app) == 0   # a failed attempt is never swept again


def test_requeued_attempt_survives_its_test_cases_being_replaced(app, client, make_user, make_challenge):
    """The cases the attempt's version was judged on are retired, not deleted: the re-queued job stores
    its case rows against them (before, the foreign key refused them and the attempt ended FAILED)."""
    owner, player = make_user("instructor"), make_user()
    challenge = make_challenge(owner)
    attempt_id = store_attempt(app, player["user"]["id"], challenge["id"], query=OLD_SOLUTION)
    new_cases = [{"data": "INSERT INTO items VALUES (1, 'pen', 2);", "is_visible": True}]
    response = client.put(f"/api/challenges/{challenge['id']}", json={"test_cases": new_cases},
                          headers=owner["headers"])
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["data"]["test_cases"]) == 1
    silence(app, attempt_id)
    assert sweep(app) == 1
    after = wait_until(lambda: (v := ledger(app, attempt_id))["status"] in (COMPLETED, FAILED) and v, 30)
    assert after["status"] == COMPLETED and after["verdict"] == ACCEPTED and after["case_rows"] == 2, after
