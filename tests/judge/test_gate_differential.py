"""Differential fuzz of the gate (SPEC 9.7): what sqlglot reads is what the engine runs, or the gate refuses.

Generated queries (fixed seed) mix Unicode and control whitespace, quotes of every
kind, dollar tags, comments, escapes and smuggled `; SET …` / `; SELECT …` tails.
For each query the gate accepts, the engine runs it through its own public path and
must return exactly what sqlglot read: as many columns as sqlglot's SELECT list, each
literal's value as sqlglot parsed it, the same rows as sqlglot's own rewrite of the
query, and no change to the session a later attempt would see. A query the gate
refuses runs nowhere. Both outcomes must occur often, so the test cannot pass by
refusing everything or by generating only harmless text.
"""
from __future__ import annotations

import decimal
import random
import re
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlglot import exp

from app.judge.engines.sqlite import SqliteEngine
from app.judge.events import TestCaseSpec
from app.judge.gate import QueryRejected, check_query
from app.judge.settings import JudgeSettings
from tests.services_env import PG_ADMIN_URL, unavailable

SEED = 20260901
QUERIES_PER_ENGINE = 300
TIME_LIMIT_MS = 2000
MAX_ROWS = 100
INIT = "CREATE TABLE gate_fuzz (x integer);"
POSITION = re.compile(r"\s*\(at character \d+\)|\s*at character \d+")
CASE = TestCaseSpec(id=1, data="INSERT INTO gate_fuzz VALUES (7);")

# Separators sqlglot takes for whitespace (str.isspace) that the engines read otherwise, and real ones.
ODD_SPACES = ["\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
              "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u0085",
              "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f"]
PLAIN_SPACES = [" ", "\n", "\t", "\r\n", "  ", "\r"]
LINE_ENDS = ["\n", "\r", "\r\n", "\u2028", "\u0085", "\v", "\f"]
TAILS = ["; SET application_name = 'fuzzed'", "; SET work_mem = '64MB'", "; SELECT 666",
         "; COMMIT; SET search_path = pg_catalog; BEGIN", "; RESET ALL", ";SET TimeZone='Asia/Tokyo'"]
PREFIXES = ["interval", "e", "E", "x", "b", "n", "u&", "U&", "a", "date", "1", "1e", "_", "é", "a$"]
TYPED_LITERALS = ["interval", "INTERVAL", "date", "timestamp", "time"]   # sqlglot then reads `word 'string'`
TAGS = ["$a$", "$$", "$b$", "$é$", "$_1$"]
WORDS = ["x", "a;b", "it''s", "café", "\\", "\\'", "--", "/*", "*/", "$a$", "$$", "'", "\"", "Straße", "\u00a0"]

PG_LITERALS = ["'plain'", "'it''s'", "'a\\b'", "E'a\\'b'", "E'\\\\'", "e'x\\ny'", "$$dollar$$", "$t$ta'g$t$",
               "N'nat'", "U&'d\\0061t'", "'café'", "'a;b'", "42", "1.5", "B'101'", "X'1F'", "'\u00a0'",
               "$a$ ; SELECT 2 $a$", "E'\\x41'", "'--'", "'/*'"]
SQLITE_LITERALS = ["'plain'", "'it''s'", "'a\\b'", "'café'", "'a;b'", "42", "1.5", "x'1F'", "'\u00a0'", "'--'",
                   "'/*'", "'$a$'"]
PG_NAMES = ['"q"', '"Straße"', '"a""b"', "plain", 'U&"d\\0061t"']
SQLITE_NAMES = ['"q"', '"Straße"', '"a""b"', "plain", "[sq b]", "`bt`"]


@dataclass(frozen=True)
class Dialect:
    name: str
    literals: list[str]
    names: list[str]


PG = Dialect("postgres", PG_LITERALS, PG_NAMES)
SQLITE = Dialect("sqlite", SQLITE_LITERALS, SQLITE_NAMES)


def generate(rng: random.Random, dialect: Dialect) -> str:
    """One query: a SELECT of literals, dressed with one of the hostile patterns."""
    return rng.choice(PATTERNS)(rng, dialect)


def _items(rng: random.Random, dialect: Dialect) -> str:
    items = []
    for _ in range(rng.randint(1, 4)):
        item = rng.choice(dialect.literals)
        if rng.random() < 0.3:
            item += f" AS {rng.choice(dialect.names)}"
        items.append(item)
    return ", ".join(items)


def _space(rng: random.Random, odd: float = 0.5) -> str:
    return rng.choice(ODD_SPACES if rng.random() < odd else PLAIN_SPACES)


