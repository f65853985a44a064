"""Fair judging (SPEC 9.7): one user's attempts never hold every judge thread while another user's
attempt waits, and the sweeper never re-queues an attempt a judge is still working on."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from app.extensions import judging
from app.judge.events import JobInitEvent, TestCaseSpec
from app.judge.transport import build_transport
from app.judge.transport.inprocess import InProcessTransport
from app.models.timestamps import utcnow
from tests.helpers import wait_until

RUNAWAY = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
SLOW_LIMIT_MS = 1500
SLOW_CASES = [{"data": f"INSERT INTO items VALUES ({i}, 'x', 1);", "is_visible": True} for i in (1, 2, 3)]


def job(attempt_id: int, user_id: int) -> JobInitEvent:
    return JobInitEvent(attempt_id=attempt_id, user_id=user_id, challenge_id=1, challenge_version="v",
                        room_id=None, query="SELECT 1", init="", solution="SELECT 1", engine="sqlite",
                        time_limit_ms=1000, test_cases=[TestCaseSpec(id=1, data=None)])


class Judges:
    """`count` consumer threads whose handler blocks until released; records who started what."""

    def __init__(self, transport, count: int):
        self.started: list[tuple[int, int]] = []
        self.release = threading.Event()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=transport.run_job_consumer, args=(self._handle, self.stop),
                                         daemon=True) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def _handle(self, event: JobInitEvent) -> None:
        self.started.append((event.user_id, event.attempt_id))
        self.release.wait(10)

    def close(self) -> None:
        self.release.set()
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)


def test_fair_queue_keeps_a_thread_for_other_users():
    transport = InProcessTransport()
    judges = Judges(transport, 2)
    try:
        for attempt_id in (1, 2, 3):
            transport.publish_job(job(attempt_id, user_id=10))
        wait_until(lambda: judges.started, 5)
        time.sleep(0.3)                                   # a second thread would have taken job 2 by now
        assert judges.started == [(10, 1)]
        transport.publish_job(job(4, user_id=20))
        wait_until(lambda: len(judges.started) == 2, 5)
        assert judges.started[1] == (20, 4)               # on the thread user 10 could not take
        assert transport.pending_jobs() == 2
    finally:
        judges.close()


def test_fair_queue_serves_the_user_with_fewest_running_first():
    transport = InProcessTransport()
    judges = Judges(transport, 3)
    try:
        for attempt_id in (1, 2, 3, 4):
            transport.publish_job(job(attempt_id, user_id=10))
        wait_until(lambda: len(judges.started) == 2, 5)   # user 10 may hold 2 of the 3 threads
        for attempt_id in (5, 6):
            transport.publish_job(job(attempt_id, user_id=20))
        wait_until(lambda: len(judges.started) == 3, 5)
        assert [user for user, _ in judges.started] == [10, 10, 20]
    finally:
        judges.close()


def test_the_same_job_waiting_twice_runs_once():
    transport = InProcessTransport()
    for _ in range(3):
        transport.publish_job(job(1, user_id=10))
    assert transport.pending_jobs() == 1


def test_kafka_jobs_of_one_user_share_one_partition(kafka_settings):
    transport = build_transport(kafka_settings)
    try:
        for attempt_id, user_id in [(1, 11), (2, 12), (3, 11), (4, 13), (5, 11), (6, 12)]:
            transport.publish_job(job(attempt_id, user_id))
    finally:
        transport.close()
    consumer = KafkaConsumer(bootstrap_servers=kafka_settings.servers, enable_auto_commit=False,
                             consumer_timeout_ms=3000)
    partitions = [TopicPartition(kafka_settings.job_init_topic, p) for p in range(kafka_settings.job_partitions)]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    records = [record for record in consumer]
    consumer.close()
    by_user: dict[int, set[int]] = {}
    for record in records:
        event = JobInitEvent.from_json(record.value)
        assert record.key == str(event.attempt_id).encode()          # the key stays the attempt id
        by_user.setdefault(event.user_id, set()).add(record.partition)
    assert len(records) == 6
    assert all(len(parts) == 1 for parts in by_user.values()), by_user
    assert len(set().union(*by_user.values())) == 3                    # consecutive users spread out


def test_a_runaway_user_does_not_delay_another_player(app, client, make_user, make_challenge, wait_judged):
    """With 2 judge threads, A's three attempts of 3 cases × 1.5 s each (~4.5 s apiece) must not make
    B's trivial attempt wait: it is judged within about one time limit."""
    greedy, other = make_user(), make_user()
    own = make_challenge(greedy, time_limit_ms=SLOW_LIMIT_MS, test_cases=SLOW_CASES)
    trivial = make_challenge(make_user())
    mine = [client.post("/api/attempts", json={"challenge_id": own["id"], "query": RUNAWAY},
                        headers=greedy["headers"]).get_json()["data"]["id"] for _ in range(3)]
    time.sleep(0.3)                                       # the judges have picked A's work up
    started = time.monotonic()
    response = client.post("/api/attempts", json={"challenge_id": trivial["id"],
                                                  "query": "SELECT id, name FROM items WHERE price < 6 ORDER BY id"},
                           headers=other["headers"])
    judged = wait_judged(response.get_json()["data"]["id"], other["headers"], timeout_s=30)
    waited_s = time.monotonic() - started
    assert judged["verdict"] == "ACCEPTED"
    assert waited_s < SLOW_LIMIT_MS / 1000 + 1.5, waited_s   # A's first attempt alone needs ~4.5 s
    statuses = [client.get(f"/api/attempts/{a}", headers=greedy["headers"]).get_json()["data"]["status"]
                for a in mine]
    assert "COMPLETED" not in statuses, statuses             # A's work really was still under way
    for attempt_id in mine:
        assert wait_judged(attempt_id, greedy["headers"], timeout_s=60)["verdict"] == "TIME_LIMIT_EXCEEDED"


def test_sweeper_leaves_a_progressing_attempt_alone(app, client, make_user, make_challenge, wait_judged,
                                                    monkeypatch):
    from app.extensions import db
    from app.models import Attempt, AttemptCase
    service = judging.of(app)
    monkeypatch.setattr(service, "stuck_after_s", 1)     # ~4.5 s of judging is 4 stuck-periods
    player = make_user()
    challenge = make_challenge(player, time_limit_ms=SLOW_LIMIT_MS, test_cases=SLOW_CASES)
    attempt_id = client.post("/api/attempts", json={"challenge_id": challenge["id"], "query": RUNAWAY},
                             headers=player["headers"]).get_json()["data"]["id"]
    swept = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with app.app_context():
            swept.append(service.worker.sweep())
            status = db.session.get(Attempt, attempt_id).status
            db.session.remove()
        if status in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.2)
    judged = wait_judged(attempt_id, player["headers"])
    assert judged["verdict"] == "TIME_LIMIT_EXCEEDED" and len(judged["cases"]) == 3
    assert len(swept) > 10 and sum(swept) == 0, swept
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).dispatch_count == 1
        # The control: an attempt nobody works on is re-queued after the same short silence.
        silent = db.session.get(Attempt, attempt_id)
        silent.status, silent.dispatched_at, silent.dispatch_count = "QUEUED", utcnow() - timedelta(seconds=5), 1
        db.session.execute(db.delete(AttemptCase).where(AttemptCase.attempt_id == attempt_id))
        db.session.commit()
        assert service.worker.sweep() == 1
        assert db.session.get(Attempt, attempt_id).dispatch_count == 2
        db.session.remove()
    wait_judged(attempt_id, player["headers"])

