"""Query fingerprints: cosmetic edits keep the fingerprint, structural ones change it."""
import re

import pytest

from app.services.fingerprint import query_fingerprint

DIALECTS = ["sqlite", "postgres"]

BASE = ("SELECT e.name, COUNT(*) AS total FROM employees e JOIN departments d ON d.id = e.dept_id "
        "WHERE e.salary > 1000 AND d.name = 'Sales' GROUP BY e.name ORDER BY total DESC")

EQUAL_PAIRS = [
    pytest.param("SELECT e.name FROM employees e", "SELECT x.name FROM employees AS x", id="table-alias"),
    pytest.param("SELECT e.name FROM employees e", "SELECT name FROM employees", id="alias-vs-none"),
    pytest.param("SELECT employees.name FROM employees", "SELECT name FROM employees", id="qualified-single-table"),
    pytest.param("SELECT e.* FROM employees e", "SELECT * FROM employees", id="qualified-star"),
    pytest.param("SELECT COUNT(*) AS total FROM employees", "SELECT COUNT(*) AS n FROM employees", id="output-alias"),
    pytest.param("SELECT name FROM employees", "SELECT name AS who FROM employees", id="alias-vs-bare"),
    pytest.param("select NAME from Employees where ID = 1", "SELECT name FROM employees WHERE id = 1", id="case"),
    pytest.param("SELECT \"name\" FROM employees", "SELECT name FROM employees", id="quoted-lowercase"),
    pytest.param("SELECT name\n\tFROM   employees\nWHERE id=1", "SELECT name FROM employees WHERE id = 1",
                 id="whitespace"),
    pytest.param("SELECT name -- who\nFROM employees /* all of them */", "SELECT name FROM employees",
                 id="comments"),
    pytest.param("SELECT name FROM employees WHERE a = 1 AND b = 2 AND c = 3",
                 "SELECT name FROM employees WHERE c = 3 AND (a = 1 AND b = 2)", id="and-order"),
    pytest.param("SELECT name FROM employees WHERE a = 1 OR b = 2",
                 "SELECT name FROM employees WHERE b = 2 OR a = 1", id="or-order"),
    pytest.param("SELECT name FROM employees WHERE (a = 1 OR b = 2) AND c = 3",
                 "SELECT name FROM employees WHERE c = 3 AND (b = 2 OR a = 1)", id="nested-and-or"),
    pytest.param("SELECT name FROM employees WHERE a = 1", "SELECT name FROM employees WHERE 1 = a",
                 id="eq-sides"),
    pytest.param("SELECT name FROM employees WHERE a != 1", "SELECT name FROM employees WHERE a <> 1", id="neq"),
    pytest.param("SELECT name FROM employees WHERE salary > 10", "SELECT name FROM employees WHERE 10 < salary",
                 id="gt-vs-lt"),
    pytest.param("SELECT name FROM employees WHERE salary = 1.50", "SELECT name FROM employees WHERE salary = 1.5",
                 id="number-format"),
    # SPEC section 3: literals are normalised, so a value alone never makes queries different.
    pytest.param("SELECT name FROM employees WHERE id = 1", "SELECT name FROM employees WHERE id = 2", id="literal"),
    pytest.param("SELECT name FROM employees WHERE d = 'a'", "SELECT name FROM employees WHERE d = 'Sales'",
                 id="string-literal"),
    pytest.param("SELECT 1", "SELECT 1.0", id="int-vs-decimal"),
    pytest.param("SELECT a.x FROM a INNER JOIN b ON a.id = b.id", "SELECT a.x FROM a JOIN b ON b.id = a.id",
                 id="inner-join"),
    pytest.param("SELECT a.x FROM a LEFT OUTER JOIN b ON a.id = b.id", "SELECT a.x FROM a LEFT JOIN b ON a.id = b.id",
                 id="left-outer"),
    pytest.param("SELECT dept, COUNT(*) FROM employees GROUP BY dept ORDER BY 2 DESC",
                 "SELECT dept, COUNT(*) AS n FROM employees GROUP BY 1 ORDER BY n DESC", id="ordinals"),
    pytest.param("WITH big AS (SELECT dept, COUNT(*) AS n FROM employees GROUP BY dept) "
                 "SELECT big.dept FROM big WHERE big.n > 3",
                 "WITH b AS (SELECT dept, COUNT(*) AS c FROM employees GROUP BY dept) "
                 "SELECT b.dept FROM b WHERE 3 < b.c", id="cte-names"),
    pytest.param(BASE, "select x.name, count(*) n from employees x inner join departments y on x.dept_id = y.id "
                       "where y.name = 'Sales' and 1000 < x.salary group by 1 order by 2 desc", id="everything"),
]

