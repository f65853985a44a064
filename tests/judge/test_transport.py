"""Job transports, in-process and Kafka (Tansu): round trips, one consumer per job, at-least-once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Callable

import pytest

from app.judge.events import JobCompletionEvent, JobInitEvent, TestCaseSpec
from app.judge.transport import build_transport
from app.judge.transport.base import JobTransport
from app.judge.transport.inprocess import InProcessTransport
from app.judge.transport.settings import TransportSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
DELIVERY_TIMEOUT_S = 20.0   # a fresh Kafka group needs ~3 s to join with the test timeouts
FAILOVER_TIMEOUT_S = 30.0


def make_job(attempt_id: int, user_id: int = 7) -> JobInitEvent:
    return JobInitEvent(
        attempt_id=attempt_id, user_id=user_id, challenge_id=3, challenge_version="v-abc", room_id=None,
        query="SELECT name FROM t ORDER BY 1", init="CREATE TABLE t(name TEXT);",
        solution="SELECT name FROM t ORDER BY 1", engine="sqlite", time_limit_ms=2000,
        test_cases=[TestCaseSpec(id=1, data="INSERT INTO t VALUES ('é');", is_visible=True),
                    TestCaseSpec(id=2, data=None, is_visible=False)],
    )


def make_completion(attempt_id: int, case_id: int) -> JobCompletionEvent:
    return JobCompletionEvent(
        attempt_id=attempt_id, user_id=7, challenge_id=3, test_case_id=case_id, status="COMPLETED",
        verdict="ACCEPTED", execution_ms=1.234567, score=50.0, expected_result='{"columns":["name"],"rows":[["é"]]}',
        actual_result='{"columns":["name"],"rows":[["é"]]}', feedback=None, is_visible=True, room_id=None,
        challenge_version="v-abc",
    )


def wait_for(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.02)


class Consumer:
    """One consumer loop on its own thread, recording what its handler saw."""

    def __init__(self, transport: JobTransport, handle: Callable | None = None, completions: bool = False):
        self.received: list = []
        self.stop = threading.Event()
        self._handle = handle
        run = transport.run_completion_consumer if completions else transport.run_job_consumer
        self.thread = threading.Thread(target=run, args=(self._record, self.stop), daemon=True)
        self.thread.start()

    def _record(self, event) -> None:
        if self._handle is not None:
            self._handle(self, event)
        self.received.append(event)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "consumer did not honour stop"


@pytest.fixture(params=["in-process", "kafka"])
def settings(request) -> TransportSettings:
    if request.param == "kafka":
        return request.getfixturevalue("kafka_settings")
    return TransportSettings(retry_backoff_s=0.0)


@pytest.fixture
def open_transport(settings):
    """open_transport() → a transport of the parametrised kind (several share one broker, group and topics)."""
    opened: list[JobTransport] = []
    consumers: list[Consumer] = []
    shared = build_transport(settings) if not settings.uses_kafka else None

    def make() -> JobTransport:
        transport = shared or build_transport(settings)
        opened.append(transport)
        return transport
    make.consumer = lambda transport, *args, **kwargs: consumers.append(Consumer(transport, *args, **kwargs)) \
        or consumers[-1]
    yield make
    for consumer in consumers:
        consumer.stop.set()
    for consumer in consumers:
        consumer.thread.join(timeout=15)
    for transport in opened:
        transport.close()


def test_build_transport_chooses_by_bootstrap_servers(kafka_settings):
    assert build_transport(TransportSettings()).name == "in-process"
    assert build_transport(TransportSettings(bootstrap_servers=" , ")).name == "in-process"
    kafka = build_transport(kafka_settings)
    assert kafka.name == "kafka"
    kafka.close()


def test_jobs_round_trip_with_exact_payloads(open_transport):
    transport = open_transport()
    jobs = [make_job(attempt_id) for attempt_id in range(1, 6)]
    for job in jobs:
        transport.publish_job(job)
    consumer = open_transport.consumer(transport)
    wait_for(lambda: len(consumer.received) >= len(jobs), DELIVERY_TIMEOUT_S, "5 jobs")
    received = sorted(consumer.received, key=lambda job: job.attempt_id)
    assert [asdict(job) for job in received] == [asdict(job) for job in jobs]
    assert isinstance(received[0].test_cases[0], TestCaseSpec)


def test_completions_round_trip_in_order_per_attempt(open_transport):
    transport = open_transport()
    events = [make_completion(attempt_id, case_id) for attempt_id in (11, 12) for case_id in range(1, 6)]
    for event in events:
        transport.publish_completion(event)
    transport.flush()
    recorder = open_transport.consumer(transport, completions=True)
    wait_for(lambda: len(recorder.received) >= len(events), DELIVERY_TIMEOUT_S, "10 completions")
    assert sorted(map(asdict, recorder.received), key=lambda e: (e["attempt_id"], e["test_case_id"])) == \
        [asdict(event) for event in events]
    for attempt_id in (11, 12):  # one key → one partition → the cases arrive in the order judged
        cases = [e.test_case_id for e in recorder.received if e.attempt_id == attempt_id]
        assert cases == [1, 2, 3, 4, 5]


def test_each_job_goes_to_exactly_one_of_two_consumers(open_transport):
    publisher = open_transport()
    slow = lambda consumer, job: time.sleep(0.1)  # noqa: E731  (keeps both members busy)
    first = open_transport.consumer(open_transport(), slow)
    second = open_transport.consumer(open_transport(), slow)
    attempt_ids = list(range(100, 140))
    for attempt_id in attempt_ids:   # one user per job: one user's jobs are served one at a time
        publisher.publish_job(make_job(attempt_id, user_id=attempt_id))
    both = lambda: [job.attempt_id for job in first.received + second.received]  # noqa: E731
    wait_for(lambda: len(both()) >= len(attempt_ids), DELIVERY_TIMEOUT_S + 10, "40 jobs")
    time.sleep(0.5)  # a duplicate delivery would show up now
    assert sorted(both()) == attempt_ids
    assert first.received and second.received, "both members of the group took work"


def test_job_left_unfinished_is_redelivered_to_the_next_consumer(open_transport):
    """A member stopping mid-job (its handler raises) acknowledges nothing; another member gets the job."""
    transport = open_transport()
    transport.publish_job(make_job(501))
    started = threading.Event()

    def abandon(consumer, job):
        started.set()
        consumer.stop.set()
        raise RuntimeError("worker shutting down mid-job")
    quitter = open_transport.consumer(open_transport(), abandon)
    assert started.wait(DELIVERY_TIMEOUT_S), "first consumer never got the job"
    quitter.close()
    assert quitter.received == []
    successor = open_transport.consumer(open_transport())
    wait_for(lambda: successor.received, DELIVERY_TIMEOUT_S, "the redelivered job")
    assert [job.attempt_id for job in successor.received] == [501]


def test_failing_handler_is_retried_then_skipped(open_transport):
    transport = open_transport()
    calls: list[int] = []

    def flaky(consumer, job):
        calls.append(job.attempt_id)
        if job.attempt_id == 601 and calls.count(601) == 1:
            raise RuntimeError("transient")
        if job.attempt_id == 602:
            raise RuntimeError("always fails")
    consumer = open_transport.consumer(transport, flaky)
    for attempt_id in (601, 602, 603):
        transport.publish_job(make_job(attempt_id))
    wait_for(lambda: {601, 603} <= {job.attempt_id for job in consumer.received}, DELIVERY_TIMEOUT_S,
             "jobs 601 and 603")
    wait_for(lambda: calls.count(602) >= 3, DELIVERY_TIMEOUT_S, "three tries of job 602")
    time.sleep(0.5)
    assert calls.count(601) == 2
    assert calls.count(602) == 3, "bounded retries, then skipped"
    assert sorted(job.attempt_id for job in consumer.received) == [601, 603]


def test_health_reports_a_working_transport(open_transport):
    assert open_transport().health() is None


def test_health_reports_an_unreachable_broker(kafka_settings):
    from tests.broker import free_port
    dead = build_transport(replace(kafka_settings, bootstrap_servers=f"127.0.0.1:{free_port()}",
                                   health_timeout_ms=500))
    try:
        problem = dead.health()
    finally:
        dead.close()
    assert problem and "unreachable" in problem


def test_malformed_job_is_dropped_and_committed(kafka_settings):
    """A poison message must not block its partition, nor come back to the next member."""
    from kafka import KafkaProducer
    transport = build_transport(kafka_settings)
    transport.publish_job(make_job(701))   # creates the topics
    producer = KafkaProducer(bootstrap_servers=kafka_settings.servers)
    for partition in range(kafka_settings.job_partitions):
        producer.send(kafka_settings.job_init_topic, value=b"{not json", partition=partition)
    producer.send(kafka_settings.job_init_topic, value=b'{"attempt_id": 1}', partition=0)
    producer.flush()
    producer.close()
    transport.publish_job(make_job(702))
    first = Consumer(transport)
    try:
        wait_for(lambda: len(first.received) >= 2, DELIVERY_TIMEOUT_S, "the two valid jobs")
    finally:
        first.close()
    transport.publish_job(make_job(703))
    second = Consumer(transport)
    try:
        wait_for(lambda: second.received, DELIVERY_TIMEOUT_S, "job 703")
        time.sleep(0.5)
    finally:
        second.close()
        transport.close()
    assert sorted(job.attempt_id for job in first.received) == [701, 702]
    assert [job.attempt_id for job in second.received] == [703]


def test_inprocess_consumers_run_on_plain_threads_and_share_work():
    transport = InProcessTransport()
    consumers = [Consumer(transport) for _ in range(4)]
    try:
        for attempt_id in range(200):
            transport.publish_job(make_job(attempt_id))
        wait_for(lambda: sum(len(c.received) for c in consumers) >= 200, 10, "200 jobs")
        assert sorted(job.attempt_id for c in consumers for job in c.received) == list(range(200))
        assert transport.pending_jobs() == 0
    finally:
        for consumer in consumers:
            consumer.close()


WORKER_SCRIPT = """
import json, sys, threading, time
from app.judge.transport.kafka import KafkaTransport
from app.judge.transport.settings import TransportSettings

def handle(job):
    print("judging", job.attempt_id, flush=True)
    time.sleep(600)   # killed long before this ends

KafkaTransport(TransportSettings(**json.loads(sys.argv[1]))).run_job_consumer(handle, threading.Event())
"""


def read_line(proc: subprocess.Popen, timeout_s: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    return line[0] if line else ""


def test_job_of_a_killed_worker_process_is_redelivered(kafka_settings):
    """SIGKILL a worker process mid-job: once the group drops it, another member judges the job."""
    transport = build_transport(kafka_settings)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, json.dumps(asdict(kafka_settings))],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    successor = None
    try:
        transport.publish_job(make_job(801))
        assert read_line(worker, DELIVERY_TIMEOUT_S).split() == ["judging", "801"], "worker never started the job"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=5)
        killed_at = time.monotonic()
        successor = Consumer(transport)
        wait_for(lambda: successor.received, FAILOVER_TIMEOUT_S, "the killed worker's job")
        print(f"failover after SIGKILL: {time.monotonic() - killed_at:.1f} s")
        assert [job.attempt_id for job in successor.received] == [801]
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=5)
        if successor is not None:
            successor.close()
        transport.close()
