"""The web side of judging: dispatch jobs, run the in-process judge pool, record results, sweep.

The judge itself (app.judge) knows nothing of Flask; this service wires it to
the app database, the transport and the live channels.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from collections import defaultdict, deque
from typing import Iterator, Optional

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.concurrency import run_blocking, sleep, spawn_background
from app.errors import Invalid, TooManyRequests
from app.extensions import db
from app.judge.engines import DIALECTS, build_engines
from app.judge.engines.base import ChallengeInvalid
from app.judge.events import JobCompletionEvent, JobInitEvent, TestCaseSpec
from app.judge.gate import QueryRejected, check_query
from app.judge.ordering import sort_plan
from app.judge.runner import SOLUTION_TIME_FACTOR, Judge
from app.judge.settings import JudgeSettings
from app.judge.transport import build_transport
from app.judge.transport.settings import TransportSettings
from app.judge.verdicts import FAILED, QUEUED, RUNNING
from app.models import Attempt, AttemptCase, Challenge
from app.models.timestamps import utcnow
from app.services import challenge_stats, leaderboard, live, recorder, sandbox_janitor

log = logging.getLogger("sqlarena.judging")
MAX_DISPATCHES = 3
SWEEP_INTERVAL_S = 5.0
JANITOR_EVERY_SWEEPS = 60         # unused sandbox datasets are dropped every 5 minutes
HEARTBEATS_PER_STUCK = 3          # a judge refreshes a running attempt this often per JUDGE_STUCK_AFTER_S
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


def challenge_payload(challenge: Challenge) -> dict:
    return {
        "init": challenge.init,
        "solution": challenge.solution,
        "test_cases": [TestCaseSpec(id=tc.id, data=tc.data, is_visible=bool(tc.is_visible))
                       for tc in challenge.test_cases],
    }


def build_job(attempt: Attempt, challenge: Challenge, inline_limit_bytes: int) -> JobInitEvent:
    """The JobInitEvent; the challenge's SQL is left out (None) when it would make the event too big."""
    payload = challenge_payload(challenge)
    size = len(challenge.init.encode()) + len(challenge.solution.encode()) + sum(
        len((tc.data or "").encode()) for tc in payload["test_cases"])
    inline = size <= inline_limit_bytes
    cases = payload["test_cases"] if inline else [TestCaseSpec(tc.id, None, tc.is_visible) for tc in payload["test_cases"]]
    return JobInitEvent(
        attempt_id=attempt.id, user_id=attempt.user_id, challenge_id=challenge.id,
        challenge_version=challenge.version, room_id=attempt.room_id, query=attempt.query,
        init=challenge.init if inline else None, solution=challenge.solution if inline else None,
        engine=challenge.engine, time_limit_ms=challenge.time_limit_ms, test_cases=cases,
        check_column_names=bool(challenge.check_column_names),
    )


class SlidingWindowLimiter:
    """Per-user request rate limit kept in memory (for the Run button, which stores nothing)."""

    def __init__(self, count: int, window_s: int):
        self.count, self.window_s = count, window_s
        self._hits: dict[int, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, user_id: int) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[user_id]
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.count:
                return False
            hits.append(now)
            return True