DIFFERENT_PAIRS = [
    pytest.param("SELECT name FROM employees", "SELECT name FROM managers", id="table"),
    pytest.param("SELECT name FROM employees", "SELECT email FROM employees", id="column"),
    pytest.param("SELECT name FROM employees WHERE d = 1", "SELECT name FROM employees WHERE d = '1'",
                 id="number-vs-string"),
    pytest.param("SELECT a.x FROM a JOIN b ON a.id = b.id", "SELECT a.x FROM a LEFT JOIN b ON a.id = b.id",
                 id="join-type"),
    pytest.param("SELECT dept, COUNT(*) FROM employees GROUP BY dept",
                 "SELECT dept, COUNT(*) FROM employees GROUP BY dept, team", id="group-by"),
    pytest.param("SELECT name FROM employees ORDER BY name", "SELECT name FROM employees ORDER BY name DESC",
                 id="order-direction"),
    pytest.param("SELECT name FROM employees WHERE a < b", "SELECT name FROM employees WHERE b < a", id="lt-sides"),
    pytest.param("SELECT name FROM employees WHERE (a = 1 OR b = 2) AND c = 3",
                 "SELECT name FROM employees WHERE a = 1 OR (b = 2 AND c = 3)", id="precedence"),
    pytest.param("SELECT e.name FROM employees e WHERE e.id IN (SELECT m.id FROM managers m WHERE m.x = e.x)",
                 "SELECT e.name FROM employees e WHERE e.id IN (SELECT m.id FROM managers m WHERE m.x = m.y)",
                 id="correlation"),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("left, right", EQUAL_PAIRS)
def test_cosmetic_edits_keep_the_fingerprint(dialect, left, right):
    first, second = query_fingerprint(left, dialect), query_fingerprint(right, dialect)
    assert first is not None
    assert first == second


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("left, right", DIFFERENT_PAIRS)
def test_structural_edits_change_the_fingerprint(dialect, left, right):
    first, second = query_fingerprint(left, dialect), query_fingerprint(right, dialect)
    assert first is not None and second is not None
    assert first != second


@pytest.mark.parametrize("dialect", DIALECTS)
def test_digest_shape_and_determinism(dialect):
    digest = query_fingerprint(BASE, dialect)
    assert re.fullmatch(r"[0-9a-f]{32}", digest)
    assert query_fingerprint(BASE, dialect) == digest


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", [
    "", "   ", "-- only a comment", "SELECT FROM WHERE", "SELECT (1", "SELECT 'unterminated",
    "SELECT 1; SELECT 2", "just words", "SHOW TABLES", None, 42,
])
def test_unparseable_gives_none(dialect, sql):
    assert query_fingerprint(sql, dialect) is None


def test_unknown_dialect_gives_none():
    assert query_fingerprint("SELECT 1", "no-such-dialect") is None


def test_postgres_specific_syntax():
    assert query_fingerprint("SELECT name::text FROM employees e WHERE e.name ILIKE 'a%'", "postgres") == \
        query_fingerprint("select x.name::TEXT from employees x where x.name ilike 'a%'", "postgres")


def test_deep_nesting_never_raises():
    sql = "SELECT " + "(" * 3000 + "1" + ")" * 3000
    assert query_fingerprint(sql, "sqlite") is None or len(query_fingerprint(sql, "sqlite")) == 32


# -- the fixed budget (SPEC 9.7): nothing a player sends makes a fingerprint slow ------------------
GENEROUS_S = 3.0   # these shapes took 12 s before the budget; the budget answers in well under 1 s


def unused_ctes(count: int) -> str:
    ctes = ",\n".join(f"c{i} AS (SELECT id, v + {i} AS w FROM t WHERE v > {i} AND id < {i * 3})" for i in range(count))
    return f"WITH {ctes}\nSELECT id FROM t WHERE v > 1 ORDER BY id"


@pytest.mark.parametrize("sql", [
    pytest.param(unused_ctes(1500), id="100KB-of-unused-CTEs"),
    pytest.param("SELECT id FROM t WHERE " + " AND ".join(f"v <> {i}" for i in range(776)), id="10KB-AND-chain"),
    pytest.param("SELECT id FROM t WHERE " + " OR ".join(f"(v = {i} AND id > {i})" for i in range(390)),
                 id="10KB-OR-of-ANDs"),
    pytest.param("SELECT " + " + ".join("v" for _ in range(2400)) + " FROM t", id="10KB-sum"),
])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_pathological_queries_give_up_quickly_with_none(sql, dialect):
    import time
    started = time.monotonic()
    assert query_fingerprint(sql, dialect) is None
    assert time.monotonic() - started < GENEROUS_S


def test_a_long_ordinary_query_is_still_fingerprinted():
    sql = unused_ctes(60)
    assert 3000 < len(sql) < 20_000
    assert re.fullmatch(r"[0-9a-f]{32}", query_fingerprint(sql, "sqlite"))


def test_the_cpu_budget_gives_none(monkeypatch):
    from app.services import fingerprint
    assert query_fingerprint(BASE, "sqlite") is not None
    monkeypatch.setattr(fingerprint, "CPU_BUDGET_S", 0.0)
    assert query_fingerprint(BASE, "sqlite") is None
