"""Order up to the solution's sort keys (SPEC 4): which reorderings of the expected rows are right.

Rows that tie on every top-level ORDER BY key may come in any order, and under a LIMIT any row that
ties with the last one at the cut may take its place. Keys that are output columns are read from
the result; any other key (a hidden column, an expression) is read by running the solution once
more with the key appended as an extra output column (`SortPlan.query`, rewritten with sqlglot in
the challenge's dialect), without its LIMIT so the whole tie group at the cut is known. The
database sorts; this module only finds runs of equal keys, so NULLS FIRST/LAST defaults (last for
ASC on PostgreSQL, first on SQLite) never need to be known here.

When keys cannot be appended without changing the rows (SELECT DISTINCT, a set operation ordered by
a non-output key), order falls back to exact, and `SortPlan.warning` says so to the author.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional, Sequence, Union

from sqlglot import exp
from sqlglot.errors import SqlglotError

from app.judge.compare import count_unmatched, rows_equal
from app.judge.gate import QueryRejected, parse_one_statement
from app.judge.results import ResultSet

log = logging.getLogger("sqlarena.judge")
EXTRA_KEY_ALIAS = "sqlarena_sort_key_{}"

KeyRef = Union[int, str]     # a position in the (widened) result, or an output name looked up in it


@dataclass(frozen=True)
class SortPlan:
    """How to read a solution's sort keys. `query` is None when the solution's own result suffices."""
    keys: tuple[KeyRef, ...] = ()
    query: Optional[str] = None
    limit: Optional[int] = None       # the LIMIT `query` leaves out, so the rows tying at the cut are seen
    warning: Optional[str] = None     # set when order is checked exactly (keys could not be appended)

    @property
    def exact(self) -> bool:
        return self.warning is not None


@dataclass(frozen=True)
class Ordering:
    """The expected rows' runs of rows tying on every sort key, as [start, end) positions; `boundary`,
    under a LIMIT whose cut splits a tie group, every row of that group (the last run may be any of them)."""
    runs: tuple[tuple[int, int], ...]
    boundary: Optional[tuple[tuple, ...]] = None

    @classmethod
    def exact(cls, row_count: int) -> "Ordering":
        return cls(tuple((i, i + 1) for i in range(row_count)))


# -- the plan: read once per solution -----------------------------------------------------------

@lru_cache(maxsize=1024)
def sort_plan(sql: str, dialect: str) -> Optional[SortPlan]:
    """The solution's sort plan, or None when it has no top-level ORDER BY (order never matters)."""
    try:
        statement = parse_one_statement(sql, dialect)
    except QueryRejected:
        return None
    while isinstance(statement, exp.Subquery):
        statement = statement.this
    order = statement.args.get("order")
    if not isinstance(order, exp.Order) or not order.expressions:
        return None
    try:
        return _plan(statement, [ordered.this for ordered in order.expressions], dialect)
    except SqlglotError as exc:      # a rewrite sqlglot cannot print: order is then exact
        return SortPlan(warning=f"the ORDER BY keys could not be read ({type(exc).__name__}); "
                                f"rows are checked in exactly the solution's order")


def _plan(statement: exp.Expression, keys: list[exp.Expression], dialect: str) -> SortPlan:
    outputs = _output_expressions(statement)
    refs: list[KeyRef] = []
    hidden: list[exp.Expression] = []
    for key in keys:
        ref = _output_ref(key, outputs)
        if ref is None and isinstance(statement, exp.Select):
            ref = len(outputs) + len(hidden)       # a position past the outputs, in the widened result
            hidden.append(key)
        if ref is None:
            return SortPlan(warning=f"the ORDER BY key {key.sql(dialect=dialect)} is not an output column of "
                                    f"the set operation; rows are checked in exactly the solution's order")
        refs.append(ref)
    distinct = statement.args.get("distinct")
    if hidden and isinstance(distinct, exp.Distinct) and not distinct.args.get("on"):
        return SortPlan(warning=f"SELECT DISTINCT is ordered by {hidden[0].sql(dialect=dialect)}, which is not in "
                                f"its select list; rows are checked in exactly the solution's order")
    limit = _literal_limit(statement)
    if not hidden and limit is None:
        return SortPlan(keys=tuple(refs))
    widened = statement.copy()
    if limit is not None:
        widened.set("limit", None)
    for position, key in enumerate(hidden):
        widened.select(exp.alias_(key.copy(), EXTRA_KEY_ALIAS.format(position)), copy=False)
    return SortPlan(keys=tuple(refs), query=widened.sql(dialect=dialect), limit=limit)


