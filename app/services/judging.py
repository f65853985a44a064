"""The request side of judging: dispatch jobs, rejudge, validate, preview, health.

The judge itself (app.judge) knows nothing of Flask. `judging` (app/extensions.py) reaches the
current app's JudgingService; the worker side (judge threads, recording, sweeping) is a JudgeWorker
(app/services/judge_worker.py) that serving processes and `flask judge-worker` start.
"""
from __future__ import annotations

import logging
from typing import Optional

from flask import Flask, current_app

from app.concurrency import run_blocking
from app.errors import Invalid, TooManyRequests
from app.extensions import db
from app.judge.engines import DIALECTS, build_engines
from app.judge.engines.base import ChallengeInvalid
from app.judge.events import JobInitEvent, TestCaseSpec
from app.judge.gate import QueryRejected, check_query
from app.judge.ordering import sort_plan
from app.judge.runner import SOLUTION_TIME_FACTOR, Judge
from app.judge.settings import JudgeSettings
from app.judge.transport import build_transport
from app.judge.transport.settings import TransportSettings
from app.judge.verdicts import QUEUED
from app.models import Attempt, AttemptCase, Challenge
from app.models.challenge_version import snapshot_for, snapshot_of
from app.models.timestamps import utcnow
from app.services import challenge_stats, leaderboard, live, rate_limits, sandbox_janitor

log = logging.getLogger("sqlarena.judging")
DATASET_LOAD_ALLOWANCE_S = 60.0   # per case: init and test data may each take up to 30 s to load


def judge_settings(config: dict) -> JudgeSettings:
    return JudgeSettings(max_rows=config["JUDGE_MAX_ROWS"], timing_runs=config["JUDGE_TIMING_RUNS"],
                         max_result_bytes=config["JUDGE_MAX_RESULT_BYTES"],
                         max_dataset_bytes=config["JUDGE_MAX_DATASET_BYTES"],
                         dataset_cache_bytes=config["JUDGE_DATASET_CACHE_BYTES"])


def transport_settings(config: dict) -> TransportSettings:
    return TransportSettings(
        bootstrap_servers=config["KAFKA_BOOTSTRAP_SERVERS"],
        client_id=config["KAFKA_CLIENT_ID"],
        consumer_group_id=config["KAFKA_CONSUMER_GROUP_ID"],
        recorder_group_id=config["KAFKA_RECORDER_GROUP_ID"],
        job_init_topic=config["KAFKA_JOB_INIT_TOPIC"],
        job_completion_topic=config["KAFKA_JOB_COMPLETION_TOPIC"],
        job_partitions=config["KAFKA_JOB_PARTITIONS"],
        session_timeout_ms=config["KAFKA_SESSION_TIMEOUT_MS"],
        heartbeat_interval_ms=config["KAFKA_HEARTBEAT_INTERVAL_MS"],
        fetch_max_wait_ms=config["KAFKA_FETCH_MAX_WAIT_MS"],
    )


def challenge_payload(snapshot: dict) -> dict:
    """What a judge loads for a job that did not carry its SQL (JudgeRunner's load_challenge)."""
    return {
        "init": snapshot["init"],
        "solution": snapshot["solution"],
        "test_cases": [TestCaseSpec(id=tc["id"], data=tc["data"], is_visible=tc["is_visible"])
                       for tc in snapshot["test_cases"]],
    }


def build_job(attempt: Attempt, snapshot: dict, inline_limit_bytes: int) -> JobInitEvent:
    """The JobInitEvent for the attempt's own challenge version; the SQL is left out (None) when it
    would make the event too big (the judge then loads that version's snapshot)."""
    payload = challenge_payload(snapshot)
    size = len(snapshot["init"].encode()) + len(snapshot["solution"].encode()) + sum(
        len((tc.data or "").encode()) for tc in payload["test_cases"])
    inline = size <= inline_limit_bytes
    cases = payload["test_cases"] if inline else [TestCaseSpec(tc.id, None, tc.is_visible) for tc in payload["test_cases"]]
    return JobInitEvent(
        attempt_id=attempt.id, user_id=attempt.user_id, challenge_id=attempt.challenge_id,
        challenge_version=attempt.challenge_version, room_id=attempt.room_id, query=attempt.query,
        init=snapshot["init"] if inline else None, solution=snapshot["solution"] if inline else None,
        engine=snapshot["engine"], time_limit_ms=snapshot["time_limit_ms"], test_cases=cases,
        check_column_names=bool(snapshot["check_column_names"]),
    )


