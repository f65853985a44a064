"""Socket.IO message queues for running several web processes (SOCKETIO_MESSAGE_QUEUE).

`make_client_manager(url)` returns the python-socketio client manager for a
`redis://` / `rediss://` URL (the stock `RedisManager`) or a `kafka://` URL
(`FixedKafkaManager` below). Every web process listens on the channel and
relays each event to its own connected clients; judge workers emit through a
write-only manager.

python-socketio's own `KafkaManager` (5.14 up to at least 5.18.1) cannot be
used as is, see docs/PITFALLS.md "Socket.IO across processes":

- its `_publish` hands kafka-python a `str`, which raises
  `TypeError: Unsupported type for serialized value`;
- its consumer uses kafka-python's default `fetch_max_wait_ms` (500 ms), so
  every relayed event waits up to half a second;
- it builds both a producer and a consumer in `__init__`: app start-up then
  blocks (or fails) when Kafka is down, and write-only processes hold a
  useless consumer.

`FixedKafkaManager` keeps the parent's message format (the JSON text that the
inherited `PubSubManager._thread` decodes with `self.json.loads`), and
overrides only the Kafka plumbing.
"""
from __future__ import annotations

import re
import threading
from typing import Iterator, Union

import socketio
from socketio.pubsub_manager import PubSubManager

try:
    import kafka
    from kafka import TopicPartition
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError
except ImportError:  # pragma: no cover - kafka-python is a locked dependency
    kafka = None


CHANNEL = "sqlarena-socketio"
DEFAULT_BOOTSTRAP = "localhost:9092"
FETCH_MAX_WAIT_MS = 10           # relay latency: the broker answers a fetch after at most this long
PUBLISH_TIMEOUT_S = 5.0          # an emit never blocks longer than this when Kafka is slow or down
RETRY_MAX_S = 30.0               # listener reconnect back-off ceiling
_TOPIC_RE = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


def kafka_bootstrap_servers(url: Union[str, list[str]]) -> list[str]:
    """`kafka://h1:p1,h2:p2` (or a list of such URLs) → ["h1:p1", "h2:p2"]."""
    urls = [url] if isinstance(url, str) else list(url)
    servers: list[str] = []
    for item in urls:
        rest = item.strip()
        if rest.lower().startswith("kafka://"):
            rest = rest[len("kafka://"):]
        rest = rest.split("/", 1)[0]  # tolerate a trailing slash
        servers.extend(part.strip() for part in rest.split(",") if part.strip())
    return servers or [DEFAULT_BOOTSTRAP]


