"""CPU time the server spends ON THE EVENT LOOP per request: register, login, submit (SPEC 9.7).

Usage:
    .venv/bin/python bench/eventloop.py              # ~1 min: 40 of each request
    .venv/bin/python bench/eventloop.py --requests 100

Method. The real server (run.py: eventlet, the default scrypt hash, SQLite app database, in-process judge)
runs in a child process started as `bench/eventloop.py --serve`, which installs a probe and then runs run.py
unchanged (runpy). The probe:
- `greenlet.settrace` on the hub's OS thread: at every greenlet switch, the CPU time of that thread
  (`time.thread_time()`) and the wall time since the previous switch are charged to the greenlet that
  was running. Work sent to OS threads (`run_blocking` → eventlet.tpool: password hashes, big JSON
  bodies, fingerprints) runs on other threads and is not charged; work done on the loop is, wherever
  it happens (routes, SQLAlchemy, JSON, Socket.IO, the recorder).
- a WSGI wrapper around the app (through `eventlet.wsgi.server`) that reads the running greenlet's
  charge when a request starts and when its response is built: the difference is that request's time
  on the loop (CPU, and wall time during which no other greenlet could run), excluding the time the
  request spent waiting (database I/O, tpool) while others ran.
- `GET /__eventloop_probe` returns the samples, the hub thread's total CPU and the longest single
  uninterrupted run of any greenlet (the worst stall every other client saw).
Calibration: `/__eventloop_probe/burn` spins 20 ms of CPU on the loop; its row should read ~20 ms.

Requests are sent one at a time (the figure is per request, not a load test), each on a fresh
connection. "background per attempt" is the loop CPU of everything but the request greenlets during
the submit phase (the judge's completions recorded, live events, the hub itself), divided by the
number of attempts. Absolute numbers depend on the machine; what matters is that no row is anywhere
near a password hash (~170 ms of CPU).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROBE_PATH = "/__eventloop_probe"
LABEL_HEADER = "HTTP_X_BENCH_LABEL"
BURN_S = 0.020


# --------------------------------------------------------------------------- inside the server
class LoopAccounting:
    """Per greenlet: CPU and wall seconds it ran on the hub thread (charged at every switch)."""

    def __init__(self):
        self.cpu = defaultdict(float)
        self.wall = defaultdict(float)
        self.last_cpu = time.thread_time()
        self.last_wall = time.perf_counter()
        self.labels = {}                  # request greenlet -> its request's label, while it runs
        self.reset_longest()

    def reset_longest(self) -> None:
        self.longest_run_s, self.longest_run_by = 0.0, ""
        self.longest_cpu_s, self.longest_cpu_by = 0.0, ""

    def on_switch(self, event: str, args) -> None:
        if event not in ("switch", "throw"):
            return
        origin = args[0]
        cpu_now, wall_now = time.thread_time(), time.perf_counter()
        cpu_s, run_s = cpu_now - self.last_cpu, wall_now - self.last_wall
        self.cpu[origin] += cpu_s
        self.wall[origin] += run_s
        if origin is not self.hub_greenlet():
            who = self.labels.get(origin, "a background greenlet (recorder, Socket.IO, clocks)")
            if run_s > self.longest_run_s:
                self.longest_run_s, self.longest_run_by = run_s, who
            if cpu_s > self.longest_cpu_s:
                self.longest_cpu_s, self.longest_cpu_by = cpu_s, who
        self.last_cpu, self.last_wall = cpu_now, wall_now

    @staticmethod
    def hub_greenlet():
        from eventlet.hubs import get_hub
        return get_hub().greenlet

    def charge_of(self, current) -> tuple[float, float]:
        """What `current` (running now) has been charged so far, its current run included."""
        return (self.cpu[current] + time.thread_time() - self.last_cpu,
                self.wall[current] + time.perf_counter() - self.last_wall)


class ProbeMiddleware:
    def __init__(self, app, accounting: LoopAccounting):
        self.app, self.accounting = app, accounting
        self.samples: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == PROBE_PATH + "/burn":
            return self._measured(environ, start_response, self._burn)
        if path == PROBE_PATH:
            return self._json(start_response, self.report())
        return self._measured(environ, start_response, self.app)

    def _measured(self, environ, start_response, app):
        import greenlet
        me = greenlet.getcurrent()
        label = environ.get(LABEL_HEADER) or f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        self.accounting.labels[me] = label
        cpu0, wall0 = self.accounting.charge_of(me)
        try:
            body = list(app(environ, start_response))   # Flask builds the whole response here
        finally:
            cpu1, wall1 = self.accounting.charge_of(me)
            self.accounting.labels.pop(me, None)
        self.samples[label].append((cpu1 - cpu0, wall1 - wall0))
        return body

    def _burn(self, _environ, start_response):
        deadline = time.thread_time() + BURN_S
        while time.thread_time() < deadline:
            pass
        return self._json(start_response, {"burned_s": BURN_S})

    def report(self) -> dict:
        a = self.accounting
        return {"hub_thread_cpu_s": time.thread_time(), "samples": dict(self.samples),
                "longest_run_s": a.longest_run_s, "longest_run_by": a.longest_run_by,
                "longest_cpu_s": a.longest_cpu_s, "longest_cpu_by": a.longest_cpu_by}

    @staticmethod
    def _json(start_response, data: dict):
        body = json.dumps(data).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def serve_with_probe() -> None:
    """Runs run.py unchanged, with the probe installed on the hub thread and around the WSGI app."""
    import eventlet
    eventlet.monkey_patch()
    import runpy

    import eventlet.wsgi
    import greenlet
    accounting = LoopAccounting()
    greenlet.settrace(accounting.on_switch)
    original_server = eventlet.wsgi.server

    def server(listener, app, *args, **kwargs):
        accounting.reset_longest()   # start-up (migrations, demo data) ran before any client came
        return original_server(listener, ProbeMiddleware(app, accounting), *args, **kwargs)
    eventlet.wsgi.server = server
    runpy.run_path(str(ROOT / "run.py"), run_name="__main__")


# --------------------------------------------------------------------------- the bench
def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def start_server(instance: Path):
    from tests.live_server import free_port, wait_healthy
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "INSTANCE_PATH": str(instance),
           "SEED_DEMO": "false", "LOG_LEVEL": "WARNING", "JUDGE_TIMING_RUNS": "1",
           "RATE_LIMIT_ATTEMPTS": "100000 per minute", "SUBMISSION_QUOTA_PER_DAY": "100000",
           "LOGIN_FAILURES_PER_ACCOUNT": "100000 per minute", "LOGIN_FAILURES_PER_ADDRESS": "100000 per minute"}
    log_path = instance / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process, log_path)
    return process, base


def run(base: str, count: int) -> tuple[dict, dict]:
    import requests

    from tests.sockets.conftest import CORRECT, THREE_CASES

    def post(label: str, path: str, token: str | None = None, **kwargs):
        headers = {"X-Bench-Label": label, "Connection": "close"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.post(f"{base}{path}", headers=headers, timeout=60, **kwargs)

    def probe() -> dict:
        return requests.get(f"{base}{PROBE_PATH}", timeout=10).json()

    for _ in range(5):
        requests.get(f"{base}{PROBE_PATH}/burn", headers={"X-Bench-Label": "calibration: 20 ms burn"}, timeout=10)
    users = []
    for i in range(count):
        email = f"bench{i}@arena.test"
        assert post("POST /api/register", "/api/register", json={"email": email, "full_name": f"Bench {i}",
                                                                  "password": "pw-secret-1"}).status_code == 201
        users.append(email)
    tokens = []
    for email in users:
        response = post("POST /api/login", "/api/login", json={"email": email, "password": "pw-secret-1"})
        assert response.status_code == 200, response.text
        tokens.append(response.json()["data"]["access_token"])
    for email in users:
        assert post("POST /api/login (wrong password)", "/api/login",
                    json={"email": email, "password": "wrong"}).status_code == 401
    for i in range(count):
        assert post("POST /api/login (unknown e-mail)", "/api/login",
                    json={"email": f"nobody{i}@arena.test", "password": "wrong"}).status_code == 401
    challenge = post("setup", "/api/challenges", tokens[0], json=THREE_CASES).json()["data"]
    before = probe()
    attempt_ids = []
    for token in tokens:
        response = post("POST /api/attempts", "/api/attempts", token,
                        json={"challenge_id": challenge["id"], "query": CORRECT})
        assert response.status_code == 202, response.text
        attempt_ids.append(response.json()["data"]["id"])
    deadline = time.monotonic() + 120
    last = attempt_ids[-1]
    while time.monotonic() < deadline:
        status = requests.get(f"{base}/api/attempts/{last}", headers={"Authorization": f"Bearer {tokens[-1]}"},
                              timeout=10).json()["data"]["status"]
        if status in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.2)
    time.sleep(1.0)   # the last completions' live events
    return before, probe()


def background_per_attempt(before: dict, after: dict, count: int) -> float:
    """Loop CPU between the two probes not charged to any request (attempts, polling), per attempt."""
    hub_cpu = after["hub_thread_cpu_s"] - before["hub_thread_cpu_s"]
    request_cpu = sum(cpu for label, values in after["samples"].items()
                      for cpu, _wall in values[len(before["samples"].get(label, [])):])
    return (hub_cpu - request_cpu) / count


def print_table(report: dict, background_s: float, count: int) -> None:
    rows = [(label, values) for label, values in report["samples"].items()
            if label.startswith(("POST /api/register", "POST /api/login", "POST /api/attempts", "calibration"))]
    print(f"\nTime on the event loop per request ({count} each, sequential, fresh connection per request)\n")
    print(f"| request | n | CPU p50 ms | CPU p99 ms | CPU max ms | loop wall p99 ms |")
    print(f"|---|---:|---:|---:|---:|---:|")
    for label, values in sorted(rows):
        cpu = [c * 1000 for c, _w in values]
        wall = [w * 1000 for _c, w in values]
        print(f"| {label} | {len(values)} | {pct(cpu, 50):.2f} | {pct(cpu, 99):.2f} | {max(cpu):.2f} "
              f"| {pct(wall, 99):.2f} |")
    print(f"\nbackground on the loop per attempt (recorder, live events, hub): {background_s * 1000:.2f} ms CPU")
    print(f"longest uninterrupted run of one greenlet: {report['longest_cpu_s'] * 1000:.1f} ms CPU "
          f"({report['longest_cpu_by']}); {report['longest_run_s'] * 1000:.1f} ms wall ({report['longest_run_by']}; "
          f"wall beyond CPU is the OS or the GIL giving the hub thread no time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="requests of each kind (default 40)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="also print the raw samples as JSON")
    args = parser.parse_args()
    if args.serve:
        serve_with_probe()
        return
    with tempfile.TemporaryDirectory(prefix="bench-eventloop-") as tmp:
        process, base = start_server(Path(tmp))
        try:
            before, after = run(base, args.requests)
        finally:
            from tests.broker import stop_process
            stop_process(process)
    print_table(after, background_per_attempt(before, after, args.requests), args.requests)
    if args.json:
        print(json.dumps(after))


if __name__ == "__main__":
    main()
