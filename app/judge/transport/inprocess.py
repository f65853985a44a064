"""The embedded transport: two in-memory queues, for `python run.py` without Kafka.

Events travel as their JSON bytes, exactly as over Kafka, so a handler never
shares a mutable object with the publisher and the embedded mode exercises the
same serialisation. Each queued job goes to exactly one consumer thread.
"""
from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Callable, Optional

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


class InProcessTransport(JobTransport):
    name = "in-process"

    def __init__(self, settings: Optional[TransportSettings] = None):
        settings = settings or TransportSettings()
        self._jobs: "queue.Queue[_Delivery]" = queue.Queue()
        self._completions: "queue.Queue[_Delivery]" = queue.Queue()
        self._retries = RetryBudget(settings.max_handler_attempts)
        self._ids_lock = threading.Lock()
        self._next_id = 0

    def publish_job(self, job: JobInitEvent) -> None:
        self._jobs.put(self._delivery(job.to_json()))

    def publish_completion(self, event: JobCompletionEvent) -> None:
        self._completions.put(self._delivery(event.to_json()))

    def flush(self) -> None:
        """Nothing to wait for: a put is already visible to every consumer."""

    def run_job_consumer(self, handle: JobHandler, stop: threading.Event) -> None:
        self._consume(self._jobs, JobInitEvent, handle, stop)

    def run_completion_consumer(self, handle: CompletionHandler, stop: threading.Event) -> None:
        self._consume(self._completions, JobCompletionEvent, handle, stop)

    def health(self) -> Optional[str]:
        return None

    def close(self) -> None:
        """Queued events are lost with the process, as with any in-memory queue."""

    def pending_jobs(self) -> int:
        return self._jobs.qsize()

    def _delivery(self, payload: bytes) -> _Delivery:
        with self._ids_lock:
            self._next_id += 1
            return _Delivery(self._next_id, payload)

    def _consume(self, source: "queue.Queue[_Delivery]", event_cls: type[Event],
                 handle: Callable[[Event], None], stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                delivery = source.get(timeout=POLL_TIMEOUT_S)
            except queue.Empty:
                continue
            event = decode_event(event_cls, delivery.payload, f"in-process #{delivery.delivery_id}")
            if event is None or run_handler(handle, event, self.flush):
                self._retries.forget(delivery.delivery_id)
                continue
            failures = self._retries.record_failure(delivery.delivery_id)
            if self._retries.exhausted(failures):
                log.error("giving up after %s failed attempts attempt_id=%s", failures, event.attempt_id)
                self._retries.forget(delivery.delivery_id)
            else:
                source.put(delivery)  # redelivered to whichever consumer is free