class JudgingService:
    def __init__(self, app: Flask):
        self.app = app
        config = app.config
        self.settings = judge_settings(config)
        self.inline_limit_bytes = config["JUDGE_INLINE_LIMIT_BYTES"]
        self.stuck_after_s = config["JUDGE_STUCK_AFTER_S"]
        self.engines = build_engines(self.settings, config["SANDBOX_DATABASE_URL"] or None)
        self.judge = Judge(self.engines, self.settings, load_challenge=self.load_challenge)
        self.transport = build_transport(transport_settings(config))
        self.run_limiter = SlidingWindowLimiter(*config["RATE_LIMIT_ATTEMPTS"])
        self.stop_event = threading.Event()
        self._started = False

    # -- web side -------------------------------------------------------
    def dispatch(self, attempt: Attempt, challenge: Challenge) -> None:
        """Publishes the job; a failure leaves the attempt QUEUED for the sweeper to retry."""
        attempt.dispatch_count = (attempt.dispatch_count or 0) + 1
        attempt.dispatched_at = utcnow()
        db.session.commit()
        job = build_job(attempt, challenge, self.inline_limit_bytes)
        try:
            self.transport.publish_job(job)
        except Exception:
            log.exception("could not publish job attempt_id=%s; the sweeper will retry", attempt.id)
            return
        log.info("job queued attempt_id=%s challenge_id=%s", attempt.id, challenge.id)
        live.publish_attempt("attempt.queued", attempt, attempt.to_dict())

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
        if not self.run_limiter.hit(user_id):
            count, window_s = self.run_limiter.count, self.run_limiter.window_s
            raise TooManyRequests(f"rate limit: at most {count} runs per {window_s} s")
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

    # -- background loops -------------------------------------------------
    def start(self, judge_threads: int, recorder: bool = True, sweeper: bool = True) -> None:
        if self._started:
            return
        self._started = True
        for _ in range(judge_threads):
            spawn_background(self.transport.run_job_consumer, self.handle_job, self.stop_event, name="judge")
        if recorder:
            spawn_background(self.transport.run_completion_consumer, self.record_completion, self.stop_event,
                             name="recorder")
        if sweeper:
            spawn_background(self._sweep_loop, name="sweeper")

    def stop(self) -> None:
        self.stop_event.set()

    def handle_job(self, job: JobInitEvent) -> None:
        """Judges one job, publishing each case's completion as soon as it is known."""
        if not self._mark_alive(job.attempt_id, job.challenge_version):
            log.info("skipping a finished or superseded job attempt_id=%s", job.attempt_id)
            return
        log.info("judging attempt_id=%s cases=%s", job.attempt_id, len(job.test_cases))
        with self._heartbeat(job):
            cases = self.judge.judge(job)
            while (event := run_blocking(next, cases, None)) is not None:
                self.transport.publish_completion(event)
            self.transport.flush()

    @contextmanager
    def _heartbeat(self, job: JobInitEvent) -> Iterator[None]:
        """While a judge works on a job, refreshes the attempt's sign of life so the sweeper never
        re-queues it (SPEC 9.7); only for as long as an honest job can last, so a hung judge's
        attempt is still swept."""
        done = threading.Event()
        interval_s = self.stuck_after_s / HEARTBEATS_PER_STUCK
        give_up_at = time.monotonic() + longest_job_s(job, self.settings)

        def beat() -> None:
            while not done.wait(interval_s) and time.monotonic() < give_up_at:
                self._mark_alive(job.attempt_id, job.challenge_version)
        spawn_background(beat, name="heartbeat")
        try:
            yield
        finally:
            done.set()

    def _mark_alive(self, attempt_id: int, challenge_version: str) -> bool:
        """Refreshes `dispatched_at` of an attempt still waiting for this job; False when the attempt
        is finished or was rejudged since (the job is then moot). A database hiccup never stops judging."""
        with self.app.app_context():
            try:
                result = db.session.execute(
                    db.update(Attempt)
                    .where(Attempt.id == attempt_id, Attempt.status.in_((QUEUED, RUNNING)),
                           Attempt.challenge_version == challenge_version)
                    .values(dispatched_at=utcnow()))
                db.session.commit()
                return result.rowcount > 0
            except SQLAlchemyError:
                log.warning("could not refresh attempt_id=%s", attempt_id, exc_info=True)
                db.session.rollback()
                return True
            finally:
                db.session.remove()

    def record_completion(self, event: JobCompletionEvent) -> None:
        with self.app.app_context():
            try:
                recorder.record(event)
            finally:
                db.session.remove()

    def load_challenge(self, challenge_id: int, version: str) -> dict:
        """For jobs too big to carry their SQL: the challenge as stored (the version must match)."""
        with self.app.app_context():
            try:
                challenge = db.session.get(Challenge, challenge_id)
                if challenge is None or challenge.version != version:
                    raise LookupError(f"challenge {challenge_id} version {version} is no longer stored")
                return challenge_payload(challenge)
            finally:
                db.session.remove()

    def _sweep_loop(self) -> None:
        sweeps = 0
        while not self.stop_event.is_set():
            sleep(SWEEP_INTERVAL_S)
            sweeps += 1
            with self.app.app_context():
                try:
                    self.sweep()
                    if sweeps % JANITOR_EVERY_SWEEPS == 0:
                        self.sweep_sandbox()
                except Exception:
                    log.exception("sweep failed")
                finally:
                    db.session.remove()

    def sweep_sandbox(self) -> list[str]:
        """Drops the sandbox datasets no stored challenge uses (after a delete or a change, and periodically)."""
        return sandbox_janitor.sweep(self.engines)

    def sweep(self) -> int:
        """Re-queues attempts QUEUED/RUNNING with no sign of life (dispatch, judge heartbeat, stored
        case) for JUDGE_STUCK_AFTER_S; fails them after MAX_DISPATCHES."""
        cutoff = utcnow() - timedelta(seconds=self.stuck_after_s)
        stuck = db.session.execute(
            db.select(Attempt).where(Attempt.status.in_((QUEUED, RUNNING)), Attempt.dispatched_at < cutoff).limit(100)
        ).scalars().all()
        for attempt in stuck:
            if (attempt.dispatch_count or 0) >= MAX_DISPATCHES:
                recorder.record(JobCompletionEvent(
                    attempt_id=attempt.id, user_id=attempt.user_id, challenge_id=attempt.challenge_id,
                    test_case_id=None, status=FAILED, verdict=None, execution_ms=None, score=0,
                    expected_result=None, actual_result=None,
                    error=f"no judge finished this attempt after {MAX_DISPATCHES} tries"))
                continue
            challenge = db.session.get(Challenge, attempt.challenge_id)
            log.warning("re-queueing stuck attempt_id=%s", attempt.id)
            self.dispatch(attempt, challenge)
        return len(stuck)


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
