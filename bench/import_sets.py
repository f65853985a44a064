"""Importing a 50-challenge problem set on SQLite and PostgreSQL: total time and the longest app-database transaction.

Usage: pipenv run python bench/import_sets.py [--challenges 50] [--admin-url URL] [--quick]

The app runs in this process (create_app with a scratch instance folder; SQLite app database,
or the scratch PostgreSQL database `sqlarena_bench_import`). SQLAlchemy's engine events time
every app-database transaction (BEGIN → COMMIT/ROLLBACK) while `problem_sets.import_set`
runs. Baseline in the same run: the naive import that creates the challenges one by one in a
single open transaction (validation inside it), which is what holding the database across
minutes of validation looks like.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench.analytics import recreate_database  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "sqlarena_bench_import"


def problem_set(count: int, engine: str, salt: int = 0) -> dict:
    """`count` distinct challenges of realistic size: a 3-table schema, 200 rows per case, 2 cases each."""
    init = ("CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT, city TEXT);"
            "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT, year INTEGER);"
            "CREATE TABLE loans (member_id INTEGER, book_id INTEGER, days INTEGER);")
    challenges = []
    for n in range(count):
        def data(seed: int) -> str:
            members = ", ".join(f"({i}, 'm{i}', 'c{(i * seed) % 7}')" for i in range(1, 41))
            books = ", ".join(f"({i}, 't{i}', {1950 + (i * seed) % 70})" for i in range(1, 61))
            loans = ", ".join(f"({1 + (i * seed) % 40}, {1 + (i * 3) % 60}, {(i * seed + n + salt) % 30})"
                              for i in range(100))
            return (f"INSERT INTO members VALUES {members}; INSERT INTO books VALUES {books}; "
                    f"INSERT INTO loans VALUES {loans};")
        challenges.append({
            "name": f"Bench {salt}-{n}", "description": "Members and their longest loan.", "type": "FE",
            "engine": engine, "init": init, "time_limit_ms": 2000,
            "solution": f"SELECT m.name, max(l.days) AS longest FROM members m JOIN loans l ON l.member_id = m.id "
                        f"WHERE l.days > {n % 10} GROUP BY m.name ORDER BY m.name",
            "test_cases": [{"data": data(3), "is_visible": True}, {"data": data(5 + n), "is_visible": False}],
        })
    return {"format": "sqlarena-problem-set/1", "name": "bench", "challenges": challenges}


class TransactionClock:
    """Times every app-database transaction (connection-level begin → commit/rollback)."""

    def __init__(self, engine):
        self.durations: list[float] = []
        self._started: dict[int, float] = {}
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _begin(self, conn) -> None:
        self._started[id(conn.connection)] = time.perf_counter()

    def _end(self, conn) -> None:
        started = self._started.pop(id(conn.connection), None)
        if started is not None:
            self.durations.append(time.perf_counter() - started)

    def reset(self) -> None:
        self.durations.clear()
        self._started.clear()


def measure(app_db_url: str, sandbox_url: str, engine: str, count: int) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Challenge
    from app.services import challenges as challenge_service
    from app.services import problem_sets, users

    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": app_db_url or
                          f"sqlite:///{instance}/bench.db", "SANDBOX_DATABASE_URL": sandbox_url,
                          "SEED_DEMO": False, "KAFKA_BOOTSTRAP_SERVERS": "", "SOCKETIO_MESSAGE_QUEUE": "",
                          "JUDGE_TIMING_RUNS": 1, "LOG_LEVEL": "WARNING"})
        with app.app_context():
            upgrade()
            author = users.create_user("bench@import.test", "Bench", "pw-bench-1", "instructor")
            clock = TransactionClock(db.engine)
            document = problem_set(count, engine)

            # Warm the sandbox (template, roles) so neither run pays the one-time set-up; both then load
            # datasets of their own (different content), so they pay the same engine costs.
            challenge_service.validate_on_engine(challenge_service.build_challenge(
                author, problem_set(1, engine, salt=2)["challenges"][0]))
            clock.reset()
            started = time.perf_counter()
            report = problem_sets.import_set(author, document)
            ours = time.perf_counter() - started, max(clock.durations), len(report.created)

            db.session.execute(db.delete(Challenge))
            db.session.commit()
            clock.reset()
            started = time.perf_counter()
            for body in problem_set(count, engine, salt=1)["challenges"]:   # naive: one transaction around it all
                challenge = challenge_service.build_challenge(author, body)
                db.session.add(challenge)
                db.session.flush()
                challenge_service.validate_on_engine(challenge)
            db.session.commit()
            naive = time.perf_counter() - started, max(clock.durations)
            db.session.remove()
            db.engine.dispose()
    return {"engine": engine, "count": ours[2], "total_s": ours[0], "longest_txn_s": ours[1],
            "naive_total_s": naive[0], "naive_longest_txn_s": naive[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--challenges", type=int, default=50)
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL superuser URL (sandbox and scratch app DB)")
    parser.add_argument("--quick", action="store_true", help="10 challenges")
    args = parser.parse_args()
    count = 10 if args.quick else args.challenges
    rows = [("SQLite app DB, sqlite engine", measure("", args.admin_url, "sqlite", count)),
            ("PostgreSQL app DB, postgresql engine", measure(recreate_database(args.admin_url, DB_NAME), args.admin_url,
                                                             "postgresql", count))]
    print(f"\nImporting a {count}-challenge problem set (2 test cases each, 200 rows per case)\n")
    print("| setup | imported | total | longest app-DB transaction | naive: longest transaction | naive / ours |")
    print("|---|---|---|---|---|---|")
    for label, r in rows:
        print(f"| {label} | {r['count']} | {r['total_s']:.2f} s | {r['longest_txn_s'] * 1000:.1f} ms | "
              f"{r['naive_longest_txn_s']:.2f} s | {r['naive_longest_txn_s'] / r['longest_txn_s']:.0f}× |")


if __name__ == "__main__":
    main()
