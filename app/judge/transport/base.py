"""The job transport contract: how jobs reach judges and completions reach the recorder.

Delivery is at least once. A consumer hands each event to a handler and only
acknowledges it after the handler returned and everything the handler
published is flushed, so a judge that dies mid-job leaves the job to be
redelivered. The recorder must therefore be idempotent.
"""
from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from typing import Callable, Optional, TypeVar, Union

from app.judge.events import JobCompletionEvent, JobInitEvent

log = logging.getLogger("sqlarena.transport")

Event = TypeVar("Event", JobInitEvent, JobCompletionEvent)
JobHandler = Callable[[JobInitEvent], None]
CompletionHandler = Callable[[JobCompletionEvent], None]


class TransportError(Exception):
    """A publish that the broker did not acknowledge."""


class JobTransport(ABC):
    """Carries JobInitEvents to judges and JobCompletionEvents to the recorder."""

    name: str

    @abstractmethod
    def publish_job(self, job: JobInitEvent) -> None:
        """Returns once the job is durably stored (before the HTTP 202); raises otherwise."""

    @abstractmethod
    def publish_completion(self, event: JobCompletionEvent) -> None:
        """Queues one case's result; `flush` confirms it."""

    @abstractmethod
    def flush(self) -> None:
        """Blocks until this thread's published completions are acknowledged; raises TransportError if one failed."""

    @abstractmethod
    def run_job_consumer(self, handle: JobHandler, stop: threading.Event) -> None:
        """Judges jobs until `stop` is set; each call is one member of the judge group."""

    @abstractmethod
    def run_completion_consumer(self, handle: CompletionHandler, stop: threading.Event) -> None:
        """Records completions until `stop` is set; one recorder group across web processes."""

    @abstractmethod
    def health(self) -> Optional[str]:
        """None when the transport works, else what is wrong."""

    @abstractmethod
    def close(self) -> None:
        """Flushes and releases connections; consumers end when their stop event is set."""


def decode_event(event_cls: type[Event], payload: Union[bytes, str], where: str) -> Optional[Event]:
    """The event, or None (logged) for a payload that can never be handled: a poison message."""
    try:
        event = event_cls.from_json(payload)
        int(event.attempt_id)
        return event
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.error("dropping malformed %s at %s: %s", event_cls.__name__, where, exc)
        return None


def run_handler(handle: Callable[[Event], None], event: Event, flush: Callable[[], None]) -> bool:
    """Calls the handler, then flushes what it published; True when the event may be acknowledged."""
    try:
        handle(event)
        flush()
        return True
    except Exception:  # any handler failure means "not done": the event is retried
        log.exception("handler failed attempt_id=%s", event.attempt_id)
        return False


class RetryBudget:
    """Counts handler failures per message so a job that always fails is eventually skipped."""

    def __init__(self, max_attempts: int):
        self.max_attempts = max(1, max_attempts)
        self._failures: dict[object, int] = {}
        self._lock = threading.Lock()

    def record_failure(self, message_id: object) -> int:
        """Returns how many times this message has now failed."""
        with self._lock:
            self._failures[message_id] = self._failures.get(message_id, 0) + 1
            return self._failures[message_id]

    def exhausted(self, failures: int) -> bool:
        return failures >= self.max_attempts

    def forget(self, message_id: object) -> None:
        with self._lock:
            self._failures.pop(message_id, None)
