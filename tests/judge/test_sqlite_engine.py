"""SQLite sandbox rules at the engine level: cache, read-only copies, limits, validation."""
import pytest

from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.sqlite import SqliteEngine
from app.judge.events import TestCaseSpec
from app.judge.settings import JudgeSettings
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED

INIT = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);"
CASE = TestCaseSpec(id=1, data="INSERT INTO t VALUES (1, 'a'), (2, 'b');")


@pytest.fixture
def engine():
    eng = SqliteEngine(JudgeSettings(max_rows=50))
    yield eng
    eng.close()


def run(engine, query, limit_ms=500, runs=1):
    return engine.execute("v1", INIT, CASE, query, limit_ms, 50, runs)


def test_rows_columns_and_median_timing(engine):
    result = run(engine, "SELECT id, name FROM t ORDER BY id", runs=3)
    assert result.verdict is None
    assert result.result.columns == ["id", "name"] and result.result.rows == [(1, "a"), (2, "b")]
    assert len(result.timings_ms) == 3 and min(result.timings_ms) <= result.execution_ms <= max(result.timings_ms)


def test_dataset_built_once_per_content(engine):
    run(engine, "SELECT 1")
    run(engine, "SELECT 2")
    assert engine.datasets_built == 1
    engine.execute("v2", INIT, TestCaseSpec(id=2, data="INSERT INTO t VALUES (9, 'z');"), "SELECT 1", 500, 50)
    assert engine.datasets_built == 2


@pytest.mark.parametrize("query", [
    "SELECT * FROM pragma_table_info('t')",
    "SELECT load_extension('/tmp/evil.so')",
    "SELECT fts3_tokenizer('simple')",
    "SELECT readfile('/etc/passwd')",
])
def test_authorizer_refuses(engine, query):
    result = run(engine, query)
    assert result.verdict == RUNTIME_ERROR
    assert "not authorized" in result.error or "no such function" in result.error


@pytest.mark.parametrize("statement", [
    "DELETE FROM t", "INSERT INTO t VALUES (3, 'c')", "DROP TABLE t", "CREATE TEMP TABLE x(a)",
    "ATTACH DATABASE '/tmp/sqlarena-attack.db' AS x", "PRAGMA writable_schema = 1", "VACUUM INTO '/tmp/x.db'",
])
def test_writes_and_escapes_fail_even_past_the_gate(engine, statement):
    assert run(engine, statement).verdict == RUNTIME_ERROR
    assert run(engine, "SELECT count(*) FROM t").result.rows == [(2,)]


def test_runaway_recursion_is_stopped_at_the_time_limit(engine):
    result = run(engine, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                         "SELECT count(*) FROM r", limit_ms=200)
    assert result.verdict == TIME_LIMIT_EXCEEDED and result.execution_ms < 2200


def test_row_cap_and_blob_cap(engine):
    assert run(engine, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r"
               ).verdict == OUTPUT_LIMIT_EXCEEDED
    assert "too big" in run(engine, "SELECT zeroblob(50000000)").error


def test_validate_reports_engine_messages(engine):
    with pytest.raises(ChallengeInvalid, match="init: near"):
        engine.validate("CREATE TABLE (", [CASE], "SELECT 1", 500)
    with pytest.raises(ChallengeInvalid, match="test case 1: the solution failed: no such column"):
        engine.validate(INIT, [CASE], "SELECT nope FROM t", 500)
    with pytest.raises(ChallengeInvalid, match="not authorized"):
        engine.validate("ATTACH DATABASE '/tmp/x.db' AS x;", [CASE], "SELECT 1", 500)
    engine.validate(INIT, [CASE], "SELECT * FROM t", 500)
