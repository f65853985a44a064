"""Builders for recorder and sweeper tests: attempts stored as the submit path stores them, and the
completions a judge would send, without a judge running them."""
from __future__ import annotations

from app.extensions import db
from app.judge.events import JobCompletionEvent
from app.judge.verdicts import ACCEPTED, COMPLETED, QUEUED
from app.models import Attempt, AttemptCase, Challenge, ChallengeBest, ChallengeVerdictStats, TestCaseDayStats
from app.models.timestamps import utcnow
from app.services import challenge_stats


def store_attempt(app, user_id: int, challenge_id: int, query: str = "SELECT 1", **columns) -> int:
    """A QUEUED attempt with its totals counted, as `attempts.submit` stores it (not dispatched)."""
    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        attempt = Attempt(user_id=user_id, challenge_id=challenge_id, query=query, status=QUEUED,
                          total=len(challenge.test_cases), challenge_version=challenge.version,
                          dispatched_at=utcnow(), dispatch_count=1, **columns)
        db.session.add(attempt)
        db.session.flush()
        challenge_stats.attempt_stored(attempt)
        db.session.commit()
        attempt_id = attempt.id
        db.session.remove()
        return attempt_id


def completions(app, attempt_id: int, verdict: str = ACCEPTED) -> list[JobCompletionEvent]:
    """One completion per test case of the attempt's challenge, as a judge would publish them."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        cases = db.session.get(Challenge, attempt.challenge_id).test_cases
        events = [JobCompletionEvent(
            attempt_id=attempt.id, user_id=attempt.user_id, challenge_id=attempt.challenge_id, test_case_id=tc.id,
            status=COMPLETED, verdict=verdict, execution_ms=1.5, score=1.0 if verdict == ACCEPTED else 0.0,
            expected_result=None, actual_result=None, is_visible=bool(tc.is_visible),
            challenge_version=attempt.challenge_version) for tc in cases]
        db.session.remove()
        return events


def ledger(app, attempt_id: int) -> dict:
    """What one attempt left behind: its row, its case rows and the totals it counted."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        case_ids = [tc.id for tc in db.session.get(Challenge, attempt.challenge_id).test_cases]
        result = {
            "status": attempt.status, "verdict": attempt.verdict, "score": attempt.score,
            "case_rows": db.session.execute(db.select(db.func.count()).select_from(AttemptCase)
                                            .where(AttemptCase.attempt_id == attempt_id)).scalar_one(),
            "verdict_counts": {v.verdict: v.count for v in db.session.execute(
                db.select(ChallengeVerdictStats).where(ChallengeVerdictStats.challenge_id == attempt.challenge_id))
                .scalars()},
            "case_judged": sorted(judged for judged, in db.session.execute(
                db.select(db.func.sum(TestCaseDayStats.judged)).where(TestCaseDayStats.test_case_id.in_(case_ids))
                .group_by(TestCaseDayStats.test_case_id)).all()),
            "best_attempt": db.session.execute(
                db.select(ChallengeBest.attempt_id).where(ChallengeBest.challenge_id == attempt.challenge_id,
                                                          ChallengeBest.user_id == attempt.user_id)).scalar(),
        }
        db.session.remove()
        return result
