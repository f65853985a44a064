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
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


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