class JudgingService:
    """One app's judging (created by `judging.init_app`, app/extensions.py)."""

    def __init__(self, app: Flask):
        self.app = app
        config = app.config
        self.settings = judge_settings(config)
        self.inline_limit_bytes = config["JUDGE_INLINE_LIMIT_BYTES"]
        self.stuck_after_s = config["JUDGE_STUCK_AFTER_S"]
        self.engines = build_engines(self.settings, config["SANDBOX_DATABASE_URL"] or None)
        self.judge = Judge(self.engines, self.settings, load_challenge=self.load_challenge)
        self.transport = build_transport(transport_settings(config))
        from app.services.judge_worker import JudgeWorker   # the worker side needs this module first
        self.worker = JudgeWorker(self)

    @property
    def stop_event(self):
        return self.worker.stop_event

    def start(self, judge_threads: int, recorder: bool = True, sweeper: bool = True) -> None:
        """Starts this process's worker side (see JudgeWorker.start)."""
        self.worker.start(judge_threads, recorder=recorder, sweeper=sweeper)

    def stop(self) -> None:
        self.worker.stop()

    def dispatch(self, attempt: Attempt, challenge: Optional[Challenge] = None) -> bool:
        """Publishes the job for the attempt's own challenge version (the current one when `challenge`
        is given and matches); a publish failure leaves the attempt QUEUED for the sweeper to retry.
        False when that version is no longer stored."""
        snapshot = snapshot_of(challenge) if challenge is not None and challenge.version == attempt.challenge_version \
            else snapshot_for(attempt.challenge_id, attempt.challenge_version)
        if snapshot is None:
            return False
        attempt.dispatch_count = (attempt.dispatch_count or 0) + 1
        attempt.dispatched_at = utcnow()
        db.session.commit()
        job = build_job(attempt, snapshot, self.inline_limit_bytes)
        try:
            self.transport.publish_job(job)
        except Exception:
            log.exception("could not publish job attempt_id=%s; the sweeper will retry", attempt.id)
            return True
        log.info("job queued attempt_id=%s challenge_id=%s", attempt.id, attempt.challenge_id)
        live.publish_attempt("attempt.queued", attempt, attempt.to_dict())
        return True

    def rejudge(self, challenge: Challenge) -> int:
        attempts = db.session.execute(db.select(Attempt).where(Attempt.challenge_id == challenge.id)).scalars().all()
        for attempt in attempts:
            db.session.execute(db.delete(AttemptCase).where(AttemptCase.attempt_id == attempt.id))
            attempt.status, attempt.verdict, attempt.score, attempt.error = QUEUED, None, None, None
            attempt.passed, attempt.execution_ms, attempt.judged_at, attempt.fingerprint = 0, None, None, None
            attempt.total, attempt.challenge_version, attempt.dispatch_count = len(challenge.test_cases), challenge.version, 0
        db.session.flush()
        db.session.expire_all()
        leaderboard.rebuild(challenge)
        challenge_stats.rebuild(challenge.id, [tc.id for tc in challenge.test_cases])
        db.session.commit()
        for attempt in attempts:
            self.dispatch(attempt, challenge)
        return len(attempts)

    def validate_challenge(self, engine: str, init: str, solution: str, cases: list[tuple[int, str]],
                           time_limit_ms: int) -> None:
        if engine not in self.engines:
            raise Invalid(f"the {engine} engine is not available on this server")
        try:
            check_query(solution, DIALECTS[engine], self.settings.max_query_chars)
        except QueryRejected as exc:
            raise Invalid(f"solution: {exc}") from None
        specs = [TestCaseSpec(id=index, data=data, is_visible=True) for index, data in cases]
        try:
            run_blocking(self.engines[engine].validate, init, specs, solution, time_limit_ms)
        except ChallengeInvalid as exc:
            raise Invalid(str(exc)) from None

    def order_warnings(self, engine: str, solution: str) -> list[str]:
        """What an author should know about how order will be judged (SPEC 4): today only that the
        solution's ORDER BY keys could not be appended, so rows are checked in exactly its order."""
        plan = sort_plan(solution, DIALECTS[engine]) if engine in DIALECTS else None
        return [plan.warning] if plan is not None and plan.warning else []

    def run_preview(self, user_id: int, challenge: Challenge, query: str) -> list[dict]:
        check_run_limit(user_id)
        if challenge.engine not in self.engines:
            raise Invalid(f"the {challenge.engine} engine is not available on this server")
        visible = [TestCaseSpec(id=tc.id, data=tc.data, is_visible=True) for tc in challenge.test_cases if tc.is_visible]
        return run_blocking(self.judge.preview, challenge.engine, challenge.version, challenge.init,
                            challenge.solution, visible, query, challenge.time_limit_ms,
                            bool(challenge.check_column_names))

    def transport_status(self) -> str:
        return _status(self.transport.health)

    def sandbox_status(self) -> str:
        problems = [f"{name}: {err}" for name, engine in self.engines.items() if (err := _safe(engine.health))]
        return "ok" if not problems else "error: " + "; ".join(problems)

    def load_challenge(self, challenge_id: int, version: str) -> dict:
        """For jobs too big to carry their SQL: that version's snapshot, while it is stored."""
        with self.app.app_context():
            try:
                snapshot = snapshot_for(challenge_id, version)
                if snapshot is None:
                    raise LookupError(f"challenge {challenge_id} version {version} is no longer stored")
                return challenge_payload(snapshot)
            finally:
                db.session.remove()

    def sweep_sandbox(self) -> list[str]:
        """Drops the sandbox datasets no stored challenge uses (after a delete or a change, and periodically)."""
        return sandbox_janitor.sweep(self.engines)


def check_run_limit(user_id: int) -> None:
    """The Run button's limit (RATE_LIMIT_ATTEMPTS per user), counted in the shared rate-limit storage."""
    item = rate_limits.limit("RATE_LIMIT_ATTEMPTS")
    if not rate_limits.limiter().hit(item, "run", str(user_id)):
        count, window_s = current_app.config["RATE_LIMIT_ATTEMPTS"]
        raise TooManyRequests(f"rate limit: at most {count} runs per {window_s} s; "
                              f"try again in {rate_limits.retry_after_s(item, 'run', str(user_id))} s")


def longest_job_s(job: JobInitEvent, settings: JudgeSettings) -> float:
    """The longest a judge can honestly work on a job: each case loads its data, then runs the
    solution (with its slack) and the timed runs of the query up to the time limit."""
    per_case_s = ((SOLUTION_TIME_FACTOR + settings.timing_runs) * job.time_limit_ms / 1000.0
                  + DATASET_LOAD_ALLOWANCE_S)
    return max(1, len(job.test_cases)) * per_case_s


def _safe(check) -> Optional[str]:
    try:
        return check()
    except Exception as exc:  # a health probe reports, never raises
        return f"{type(exc).__name__}: {exc}"


def _status(check) -> str:
    error = _safe(check)
    return "ok" if not error else f"error: {error}"
