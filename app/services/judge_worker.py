"""The worker side of judging: judge threads, the recorder, the sweeper.

A serving process runs one JudgeWorker next to its request handlers (JUDGE_IN_PROCESS);
`flask judge-worker` runs one alone, emitting live events through a write-only Socket.IO
emitter (app/services/live.py).
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Iterator

from sqlalchemy.exc import SQLAlchemyError

from app.concurrency import run_blocking, sleep, spawn_background
from app.extensions import db
from app.judge.events import JobCompletionEvent, JobInitEvent
from app.judge.verdicts import QUEUED, RUNNING
from app.models import Attempt
from app.models import challenge_version as challenge_versions
from app.models.timestamps import utcnow
from app.services import recorder

if TYPE_CHECKING:
    from app.services.judging import JudgingService

log = logging.getLogger("sqlarena.judge_worker")
MAX_DISPATCHES = 3
SWEEP_INTERVAL_S = 5.0
JANITOR_EVERY_SWEEPS = 60         # unused sandbox datasets and version snapshots are dropped every 5 minutes
HEARTBEATS_PER_STUCK = 3          # a judge refreshes a running attempt this often per JUDGE_STUCK_AFTER_S


class JudgeWorker:
    def __init__(self, service: "JudgingService"):
        self.service = service
        self.app = service.app
        self.stop_event = threading.Event()
        self._started = False

    def start(self, judge_threads: int, recorder: bool = True, sweeper: bool = True) -> None:
        """Judge threads (members of the judge consumer group), the recorder, the sweeper: each optional."""
        if self._started:
            return
        self._started = True
        transport = self.service.transport
        for _ in range(judge_threads):
            spawn_background(transport.run_job_consumer, self.handle_job, self.stop_event, name="judge")
        if recorder:
            spawn_background(transport.run_completion_consumer, self.record_completion, self.stop_event,
                             name="recorder")
        if sweeper:
            self.start_sweeper(self.stop_event)

    def stop(self) -> None:
        self.stop_event.set()

    # -- judging ----------------------------------------------------------
    def handle_job(self, job: JobInitEvent) -> None:
        """Judges one job, publishing each case's completion as soon as it is known."""
        if not self._mark_alive(job.attempt_id, job.challenge_version):
            log.info("skipping a finished or superseded job attempt_id=%s", job.attempt_id)
            return
        log.info("judging attempt_id=%s cases=%s", job.attempt_id, len(job.test_cases))
        transport = self.service.transport
        with self._heartbeat(job):
            cases = self.service.judge.judge(job)
            while (event := run_blocking(next, cases, None)) is not None:
                transport.publish_completion(event)
            transport.flush()

    @contextmanager
    def _heartbeat(self, job: JobInitEvent) -> Iterator[None]:
        """While a judge works on a job, refreshes the attempt's sign of life so the sweeper never
        re-queues it (SPEC 9.7); only for as long as an honest job can last, so a hung judge's
        attempt is still swept."""
        from app.services.judging import longest_job_s
        done = threading.Event()
        interval_s = self.service.stuck_after_s / HEARTBEATS_PER_STUCK
        give_up_at = time.monotonic() + longest_job_s(job, self.service.settings)

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

    # -- recording --------------------------------------------------------
    def record_completion(self, event: JobCompletionEvent) -> None:
        with self.app.app_context():
            try:
                recorder.record(event)
            finally:
                db.session.remove()

    # -- sweeping ---------------------------------------------------------
    def start_sweeper(self, stop: threading.Event, interval_s: float = SWEEP_INTERVAL_S) -> None:
        """Every `interval_s` until `stop`: re-queue silent attempts (and now and then drop unused
        sandbox datasets)."""
        spawn_background(self._sweep_loop, stop, interval_s, name="sweeper")

    def _sweep_loop(self, stop: threading.Event, interval_s: float) -> None:
        sweeps = 0
        while not stop.is_set():
            sleep(interval_s)
            sweeps += 1
            with self.app.app_context():
                try:
                    self.sweep()
                    if sweeps % JANITOR_EVERY_SWEEPS == 0:
                        self.service.sweep_sandbox()
                        challenge_versions.prune()
                        db.session.commit()
                except Exception:
                    log.exception("sweep failed")
                finally:
                    db.session.remove()

    def sweep(self) -> int:
        """Re-queues attempts QUEUED/RUNNING with no sign of life (dispatch, judge heartbeat, stored
        case) for JUDGE_STUCK_AFTER_S, on their own challenge version; fails them after MAX_DISPATCHES
        or when that version is no longer stored."""
        cutoff = utcnow() - timedelta(seconds=self.service.stuck_after_s)
        stuck = db.session.execute(
            db.select(Attempt).where(Attempt.status.in_((QUEUED, RUNNING)), Attempt.dispatched_at < cutoff).limit(100)
        ).scalars().all()
        for attempt in stuck:
            if (attempt.dispatch_count or 0) >= MAX_DISPATCHES:
                recorder.fail(attempt, f"no judge finished this attempt after {MAX_DISPATCHES} tries")
                continue
            log.warning("re-queueing stuck attempt_id=%s", attempt.id)
            if not self.service.dispatch(attempt):
                recorder.fail(attempt, "the challenge version of this attempt is no longer stored")
        return len(stuck)
