"""The embedded transport: two in-memory queues, for `python run.py` without Kafka.

Events travel as their JSON bytes, exactly as over Kafka, so a handler never
shares a mutable object with the publisher and the embedded mode exercises the
same serialisation. Each queued job goes to exactly one consumer thread, and
jobs are handed out fairly between users (`FairJobQueue`).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from app.judge.events import JobCompletionEvent, JobInitEvent
from app.judge.transport.base import (CompletionHandler, Event, JobHandler, JobTransport, RetryBudget,
                                      decode_event, run_handler)
from app.judge.transport.settings import TransportSettings

log = logging.getLogger("sqlarena.transport")
POLL_TIMEOUT_S = 0.1


@dataclass(frozen=True)
class _Delivery:
    """One queued message; `delivery_id` lets the retry budget recognise a redelivery."""
    delivery_id: int
    payload: bytes
    user_id: Optional[int] = None
    job_key: Optional[tuple] = None    # (attempt_id, challenge_version): the same job queued twice runs once


class _DeliveryQueue(Protocol):
    def put(self, delivery: _Delivery) -> None: ...
    def get(self, timeout_s: float) -> Optional[_Delivery]: ...
    def done(self, delivery: _Delivery) -> None: ...


class _FifoQueue:
    """Completions: first in, first out (the recorder is quick and alone)."""

    def __init__(self):
        self._queue: "queue.Queue[_Delivery]" = queue.Queue()

    def put(self, delivery: _Delivery) -> None:
        self._queue.put(delivery)

    def get(self, timeout_s: float) -> Optional[_Delivery]:
        try:
            return self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def done(self, delivery: _Delivery) -> None:
        """Nothing to release."""

    def qsize(self) -> int:
        return self._queue.qsize()


class FairJobQueue:
    """Jobs handed to judge threads fairly between users (SPEC 9.7, fair judging).

    The next job goes to the waiting user with the fewest jobs running (ties: round robin), and a
    user never holds more than all consumers but one, so the last free judge thread stays free for
    somebody else's attempt: a user who submits three runaway queries delays only their own. The
    price: a user alone on the server gets one thread less than there are. With one consumer there
    is no choice, and users simply take turns.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._waiting: dict[Optional[int], deque] = {}   # user → their queued deliveries, oldest first
        self._turns: deque = deque()                     # users with something waiting, next turn first
        self._running: Counter = Counter()
        self._consumers = 0

    def put(self, delivery: _Delivery) -> None:
        """Queues a job, unless the same job is already waiting (the sweeper re-queues an attempt
        that has waited long: one copy is enough, and two could run side by side)."""
        with self._cond:
            waiting = self._waiting.get(delivery.user_id)
            if waiting is None:
                waiting = self._waiting[delivery.user_id] = deque()
                self._turns.append(delivery.user_id)
            elif delivery.job_key is not None and any(d.job_key == delivery.job_key for d in waiting):
                return
            waiting.append(delivery)
            self._cond.notify_all()

    def get(self, timeout_s: float) -> Optional[_Delivery]:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                user_id = self._next_user()
                if user_id is not None or not self._cond.wait(max(0.0, deadline - time.monotonic())):
                    break
            if user_id is None:
                return None
            waiting = self._waiting[user_id]
            delivery = waiting.popleft()
            self._turns.remove(user_id)
            if waiting:
                self._turns.append(user_id)
            else:
                del self._waiting[user_id]
            self._running[user_id] += 1
            return delivery

    def done(self, delivery: _Delivery) -> None:
        with self._cond:
            self._running[delivery.user_id] -= 1
            if self._running[delivery.user_id] <= 0:
                del self._running[delivery.user_id]
            self._cond.notify_all()

    def consumer_started(self) -> None:
        with self._cond:
            self._consumers += 1
            self._cond.notify_all()

    def consumer_stopped(self) -> None:
        with self._cond:
            self._consumers -= 1
            self._cond.notify_all()

    def qsize(self) -> int:
        with self._cond:
            return sum(len(waiting) for waiting in self._waiting.values())

    def _next_user(self) -> Optional[int]:
        """The waiting user with the fewest jobs running, below the per-user cap; None if nobody may start."""
        cap = max(1, self._consumers - 1)
        eligible = [user for user in self._turns if self._running[user] < cap]
        return min(eligible, key=lambda user: self._running[user]) if eligible else None


class InProcessTransport(JobTransport):
    name = "in-process"

    def __init__(self, settings: Optional[TransportSettings] = None):
        settings = settings or TransportSettings()
        self._jobs = FairJobQueue()
        self._completions = _FifoQueue()
        self._retries = RetryBudget(settings.max_handler_attempts)
        self._ids_lock = threading.Lock()
        self._next_id = 0

    def publish_job(self, job: JobInitEvent) -> None:
        self._jobs.put(self._delivery(job.to_json(), job.user_id, (job.attempt_id, job.challenge_version)))

    def publish_completion(self, event: JobCompletionEvent) -> None:
        self._completions.put(self._delivery(event.to_json()))

    def flush(self) -> None:
        """Nothing to wait for: a put is already visible to every consumer."""

    def run_job_consumer(self, handle: JobHandler, stop: threading.Event) -> None:
        self._jobs.consumer_started()
        try:
            self._consume(self._jobs, JobInitEvent, handle, stop)
        finally:
            self._jobs.consumer_stopped()

    def run_completion_consumer(self, handle: CompletionHandler, stop: threading.Event) -> None:
        self._consume(self._completions, JobCompletionEvent, handle, stop)

    def health(self) -> Optional[str]:
        return None

    def close(self) -> None:
        """Queued events are lost with the process, as with any in-memory queue."""

    def pending_jobs(self) -> int:
        return self._jobs.qsize()

    def _delivery(self, payload: bytes, user_id: Optional[int] = None,
                  job_key: Optional[tuple] = None) -> _Delivery:
        with self._ids_lock:
            self._next_id += 1
            return _Delivery(self._next_id, payload, user_id, job_key)

    def _consume(self, source: _DeliveryQueue, event_cls: type[Event],
                 handle: Callable[[Event], None], stop: threading.Event) -> None:
        while not stop.is_set():
            delivery = source.get(POLL_TIMEOUT_S)
            if delivery is None:
                continue
            try:
                event = decode_event(event_cls, delivery.payload, f"in-process #{delivery.delivery_id}")
                handled = event is None or run_handler(handle, event, self.flush)
            finally:
                source.done(delivery)
            if handled:
                self._retries.forget(delivery.delivery_id)
                continue
            failures = self._retries.record_failure(delivery.delivery_id)
            if self._retries.exhausted(failures):
                log.error("giving up after %s failed attempts attempt_id=%s", failures, event.attempt_id)
                self._retries.forget(delivery.delivery_id)
            else:
                source.put(delivery)  # redelivered to whichever consumer is free