def _prefix_then_dollar(rng, dialect):
    """The reported hole: a word, an odd space, then what sqlglot takes for a dollar quote."""
    tag = rng.choice(TAGS)
    return (f"SELECT {_items(rng, dialect)}, {rng.choice(PREFIXES)}{_space(rng, 0.8)}{tag} x"
            f"{rng.choice(TAILS)} --{tag}")


def _smuggle_after_valid_select(rng, dialect):
    """The same, with a first statement the engine can run, so a smuggled tail would execute."""
    high_space = rng.choice([c for c in ODD_SPACES if ord(c) >= 0x80])    # an identifier byte for PostgreSQL
    word = f"{rng.choice(TYPED_LITERALS)}{high_space}{rng.choice(TAGS)}"
    tag = word[-3:] if word.endswith("$a$") or word.endswith("$b$") else word[word.rindex("$", 0, -1):]
    if rng.random() < 0.7:      # the subquery names the column without spelling the tag
        return f"SELECT {word} FROM (SELECT 1 AS {_unicode_name(word)}) s{rng.choice(TAILS)} --{tag}"
    return f"SELECT 1 {word}{rng.choice(TAILS)} --{tag}"


def _unicode_name(word: str) -> str:
    """PostgreSQL's name for an unquoted `word`, written as U&"…" with every other character escaped."""
    lowered = "".join(c.lower() if c.isascii() else c for c in word)
    return 'U&"' + "".join(c if c.isascii() and c.isalpha() else f"\\{ord(c):04x}" for c in lowered) + '"'


def _odd_space_between_tokens(rng, dialect):
    parts = ["SELECT", _items(rng, dialect), "FROM", "gate_fuzz"]
    return "".join(part + _space(rng, 0.4) for part in parts).rstrip() + rng.choice(["", ";", rng.choice(TAILS)])


def _dash_comment_line_end(rng, dialect):
    """A -- comment that one lexer ends at a line break the other does not know."""
    return f"SELECT {_items(rng, dialect)} -- {rng.choice(WORDS)}{rng.choice(LINE_ENDS)}{rng.choice(TAILS)}"


def _block_comment(rng, dialect):
    inner = rng.choice(["/* nested */", "*/", "/*", "", rng.choice(WORDS)])
    close = "" if rng.random() < 0.3 else " */"
    return f"SELECT {_items(rng, dialect)} /* {inner}{rng.choice(TAILS)}{close}{rng.choice(['', ' */'])}"


def _quote_games(rng, dialect):
    """Backslashes, doubled quotes and prefixes that decide where a string ends."""
    opener = rng.choice(["'", "E'", "e'", "N'", "U&'", "B'", "X'", "'\\", "E'\\\\", "E'\\'", "$$", "$a$"])
    body = rng.choice(WORDS) + rng.choice(["\\'", "''", "'", "\\\\'", ""])
    return f"SELECT {opener}{body}{rng.choice(TAILS)} --{rng.choice(['', chr(39), '$$', '$a$'])}"


def _continued_string(rng, dialect):
    return f"SELECT 'a'{rng.choice(['', ' -- c'])}{rng.choice(LINE_ENDS)}'b'{rng.choice(['', rng.choice(TAILS)])}"


def _clean(rng, dialect):
    """Ordinary queries with Unicode where it belongs: these should pass."""
    comment = rng.choice(["", " -- note é\n", " /* ünïcode \u3000 */", " /* a /* b */ c */ " if dialect is PG else ""])
    return f"SELECT {_items(rng, dialect)}{comment} FROM gate_fuzz{rng.choice(['', ';', ' ;', '; -- end'])}"


PATTERNS: list[Callable[[random.Random, Dialect], str]] = [
    _prefix_then_dollar, _smuggle_after_valid_select, _odd_space_between_tokens, _dash_comment_line_end, _block_comment, _quote_games,
    _continued_string, _clean, _clean,
]


# --- what sqlglot read --------------------------------------------------------------------------------

