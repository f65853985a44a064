"""Socket.IO message queues: an emit from a write-only manager reaches a listening one (Kafka and Redis)."""
import queue
import time
import uuid

import pytest
import socketio

from app.sockets.kafka_manager import FixedKafkaManager, kafka_bootstrap_servers, make_client_manager
from tests.services_env import REDIS_URL, unavailable

ROUND_TRIP_TIMEOUT_S = 15.0
RESEND_EVERY_S = 0.5


def listening_manager(manager):
    """Binds the manager to a threading-mode server and starts its listener; emits it relays are recorded."""
    received: "queue.Queue[dict]" = queue.Queue()
    socketio.Server(client_manager=manager, async_mode="threading")  # calls manager.set_server
    manager._handle_emit = received.put  # what the listener thread hands over for a remote emit
    manager.initialize()  # starts manager._thread via server.start_background_task
    return received


def round_trip(writer, received: "queue.Queue[dict]", payload: dict) -> dict:
    """Emits until the listener relays it (a subscription may still be settling), within a bounded time."""
    deadline = time.monotonic() + ROUND_TRIP_TIMEOUT_S
    while time.monotonic() < deadline:
        writer.emit("evt", payload, room=None, namespace="/")
        try:
            return received.get(timeout=min(RESEND_EVERY_S, max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            continue
    pytest.fail(f"no event relayed within {ROUND_TRIP_TIMEOUT_S} s")


def assert_relayed(message: dict, payload: dict, writer) -> None:
    assert message["method"] == "emit" and message["event"] == "evt"
    assert message["data"] == [payload] and message["namespace"] == "/" and message["room"] is None
    assert message["host_id"] == writer.host_id


def test_kafka_round_trip(kafka_broker):
    channel = f"test-socketio-{uuid.uuid4().hex[:10]}"
    listener = make_client_manager(f"kafka://{kafka_broker}", channel=channel)
    writer = make_client_manager(f"kafka://{kafka_broker}", write_only=True, channel=channel)
    assert isinstance(listener, FixedKafkaManager) and isinstance(writer, FixedKafkaManager)
    try:
        received = listening_manager(listener)
        assert listener.listening.wait(ROUND_TRIP_TIMEOUT_S), "the Kafka listener never got positioned"
        payload = {"attempt": 7, "verdict": "accepted", "note": "héllo"}
        assert_relayed(round_trip(writer, received, payload), payload, writer)
        # Once positioned, later emits arrive without resending, in order (late copies of `payload` aside).
        writer.emit("evt", {"n": 1}, namespace="/")
        writer.emit("evt", {"n": 2}, namespace="/")
        later = []
        while len(later) < 2:
            message = received.get(timeout=ROUND_TRIP_TIMEOUT_S)
            if message["data"] != [payload]:
                later.append(message["data"])
        assert later == [[{"n": 1}], [{"n": 2}]]
        assert writer.consumer is None  # write-only: never builds a consumer
    finally:
        writer.close()
        listener.close()
    assert not listener.thread.is_alive()


def test_kafka_publish_sends_bytes(kafka_broker, monkeypatch):
    """The stock KafkaManager hands kafka-python a str (TypeError); the fixed one sends bytes."""
    writer = FixedKafkaManager(f"kafka://{kafka_broker}", channel=f"test-socketio-{uuid.uuid4().hex[:10]}",
                               write_only=True)
    try:
        sent = []
        producer = writer._get_producer()
        real_send = producer.send
        monkeypatch.setattr(producer, "send", lambda topic, value: sent.append((topic, value)) or
                            real_send(topic, value=value))
        writer.emit("evt", {"a": 1}, namespace="/")
        [(topic, value)] = sent
        assert topic == writer.channel and isinstance(value, bytes)
        assert writer.json.loads(value)["data"] == [{"a": 1}]
    finally:
        writer.close()


def test_kafka_emit_with_broker_down_is_logged_not_raised(monkeypatch, caplog):
    import app.sockets.kafka_manager as module
    monkeypatch.setattr(module, "PUBLISH_TIMEOUT_S", 0.5)
    from tests.broker import free_port
    writer = make_client_manager(f"kafka://127.0.0.1:{free_port()}", write_only=True)
    started = time.monotonic()
    writer.emit("evt", {"a": 1}, namespace="/")  # nothing listens on that port
    assert time.monotonic() - started < 5
    assert "Cannot publish to kafka" in caplog.text and writer.producer is None


def test_redis_round_trip():
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means Redis is not there
        unavailable(f"Redis unreachable at {REDIS_URL}: {exc}")
    channel = f"test-socketio-{uuid.uuid4().hex[:10]}"
    listener = make_client_manager(REDIS_URL, channel=channel)
    writer = make_client_manager(REDIS_URL, write_only=True, channel=channel)
    assert isinstance(listener, socketio.RedisManager) and isinstance(writer, socketio.RedisManager)
    received = listening_manager(listener)
    payload = {"room": 3, "event": "standings"}
    assert_relayed(round_trip(writer, received, payload), payload, writer)
    # The Redis listener thread is a daemon blocked on its subscription; it ends with the test process.


@pytest.mark.parametrize("url", ["http://x", "", "amqp://localhost", "zmq+tcp://localhost:5555", "kafka"])
def test_other_urls_are_rejected(url):
    with pytest.raises(ValueError, match="redis:// or kafka://"):
        make_client_manager(url)


def test_default_channel_and_lazy_connections():
    manager = make_client_manager("kafka://127.0.0.1:1,127.0.0.1:2", write_only=True)
    assert manager.channel == "sqlarena-socketio"
    assert manager.kafka_urls == ["127.0.0.1:1", "127.0.0.1:2"]
    assert manager.producer is None and manager.consumer is None  # nothing connects until first use
    assert make_client_manager("redis://127.0.0.1:6379/0").channel == "sqlarena-socketio"
    assert make_client_manager("rediss://127.0.0.1:6380/0", write_only=True).write_only


@pytest.mark.parametrize("url, servers", [
    ("kafka://", ["localhost:9092"]),
    ("kafka://broker:9092", ["broker:9092"]),
    ("kafka://a:1, b:2/", ["a:1", "b:2"]),
    (["kafka://a:1", "kafka://b:2"], ["a:1", "b:2"]),
])
def test_bootstrap_servers_from_url(url, servers):
    assert kafka_bootstrap_servers(url) == servers


def test_invalid_topic_name_is_rejected():
    with pytest.raises(ValueError):
        FixedKafkaManager("kafka://localhost:9092", channel="bad topic/name")