def _output_expressions(statement: exp.Expression) -> list[exp.Expression]:
    while isinstance(statement, exp.SetOperation):
        statement = statement.this      # a UNION's columns are named by its first SELECT
    while isinstance(statement, exp.Subquery):
        statement = statement.this
    return list(statement.expressions) if isinstance(statement, exp.Select) else []


def _output_ref(key: exp.Expression, outputs: list[exp.Expression]) -> Optional[KeyRef]:
    """The output position a key names (`ORDER BY 2`, an alias, the same expression), the output name
    behind a `*`, or None when the key is not an output column."""
    if isinstance(key, exp.Literal) and not key.is_string:
        try:
            return int(key.this) - 1
        except ValueError:
            return None
    name = key.name.lower() if isinstance(key, exp.Column) and not key.table else None
    key_sql = key.sql().lower()
    for position, output in enumerate(outputs):
        inner = output.this if isinstance(output, exp.Alias) else output
        if inner.sql().lower() == key_sql or (name and output.alias_or_name.lower() == name):
            return position
    if name and any(isinstance(output, exp.Star) for output in outputs):
        return name
    return None


def _literal_limit(statement: exp.Expression) -> Optional[int]:
    """A plain `LIMIT n` (no OFFSET); other cuts keep their rows exactly."""
    limit = statement.args.get("limit")
    if not isinstance(limit, exp.Limit) or statement.args.get("offset") is not None:
        return None
    count = limit.args.get("expression")
    if isinstance(count, exp.Literal) and not count.is_string and str(count.this).isdigit():
        return int(count.this)
    return None


# -- the ordering: read once per (challenge version, case) --------------------------------------

def expected_ordering(plan: SortPlan, result: ResultSet,
                      widened: Optional[ResultSet]) -> tuple[ResultSet, Ordering]:
    """The expected result and its runs. `widened` is the result of `plan.query` (None when it was not
    run or failed); its rows, cut to the LIMIT, become the expected rows when they are the solution's."""
    if plan.exact:
        return result, Ordering.exact(len(result.rows))
    if widened is None:
        if plan.query is not None and any(isinstance(ref, int) and ref >= len(result.columns) for ref in plan.keys):
            return result, Ordering.exact(len(result.rows))
        indexes = _key_indexes(plan.keys, result.columns)
        if indexes is None:
            return result, Ordering.exact(len(result.rows))
        return result, Ordering(runs_of([_pick(row, indexes) for row in result.rows]))
    return _from_widened(plan, result, widened)


def _from_widened(plan: SortPlan, result: ResultSet, widened: ResultSet) -> tuple[ResultSet, Ordering]:
    width = len(result.columns)
    indexes = _key_indexes(plan.keys, widened.columns[:width])
    if indexes is None or any(i >= len(widened.columns) for i in indexes):
        return result, Ordering.exact(len(result.rows))
    keys = [_pick(row, indexes) for row in widened.rows]
    cut = len(widened.rows) if plan.limit is None else min(plan.limit, len(widened.rows))
    rows = [tuple(row[:width]) for row in widened.rows[:cut]]
    runs = runs_of(keys[:cut])
    boundary = None
    if runs and cut < len(widened.rows) and keys_equal(keys[cut - 1], keys[cut]):
        start = runs[-1][0]
        end = cut
        while end < len(widened.rows) and keys_equal(keys[cut - 1], keys[end]):
            end += 1
        boundary = tuple(tuple(row[:width]) for row in widened.rows[start:end])
    pool = rows[:runs[-1][0]] + list(boundary) if boundary is not None else rows
    if len(rows) != len(result.rows) or count_unmatched(result.rows, pool):
        log.warning("the widened solution gave other rows than the solution; order is checked exactly")
        return result, Ordering.exact(len(result.rows))
    return ResultSet(list(result.columns), rows, result.truncated), Ordering(runs, boundary)


def _key_indexes(keys: Sequence[KeyRef], columns: Sequence[str]) -> Optional[list[int]]:
    """Positions of the keys; None when an output name is missing or ambiguous in the result."""
    names = [str(c).lower() for c in columns]
    indexes = []
    for ref in keys:
        if isinstance(ref, str):
            if names.count(ref) != 1:
                return None
            ref = names.index(ref)
        indexes.append(ref)
    return indexes


def _pick(row: Sequence[Any], indexes: Sequence[int]) -> tuple:
    return tuple(row[i] for i in indexes)


def keys_equal(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return rows_equal(a, b)


def runs_of(keys: Sequence[Sequence[Any]]) -> tuple[tuple[int, int], ...]:
    """[start, end) of each run of consecutive equal keys (NULL ties with NULL)."""
    runs = []
    start = 0
    for position in range(1, len(keys) + 1):
        if position == len(keys) or not keys_equal(keys[start], keys[position]):
            runs.append((start, position))
            start = position
    return tuple(runs) if keys else ()
