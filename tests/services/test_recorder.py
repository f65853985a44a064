"""The recorder's state machine: idempotent storing, finalising on redelivery, exactly one finaliser."""
from __future__ import annotations

import threading
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from app.judge.verdicts import ACCEPTED, COMPLETED, RUNNING, WRONG_ANSWER
from app.services import recorder
from tests.recording import completions, ledger, store_attempt


@contextmanager
def counted_statements(app):
    """Counts the SQL statements this thread sends (the judge and room clock threads are not counted)."""
    me, seen = threading.get_ident(), []

    def count(_conn, _cursor, statement, *_args):
        if threading.get_ident() == me:
            seen.append(" ".join(statement.split())[:80])
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def record_all(app, events) -> None:
    with app.app_context():
        for item in events:
            recorder.record(item)
        db.session.remove()


def setup_attempt(app, make_user, make_challenge) -> tuple[int, list]:
    owner = make_user("instructor")
    player = make_user()
    challenge = make_challenge(owner)
    attempt_id = store_attempt(app, player["user"]["id"], challenge["id"])
    return attempt_id, completions(app, attempt_id)


def test_every_case_then_one_completion(app, make_user, make_challenge):
    attempt_id, events = setup_attempt(app, make_user, make_challenge)
    record_all(app, events)
    after = ledger(app, attempt_id)
    assert after["status"] == COMPLETED and after["verdict"] == ACCEPTED and after["score"] == 100.0
    assert after["case_rows"] == len(events) and after["case_judged"] == [1] * len(events)
    assert after["verdict_counts"] == {ACCEPTED: 1} and after["best_attempt"] == attempt_id


def test_redelivery_finalises_an_attempt_whose_recorder_died_before_finalising(app, make_user, make_challenge):
    attempt_id, events = setup_attempt(app, make_user, make_challenge)
    with app.app_context():   # the crash window: every case stored, the finalise never ran
        for item in events:
            assert recorder.store_case(db.session.get(recorder.Attempt, item.attempt_id), item)
        db.session.remove()
    assert ledger(app, attempt_id)["status"] == RUNNING
    record_all(app, events[:1])   # one redelivered completion is enough
    after = ledger(app, attempt_id)
    assert after["status"] == COMPLETED and after["case_rows"] == len(events)
    assert after["case_judged"] == [1] * len(events) and after["verdict_counts"] == {ACCEPTED: 1}


def test_redeliveries_after_completion_change_nothing(app, make_user, make_challenge):
    attempt_id, events = setup_attempt(app, make_user, make_challenge)
    record_all(app, events)
    before = ledger(app, attempt_id)
    record_all(app, events + events)
    assert ledger(app, attempt_id) == before


def test_only_one_of_two_finalisers_counts(app, make_user, make_challenge):
    attempt_id, events = setup_attempt(app, make_user, make_challenge)
    with app.app_context():
        for item in events:
            recorder.store_case(db.session.get(recorder.Attempt, item.attempt_id), item)
        db.session.remove()
    with app.app_context():   # two recorders read the attempt open, then both try to finalise
        first = db.session.get(recorder.Attempt, attempt_id)
        db.session.commit()   # ends the read (SQLite cannot upgrade a read that a later write made stale)
        with app.app_context():
            second = db.session.get(recorder.Attempt, attempt_id)
            recorder.finalise(second)
            db.session.remove()
        recorder.finalise(first)
        db.session.remove()
    after = ledger(app, attempt_id)
    assert after["status"] == COMPLETED and after["verdict_counts"] == {ACCEPTED: 1}


def test_stale_and_unknown_completions_are_dropped(app, make_user, make_challenge):
    attempt_id, events = setup_attempt(app, make_user, make_challenge)
    stale = [recorder.JobCompletionEvent(**{**e.to_dict(), "challenge_version": "an-older-version"}) for e in events]
    unknown = [recorder.JobCompletionEvent(**{**e.to_dict(), "attempt_id": attempt_id + 1000}) for e in events]
    record_all(app, stale + unknown)
    after = ledger(app, attempt_id)
    assert after["case_rows"] == 0 and after["status"] != COMPLETED
    record_all(app, events)   # the current completions still count
    assert ledger(app, attempt_id)["status"] == COMPLETED


def test_a_wrong_case_sets_the_verdict(app, make_user, make_challenge):
    attempt_id, events = setup_attempt(app, make_user, make_challenge)
    wrong = completions(app, attempt_id, verdict=WRONG_ANSWER)
    record_all(app, events[:1] + wrong[1:])
    after = ledger(app, attempt_id)
    assert after["verdict"] == WRONG_ANSWER and after["score"] == 50.0


def test_statements_per_case(app, make_user, make_challenge):
    """A stored case costs a handful of statements and one commit; a finalise a bounded few more."""
    attempt_id, events = setup_attempt(app, make_user, make_challenge)
    with counted_statements(app) as seen:
        record_all(app, events[:1])
    per_case, store_statements = len(seen), list(seen)
    with counted_statements(app) as seen:
        record_all(app, events[1:])
    last_case_and_finalise = len(seen)
    with counted_statements(app) as seen:
        record_all(app, events[:1])
    redelivery = len(seen)
    print(f"statements: store a case {per_case}, last case + finalise {last_case_and_finalise}, "
          f"redelivery after completion {redelivery}")
    # Before the state machine: 7 statements to store a case, 20 for the last one and the finalise;
    # the finalise now also counts four rollups (day verdict, all-time and day time buckets, accepted day).
    assert per_case <= 4 and redelivery <= 1, store_statements
    assert last_case_and_finalise <= 19
    assert ledger(app, attempt_id)["status"] == COMPLETED