class FixedKafkaManager(socketio.KafkaManager):
    """`socketio.KafkaManager` with working publishing, a low-latency consumer and lazy connections.

    Overrides, and why:
    - `__init__`: no producer or consumer yet (connections are made on first use,
      so a broker that is down does not break app start-up; write-only processes
      never build a consumer).
    - `_publish`: sends bytes (the parent sends `str`, which kafka-python
      rejects), bounded by PUBLISH_TIMEOUT_S, and flushes so the event leaves now.
      Like `RedisManager`, a failed publish is logged, not raised (Socket.IO
      events are best effort; the database stays the source of truth).
    - `_kafka_listen`: a consumer with no consumer group (`group_id=None`: every
      web process must see every event, not a share of them), assigned every
      partition of the channel's topic, starting at the end (`latest`: events
      from before this process started are stale), `fetch_max_wait_ms` low; it
      reconnects with back-off like `RedisManager`'s listener.
    - `_listen`: yields the value decoded to text, which the inherited `_thread`
      passes to `self.json.loads`.
    The topic is created (one partition, so events keep their order) if missing.
    """

    name = "kafka"

    def __init__(self, url: Union[str, list[str]] = "kafka://localhost:9092", channel: str = "socketio",
                 write_only: bool = False, logger=None, json=None):
        if kafka is None:  # pragma: no cover
            raise RuntimeError("kafka-python is not installed")
        if not _TOPIC_RE.match(channel) or channel in (".", ".."):
            raise ValueError(f"invalid Kafka topic name for the Socket.IO channel: {channel!r}")
        # Skips KafkaManager.__init__ on purpose (it connects eagerly): PubSubManager's is the one needed.
        PubSubManager.__init__(self, channel=channel, write_only=write_only, logger=logger, json=json)
        self.kafka_urls = kafka_bootstrap_servers(url)
        self.producer = None
        self.consumer = None
        self.listening = threading.Event()   # set once the consumer is positioned: emits from then on arrive
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._topic_ready = False

    # -- connections ------------------------------------------------------
    def _ensure_topic(self) -> None:
        if self._topic_ready:
            return
        admin = kafka.KafkaAdminClient(bootstrap_servers=self.kafka_urls,
                                       request_timeout_ms=int(PUBLISH_TIMEOUT_S * 1000),
                                       bootstrap_timeout_ms=int(PUBLISH_TIMEOUT_S * 1000))
        try:
            admin.create_topics([NewTopic(self.channel, 1, 1)])
        except TopicAlreadyExistsError:
            pass
        finally:
            admin.close()
        self._topic_ready = True

    def _get_producer(self):
        with self._lock:
            if self.producer is None:
                self._ensure_topic()
                self.producer = kafka.KafkaProducer(
                    bootstrap_servers=self.kafka_urls, linger_ms=0,
                    max_block_ms=int(PUBLISH_TIMEOUT_S * 1000),
                    bootstrap_timeout_ms=int(PUBLISH_TIMEOUT_S * 1000),
                )
            return self.producer

    def _drop_producer(self) -> None:
        with self._lock:
            producer, self.producer = self.producer, None
        if producer is not None:
            try:
                producer.close(timeout=1)
            except Exception:  # noqa: BLE001 - already broken
                pass

    def _new_consumer(self):
        self._ensure_topic()
        consumer = kafka.KafkaConsumer(
            bootstrap_servers=self.kafka_urls, group_id=None, enable_auto_commit=False,
            auto_offset_reset="latest", fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        try:
            partitions = consumer.partitions_for_topic(self.channel) or {0}
            assigned = [TopicPartition(self.channel, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            for tp in assigned:
                consumer.position(tp)  # resolves "latest" now, so nothing emitted after this is missed
        except Exception:
            consumer.close()
            raise
        return consumer

    # -- PubSubManager hooks --------------------------------------------
    def _publish(self, data):
        payload = self.json.dumps(data)
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        for attempt in (1, 2):
            reused = self.producer is not None
            try:
                producer = self._get_producer()
                future = producer.send(self.channel, value=payload)
                producer.flush(timeout=PUBLISH_TIMEOUT_S)
                future.get(timeout=PUBLISH_TIMEOUT_S)  # done after the flush: raises if delivery failed
                return
            except Exception as exc:  # noqa: BLE001 - like RedisManager: log, maybe retry once, give up
                self._drop_producer()
                # Only a producer that had worked earlier is worth one more try (stale connection);
                # a broker that cannot be reached now would just double the wait of the emitting code.
                retry = attempt == 1 and reused
                self._get_logger().error("Cannot publish to kafka (%s)%s", exc,
                                         "... retrying" if retry else "... giving up")
                if not retry:
                    return

    def _kafka_listen(self) -> Iterator:
        retry_sleep = 1.0
        while not self._closed.is_set():
            consumer = None
            try:
                consumer = self._new_consumer()
                self.consumer = consumer
                self.listening.set()
                retry_sleep = 1.0
                while not self._closed.is_set():
                    for records in consumer.poll(timeout_ms=1000).values():
                        yield from records
            except Exception as exc:  # noqa: BLE001 - reconnect with back-off
                self.listening.clear()
                self._get_logger().error("Cannot receive from kafka (%s); retrying in %.0f s", exc, retry_sleep)
                self._closed.wait(retry_sleep)
                retry_sleep = min(retry_sleep * 2, RETRY_MAX_S)
            finally:
                if consumer is not None:
                    self.consumer = None
                    try:
                        consumer.close()
                    except Exception:  # noqa: BLE001
                        pass

    def _listen(self):
        for message in self._kafka_listen():
            if message.topic == self.channel and message.value is not None:
                yield message.value.decode("utf-8", errors="replace")

    # -- shutdown ---------------------------------------------------------
    def close(self, timeout: float = 5.0) -> None:
        """Stops the listener (within about a second) and closes the producer. For tests and shutdown."""
        self._closed.set()
        self.listening.clear()
        self._drop_producer()
        thread = getattr(self, "thread", None)
        if thread is not None and hasattr(thread, "join"):
            try:
                thread.join(timeout)
            except TypeError:  # eventlet's thread wrapper has join() without a timeout
                thread.join()   # the listener's poll returns within a second


def make_client_manager(url: str, write_only: bool = False, *, channel: str = CHANNEL) -> PubSubManager:
    """The Socket.IO client manager for SOCKETIO_MESSAGE_QUEUE: redis://, rediss:// or kafka://."""
    scheme = (url or "").split("://", 1)[0].lower() if "://" in (url or "") else ""
    if scheme == "kafka":
        return FixedKafkaManager(url, channel=channel, write_only=write_only)
    if scheme in ("redis", "rediss"):
        return socketio.RedisManager(url, channel=channel, write_only=write_only)
    raise ValueError("SOCKETIO_MESSAGE_QUEUE must be a redis:// or kafka:// URL")