def literal_value(node: exp.Expression):
    """The value sqlglot parsed for a plain literal output column, or None when it is not one."""
    while isinstance(node, (exp.Alias, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else decimal.Decimal(node.this)
    if isinstance(node, (exp.RawString, exp.National)):
        return node.name
    return None


def same_value(expected, actual) -> bool:
    if isinstance(expected, decimal.Decimal):
        return actual is not None and not isinstance(actual, str) and decimal.Decimal(str(actual)) == expected
    return expected == actual


def failure(outcome):
    """How a run failed, comparable between a query and its rewrite (error positions differ)."""
    if outcome.verdict is None:
        return None
    return outcome.verdict, outcome.error_class or POSITION.sub("", outcome.error or "")


def assert_engine_ran_what_sqlglot_read(run, query: str, statement: exp.Expression, dialect: str) -> None:
    """Same columns, literal values and rows as sqlglot read; or, when the query fails on the engine
    (a column that does not exist …), sqlglot's rewrite of it fails the same way."""
    outcome = run(query)
    rewrite = statement.sql(dialect=dialect)
    if outcome.verdict is not None:
        assert failure(run(rewrite)) == failure(outcome), (query, rewrite, outcome.error)
        return
    assert isinstance(statement, exp.Select), query
    expressions = statement.expressions
    assert len(outcome.result.columns) == len(expressions), (query, outcome.result.columns)
    assert len(outcome.result.rows) == 1, (query, outcome.result.rows)
    row = outcome.result.rows[0]
    for node, actual in zip(expressions, row):
        expected = literal_value(node)
        if expected is not None:
            assert same_value(expected, actual), (query, node.sql(dialect), expected, actual)
    rewritten = run(rewrite)
    assert rewritten.verdict is None, (query, rewrite, rewritten.error)
    assert rewritten.result.rows == outcome.result.rows, (query, rewrite)


def fuzz(dialect: Dialect, run, after_each=None) -> tuple[int, int]:
    rng = random.Random(f"{SEED}-{dialect.name}")
    accepted = refused = 0
    for _ in range(QUERIES_PER_ENGINE):
        query = generate(rng, dialect)
        try:
            statement = check_query(query, dialect.name, 100_000)
        except QueryRejected:
            refused += 1          # refused: nothing reaches an engine (the runner returns REJECTED)
            continue
        accepted += 1
        assert_engine_ran_what_sqlglot_read(run, query, statement, dialect.name)
        if after_each:
            after_each(query)
    return accepted, refused


def assert_both_outcomes_common(accepted: int, refused: int) -> None:
    assert accepted >= QUERIES_PER_ENGINE // 5, (accepted, refused)
    assert refused >= QUERIES_PER_ENGINE // 5, (accepted, refused)


# --- the engines ---------------------------------------------------------------------------------------

SESSION_PROBE = ("SELECT current_setting('application_name'), current_setting('work_mem'), "
                 "current_setting('search_path'), current_setting('TimeZone'), "
                 "current_setting('standard_conforming_strings'), current_setting('transaction_read_only')")


@pytest.fixture(scope="module")
def pg_engine():
    pytest.importorskip("psycopg2")
    from app.judge.engines.postgres import PostgresEngine
    engine = PostgresEngine(PG_ADMIN_URL, JudgeSettings())
    problem = engine.health()
    if problem:
        unavailable(f"PostgreSQL sandbox: {problem}")
    yield engine
    engine.close()


def role_settings_count() -> int:
    import psycopg2
    conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_db_role_setting")
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_postgres_runs_exactly_what_the_gate_read(pg_engine):
    def run(query):
        return pg_engine.execute("v-gate-fuzz", INIT, CASE, query, TIME_LIMIT_MS, MAX_ROWS, 1)

    baseline = run(SESSION_PROBE)
    assert baseline.verdict is None, baseline.error
    assert baseline.result.rows[0][4] == "on"      # the scanner models standard_conforming_strings = on
    role_settings = role_settings_count()

    def session_unchanged(query):
        probe = run(SESSION_PROBE)
        assert probe.verdict is None and probe.result.rows == baseline.result.rows, (query, probe.result.rows)

    accepted, refused = fuzz(PG, run, session_unchanged)
    assert_both_outcomes_common(accepted, refused)
    assert role_settings_count() == role_settings


def test_sqlite_runs_exactly_what_the_gate_read():
    engine = SqliteEngine(JudgeSettings())
    try:
        def run(query):
            return engine.execute("v-gate-fuzz", INIT, CASE, query, TIME_LIMIT_MS, MAX_ROWS, 1)
        accepted, refused = fuzz(SQLITE, run)
    finally:
        engine.close()
    assert_both_outcomes_common(accepted, refused)


@pytest.mark.parametrize("dialect", [PG, SQLITE], ids=lambda d: d.name)
def test_the_generator_reaches_every_hostile_pattern(dialect):
    """The fuzz covers what it claims: odd spaces, dollar tags, comments, escapes and tails all occur."""
    rng = random.Random(f"{SEED}-{dialect.name}")
    queries = [generate(rng, dialect) for _ in range(QUERIES_PER_ENGINE)]
    text = "".join(queries)
    for needle in ("\u00a0", "\u3000", "\ufeff", "\u0085", "\v", "$a$", "/*", "--", "\\'", "; SET", "; SELECT"):
        assert needle in text, needle
    assert any(q.startswith("SELECT interval") or ", interval" in q for q in queries)
