"""The deterministic cost (SPEC 9.5) on both engines: repeatable, the same in every engine instance,
ordered like the work, bounded by the time limit."""
from __future__ import annotations

import pytest

from app.judge.engines import sqlite as sqlite_module
from app.judge.engines.postgres import PostgresEngine
from app.judge.engines.postgres.execution import plan_cost
from app.judge.engines.sqlite import SqliteEngine
from app.judge.events import TestCaseSpec
from app.judge.settings import JudgeSettings
from app.judge.verdicts import TIME_LIMIT_EXCEEDED
from app.models import AttemptCase
from app.services.recorder import attempt_cost
from tests.judge.test_kafka_e2e import batch_on_two_workers, judged, judged_ids, kafka_site  # noqa: F401 (fixture)
from tests.services_env import PG_ADMIN_URL, unavailable

INIT = "CREATE TABLE t (id integer PRIMARY KEY, g integer NOT NULL, v integer NOT NULL);"
DATA = ("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 5000) "
        "INSERT INTO t SELECT x, x % 50, (x * 7) % 1000 FROM s;")
CASE = TestCaseSpec(id=1, data=DATA)
# Clearly increasing work on the same data, cheapest first.
LADDER = [
    "SELECT v FROM t WHERE id = 42",
    "SELECT g, v FROM t WHERE id BETWEEN 1 AND 200",
    "SELECT g, sum(v) FROM t GROUP BY g",
    "SELECT count(*) FROM t AS a JOIN t AS b ON b.g = a.g WHERE a.id <= 800",
    "SELECT count(*) FROM t AS a JOIN t AS b ON b.g = a.g WHERE a.id <= 3000",
]
SAME = "SELECT g, sum(v) AS total FROM t WHERE v > 100 GROUP BY g ORDER BY total DESC"


def sqlite_engine():
    return SqliteEngine(JudgeSettings())


@pytest.fixture(scope="module")
def pg_pair():
    """Two PostgreSQL engines for the whole module (each new engine re-runs the cluster's role setup)."""
    engines = []
    for _ in range(2):
        engine = PostgresEngine(PG_ADMIN_URL, JudgeSettings())
        engines.append(engine)
        problem = engine.health()
        if problem:
            unavailable(f"PostgreSQL sandbox: {problem}")
    yield engines
    for engine in engines:
        engine.close()


@pytest.fixture
def pg_factory(pg_pair):
    """Hands out the pair's engines in turn: two calls in one test give two separate instances."""
    handed = iter(pg_pair * 3)
    return lambda: next(handed)


@pytest.fixture(params=["sqlite", "postgresql"])
def make_engine(request, pg_factory):
    return sqlite_engine if request.param == "sqlite" else pg_factory


def run(engine, query, time_limit_ms=5000, timing_runs=3):
    outcome = engine.execute("v-cost", INIT, CASE, query, time_limit_ms, 10000, timing_runs)
    assert outcome.verdict is None, outcome.error
    return outcome


def test_same_query_costs_the_same_every_time_and_in_every_engine_instance(make_engine):
    first, second = make_engine(), make_engine()     # stand-ins for two worker processes
    costs = [run(first, SAME).cost for _ in range(5)] + [run(second, SAME).cost for _ in range(5)]
    assert costs[0] > 0 and isinstance(costs[0], int)
    assert costs == [costs[0]] * 10


def test_cost_orders_clearly_different_work(make_engine):
    engine = make_engine()
    costs = [run(engine, query, timing_runs=1).cost for query in LADDER]
    assert costs == sorted(costs) and len(set(costs)) == len(costs), costs


def test_sqlite_counting_past_its_bound_is_time_limit_exceeded(monkeypatch):
    engine = sqlite_engine()
    heavy = "SELECT count(*) FROM t AS a JOIN t AS b ON b.g = a.g"   # about 500,000 joined rows
    assert run(engine, heavy, time_limit_ms=20000, timing_runs=1).cost > 0
    monkeypatch.setattr(sqlite_module, "COST_TIME_FACTOR", 1e-6)     # the count may take 20 µs
    outcome = engine.execute("v-cost", INIT, CASE, heavy, 20000, 10000, 1)
    assert outcome.verdict == TIME_LIMIT_EXCEEDED and outcome.result is None and outcome.cost is None
    assert "counting" in outcome.error


def test_failed_run_has_no_cost(make_engine):
    engine = make_engine()
    runaway = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) FROM r"
    outcome = engine.execute("v-cost", INIT, CASE, runaway, 200, 10000, 1)
    assert outcome.verdict == TIME_LIMIT_EXCEEDED and outcome.cost is None


def test_plan_cost_takes_buffers_from_the_top_and_rows_from_every_node():
    plan = {"Plan": {
        "Node Type": "Nested Loop", "Actual Rows": 6, "Actual Loops": 1,
        "Shared Hit Blocks": 7, "Shared Read Blocks": 3, "Temp Read Blocks": 0, "Temp Written Blocks": 0,
        "Plans": [
            {"Node Type": "Seq Scan", "Actual Rows": 3, "Actual Loops": 1, "Shared Hit Blocks": 5},
            {"Node Type": "Index Scan", "Actual Rows": 2.0, "Actual Loops": 3, "Shared Hit Blocks": 5},
            {"Node Type": "Seq Scan", "Actual Rows": 0, "Actual Loops": 0},          # never executed
        ],
    }}
    assert plan_cost(plan) == (7 + 3) + (6 + 3 + 2 * 3)


def test_attempt_cost_is_the_sum_unless_a_case_has_none():
    assert attempt_cost([AttemptCase(cost=3), AttemptCase(cost=4)]) == 7
    assert attempt_cost([AttemptCase(cost=3), AttemptCase(cost=None)]) is None
    assert attempt_cost([]) is None


def test_sqlite_counts_small_queries_exactly():
    engine = sqlite_engine()
    one = run(engine, "SELECT v FROM t WHERE id = 42", timing_runs=1).cost
    two = run(engine, "SELECT v, g FROM t WHERE id = 42", timing_runs=1).cost
    assert 0 < one < two < sqlite_module.EXACT_STEPS      # one more column read is one more step


def test_two_judge_worker_processes_count_the_same_cost(kafka_site):
    """Through Kafka: the same query judged by two `flask judge-worker` processes costs the same."""
    [(_, log_a), (_, log_b)], _, _, owned = batch_on_two_workers(kafka_site, 12)
    results = [judged(player, attempt_id, timeout_s=90) for player, attempt_id in owned]
    assert judged_ids(log_a) and judged_ids(log_b)          # both processes judged some of them
    assert all(r["verdict"] == "ACCEPTED" for r in results), results
    per_case = {tuple((c["test_case_id"], c["cost"]) for c in r["cases"]) for r in results}
    assert len(per_case) == 1 and all(cost > 0 for _, cost in next(iter(per_case)))
    assert {r["cost"] for r in results} == {sum(cost for _, cost in next(iter(per_case)))}
