"""The query gate: one read-only SELECT, decided by the parser, on both dialects."""
import pytest

from app.judge.gate import OrderKey, QueryRejected, check_query, order_by_keys

DIALECTS = ["sqlite", "postgres"]

ALLOWED = [
    "SELECT 1",
    "select name from employees where salary > 100 order by name",
    "WITH top AS (SELECT * FROM t) SELECT * FROM top",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
    "SELECT a FROM t UNION SELECT b FROM u ORDER BY 1",
    "(SELECT 1)",
    "SELECT 1;",
    "-- a comment\nSELECT 1 /* trailing */",
    "SELECT dept, rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM employees",
]

REJECTED = [
    ("SELECT 1; SELECT 2", "exactly one statement"),
    ("SELECT 1; DROP TABLE t", "exactly one statement"),
    ("DELETE FROM t", "only SELECT"),
    ("INSERT INTO t VALUES (1)", "only SELECT"),
    ("UPDATE t SET a = 1", "only SELECT"),
    ("DROP TABLE t", "only SELECT"),
    ("CREATE TABLE x (a int)", "only SELECT"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE"),
    ("SELECT * INTO copy FROM t", "INTO"),
    ("SELECT * FROM t FOR UPDATE", "LOCK"),
    ("SELECT pg_sleep(5)", "pg_sleep"),
    ("SELECT sleep(5)", "sleep"),
    ("SELECT load_extension('/tmp/x.so')", "load_extension"),
    ("SELECT readfile('/etc/passwd')", "readfile"),
    ("SELECT set_config('statement_timeout', '0', false)", "set_config"),
    ("PRAGMA table_info(t)", "only SELECT"),
    ("VACUUM", "only SELECT"),
    ("BEGIN", "only SELECT"),
    ("", "empty"),
    ("   \n\t", "empty"),
    ("-- only a comment", "empty"),
    ("SELECT FROM WHERE (((", "could not parse"),
    ("SELECT 1\x00", "NUL"),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", ALLOWED)
def test_read_only_selects_pass(sql, dialect):
    assert check_query(sql, dialect, 10_000) is not None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql,reason", REJECTED)
def test_everything_else_is_rejected_with_a_reason(sql, reason, dialect):
    with pytest.raises(QueryRejected) as info:
        check_query(sql, dialect, 10_000)
    assert reason.lower() in str(info.value).lower()


def test_length_cap():
    query = "SELECT " + " + ".join(["1"] * 100)
    check_query(query, "sqlite", len(query))
    with pytest.raises(QueryRejected, match="longer than"):
        check_query(query, "sqlite", len(query) - 1)


def test_order_by_keys_resolve_positions_aliases_and_expressions():
    keys = order_by_keys("SELECT name, salary AS s, count(*) FROM e GROUP BY 1, 2 "
                         "ORDER BY s DESC, 1, e.name, count(*), hired", "postgres")
    assert keys == [OrderKey(index=1), OrderKey(index=0), OrderKey(index=0), OrderKey(index=2), OrderKey()]


def test_order_by_keys_star_and_none():
    assert order_by_keys("SELECT * FROM e ORDER BY salary", "sqlite") == [OrderKey(name="salary")]
    assert order_by_keys("SELECT * FROM e", "sqlite") is None
    assert order_by_keys("SELECT a FROM (SELECT a FROM t ORDER BY a) s", "sqlite") is None  # not top-level


def test_order_by_of_a_union_applies_to_its_output():
    assert order_by_keys("SELECT a FROM t UNION SELECT b FROM u ORDER BY a", "sqlite") == [OrderKey(index=0)]
