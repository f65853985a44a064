"""Runs the real server (`python run.py`, eventlet) in a subprocess for end-to-end tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.broker import stop_process

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(instance_path: Path, **env_overrides: str):
    """Starts run.py on a free port; yields its base URL; stops it afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1", "PORT": str(port), "INSTANCE_PATH": str(instance_path),
        "SEED_DEMO": "false", "ROOM_COUNTDOWN_S": "1", "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_ATTEMPTS": "1000 per minute", "SUBMISSION_QUOTA_PER_DAY": "10000",
        "JUDGE_TIMING_RUNS": "1",
    }
    env.update(env_overrides)
    log_path = instance_path / f"server-{port}.log"
    instance_path.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log_path)
        yield base
    finally:
        stop_process(process)


def wait_healthy(base: str, process: subprocess.Popen, log_path: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-4000:]}")
        try:
            if requests.get(f"{base}/api/health", timeout=1).status_code in (200, 503):
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy in {timeout_s} s:\n{log_path.read_text()[-4000:]}")


class ApiClient:
    """A tiny REST client for end-to-end tests: register, login, call with the token."""

    def __init__(self, base: str):
        self.base = base
        self.token = None
        self.user = None

    def call(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return requests.request(method, f"{self.base}/api{path}", headers=headers, timeout=30, **kwargs)

    def signup(self, email: str, full_name: str, password: str = "pw-secret-1") -> "ApiClient":
        response = self.call("POST", "/register", json={"email": email, "full_name": full_name, "password": password})
        assert response.status_code == 201, response.text
        return self.login(email, password)

    def login(self, email: str, password: str) -> "ApiClient":
        response = self.call("POST", "/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        self.token, self.user = data["access_token"], data["user"]
        return self


def kafka_env(bootstrap: str) -> dict:
    """Environment for processes that judge through Kafka: own topics and groups, test-broker timeouts."""
    import uuid
    from tests.services_env import PG_ADMIN_URL
    suffix = uuid.uuid4().hex[:8]
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_SESSION_TIMEOUT_MS": "6000",
        "KAFKA_HEARTBEAT_INTERVAL_MS": "2000", "KAFKA_FETCH_MAX_WAIT_MS": "20",
        "KAFKA_CONSUMER_GROUP_ID": f"e2e-judge-{suffix}", "KAFKA_RECORDER_GROUP_ID": f"e2e-recorder-{suffix}",
        "KAFKA_JOB_INIT_TOPIC": f"e2e.job-init.{suffix}", "KAFKA_JOB_COMPLETION_TOPIC": f"e2e.job-completion.{suffix}",
        "KAFKA_JOB_PARTITIONS": "8", "JUDGE_IN_PROCESS": "false", "SANDBOX_DATABASE_URL": PG_ADMIN_URL,
        "JUDGE_TIMING_RUNS": "1",
    }


class WorkerPool:
    """Starts `flask judge-worker` processes (plain threads, no eventlet) and stops them all at the end."""

    def __init__(self, log_dir: Path, env: dict):
        self.log_dir, self.env = log_dir, env
        self.processes: list[subprocess.Popen] = []

    def start(self, threads: int = 1, *extra: str) -> tuple[subprocess.Popen, Path]:
        log_path = self.log_dir / f"worker-{len(self.processes)}.log"
        env = {**os.environ, "LOG_LEVEL": "INFO", **self.env}
        with open(log_path, "w") as log:
            proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app:create_app", "judge-worker",
                                     "--threads", str(threads), *extra], cwd=ROOT, env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(proc)
        return proc, log_path

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
