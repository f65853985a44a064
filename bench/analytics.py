"""Instructor routes' response times with 1,000,000 attempts in PostgreSQL.

Usage: pipenv run python bench/analytics.py [--attempts 1000000] [--admin-url URL]
Creates a scratch database `sqlarena_bench_analytics` (dropped first if it exists), fills it
with synthetic attempts and attempt cases in SQL (a 1,000-player room among them), then times
analytics (all time, windows of whole days and of cut days), similar attempts, the students'-work
lists and the room's CSV gradebook through the Flask test client. Baseline, measured in the same
run: loading the challenge's attempts into Python and aggregating there.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg2  # noqa: E402
from sqlalchemy import text  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "sqlarena_bench_analytics"
ROOM_ID = 1
ROOM_PLAYERS = 1000


def recreate_database(admin_url: str, name: str = DB_NAME) -> str:
    """A fresh scratch database on the admin URL's server; returns its URL."""
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {name}")
    conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def fill(db, attempts: int, users: int, challenges: int) -> None:
    """Synthetic but realistic data: verdict mix, times, fingerprints shared by a few users."""
    statements = [
        f"INSERT INTO users (id, email, full_name, password_hash, role, created_at) "
        f"SELECT g, 'u' || g || '@b.test', 'User ' || g, 'x', CASE WHEN g = 1 THEN 'admin' ELSE 'player' END, now() "
        f"FROM generate_series(1, {users}) g",
        f"INSERT INTO challenges (id, created_user_id, name, description, type, engine, init, solution, time_limit_ms, "
        f"check_column_names, version, created_at, updated_at) SELECT g, 1, 'C' || g, '', 'FE', 'sqlite', '', '', 2000, "
        f"true, 'v', now(), now() FROM generate_series(1, {challenges}) g",
        f"INSERT INTO test_cases (id, challenge_id, data, is_visible, created_at) "
        f"SELECT g, (g - 1) / 2 + 1, '', g % 2 = 1, now() FROM generate_series(1, {challenges * 2}) g",
        f"INSERT INTO attempts (id, user_id, challenge_id, query, status, verdict, score, passed, total, execution_ms, "
        f"challenge_version, fingerprint, created_at, dispatch_count) "
        f"SELECT g, 1 + (g::bigint * 7919) % {users}, 1 + g % {challenges}, 'SELECT 1', 'COMPLETED', "
        f"(ARRAY['ACCEPTED','ACCEPTED','WRONG_ANSWER','RUNTIME_ERROR','TIME_LIMIT_EXCEEDED'])[1 + g % 5], "
        f"CASE WHEN g % 5 < 2 THEN 100 ELSE 50 END, 1, 2, (g % 1000) / 10.0, 'v', "
        f"CASE WHEN g % 5 < 2 THEN md5(((g / 7) % 5000)::text) END, now() - (g || ' seconds')::interval, 1 "
        f"FROM generate_series(1, {attempts}) g",
        "INSERT INTO attempt_cases (attempt_id, test_case_id, is_visible, status, verdict, score, execution_ms, created_at) "
        f"SELECT a.id, (a.challenge_id - 1) * 2 + k, k = 1, 'COMPLETED', "
        f"CASE WHEN a.verdict = 'ACCEPTED' OR k = 2 THEN 'ACCEPTED' ELSE a.verdict END, 0, 1, now() "
        f"FROM attempts a CROSS JOIN generate_series(1, 2) k",
        # A finished 1,000-player room (users 2..1001) over the first 20 challenges, holding their attempts.
        f"INSERT INTO rooms (id, code, name, host_user_id, host_plays, state, max_players, duration_s, freeze_last_s, "
        f"late_join_s, wrong_penalty, hint_penalty, challenge_ids_json, seq, created_at, starts_at, ends_at, "
        f"finished_at) VALUES ({ROOM_ID}, 'BENCHROOM', 'Bench room', 1, false, 'FINISHED', 1000, 86400, 0, 0, 0, 0, "
        f"'[' || (SELECT string_agg(g::text, ',') FROM generate_series(1, 20) g) || ']', 0, now() - interval '40 days', "
        f"now() - interval '30 days', now(), now())",
        f"INSERT INTO room_challenges (room_id, challenge_id) SELECT {ROOM_ID}, g FROM generate_series(1, 20) g",
        f"INSERT INTO room_players (room_id, user_id, is_spectator, ready, connected, forfeited, invited, joined_at) "
        f"SELECT {ROOM_ID}, g, false, true, false, false, false, now() - interval '31 days' "
        f"FROM generate_series(2, {ROOM_PLAYERS + 1}) g",
        f"UPDATE attempts SET room_id = {ROOM_ID} WHERE user_id BETWEEN 2 AND {ROOM_PLAYERS + 1} AND challenge_id <= 20",
    ]
    for sql in statements:
        db.session.execute(text(sql))
        db.session.commit()
    # What autovacuum does in production: statistics and the visibility map for index-only scans.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def timed(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--challenges", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    args = parser.parse_args()

    url = recreate_database(args.admin_url)
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                      "JWT_SECRET_KEY": "bench-secret-key-0123456789abcdef", "KAFKA_BOOTSTRAP_SERVERS": "",
                      "SANDBOX_DATABASE_URL": "", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        fill(db, args.attempts, args.users, args.challenges)
        print(f"filled {args.attempts:,} attempts in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        # The running totals the app keeps as attempts land, computed once for the synthetic rows.
        from app.models import Challenge
        from app.services import challenge_stats
        for challenge in db.session.execute(db.select(Challenge)).scalars().all():
            challenge_stats.rebuild(challenge.id, [tc.id for tc in challenge.test_cases])
        db.session.commit()
    from flask_jwt_extended import create_access_token

    from app.services import sessions
    with app.app_context():
        token = create_access_token(identity="1", additional_claims={sessions.SESSION_CLAIM: sessions.start(1)})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def get(path: str) -> None:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        response.get_data()   # a streamed body (CSV) is read to its end

    with app.app_context():
        room_attempts = db.session.execute(text(f"SELECT count(*) FROM attempts WHERE room_id = {ROOM_ID}")).scalar()
    cut = (datetime.now(timezone.utc) - timedelta(days=3, hours=7, minutes=13)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def python_baseline() -> None:
        with app.app_context():
            rows = db.session.execute(text(
                "SELECT user_id, verdict, execution_ms FROM attempts WHERE challenge_id = 1")).all()
            users = {r[0] for r in rows}
            accepted = {r[0] for r in rows if r[1] == "ACCEPTED"}
            statistics.median(r[2] for r in rows)
            assert len(users) >= len(accepted)

    def scan_baseline() -> None:
        """What a windowed request did before the per-day rollups: aggregate every attempt in it."""
        from app.services import analytics
        with app.app_context():
            ids = list(range(1, args.challenges + 1))
            window = analytics.Window(datetime(2000, 1, 1), None).attempt_rows()
            analytics.scan_totals(ids, window), analytics.scan_verdict_counts(ids, window)
            analytics._median_execution_ms(ids, window)
            analytics.scan_case_counts(list(range(1, 2 * args.challenges + 1)), ids, window)
            db.session.remove()

    rows = [
        ("analytics, one challenge (~20,000 attempts)", timed(lambda: get("/api/admin/analytics?challenge_id=1"), args.repeats)),
        ("analytics, all 50 challenges (1M attempts)", timed(lambda: get("/api/admin/analytics"), args.repeats)),
        ("analytics, one challenge, a window of whole days (from the per-day rollups)",
         timed(lambda: get("/api/admin/analytics?challenge_id=1&start=2000-01-01T00:00:00Z"), args.repeats)),
        ("analytics, all 50 challenges, a window of whole days (from the per-day rollups)",
         timed(lambda: get("/api/admin/analytics?start=2000-01-01T00:00:00Z"), args.repeats)),
        ("analytics, all 50 challenges, a window cutting two days (from 3 days 7 h ago)",
         timed(lambda: get(f"/api/admin/analytics?start={cut}&end=2999-01-01T12:00:00Z"), args.repeats)),
        ("similar-attempts, one challenge", timed(lambda: get("/api/admin/similar-attempts?challenge_id=1"), args.repeats)),
        ("baseline: one challenge aggregated in Python", timed(python_baseline, args.repeats)),
        ("baseline: all 50 challenges, a whole-day window aggregated over the attempts (before the rollups)",
         timed(scan_baseline, 1)),
        ("students' work: a challenge's attempts, first page (~20,000 attempts)",
         timed(lambda: get("/api/challenges/1/attempts?size=50"), args.repeats)),
        (f"students' work: the 1,000-player room's attempts, first page ({room_attempts:,} attempts)",
         timed(lambda: get(f"/api/rooms/{ROOM_ID}/attempts?size=50"), args.repeats)),
        ("gradebook: the 1,000-player room's CSV, streamed to its end",
         timed(lambda: get(f"/api/rooms/{ROOM_ID}/results?format=csv"), 3)),
    ]
    print(f"\n{args.attempts:,} attempts, {args.users:,} users, {args.challenges} challenges (PostgreSQL)\n")
    print("| measurement | median ms | p90 ms |")
    print("|---|---|---|")
    for name, times in rows:
        times.sort()
        print(f"| {name} | {statistics.median(times):.1f} | {times[int(0.9 * (len(times) - 1))]:.1f} |")
    baseline = statistics.median(rows[6][1])
    print(f"\nper-challenge analytics vs the Python baseline: {baseline / statistics.median(rows[0][1]):.1f}x faster")
    print(f"all challenges, a whole-day window: rollups vs aggregating the attempts: "
          f"{statistics.median(rows[7][1]) / statistics.median(rows[3][1]):.1f}x faster")


if __name__ == "__main__":
    main()
