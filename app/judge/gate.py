"""The query gate: exactly one read-only SELECT (or WITH … SELECT), decided by a real parser.

psycopg2 runs several statements in one call, so this is a wall, not a hint:
nothing that fails here reaches an engine. The engines keep their own walls
(READ ONLY, privileges, authorizer) behind it, because a parser can be fooled
by dialect corners.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

# Calls that wait instead of compute (LE would be won by sleeping) or reach
# outside the dataset. Names are compared lower-case, without schema.
FORBIDDEN_FUNCTIONS = frozenset({
    "sleep", "pg_sleep", "pg_sleep_for", "pg_sleep_until", "dbms_lock.sleep", "waitfor",
    "load_extension", "readfile", "writefile", "edit", "fts3_tokenizer",
    "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "lo_import", "lo_export",
    "dblink", "dblink_exec", "dblink_connect", "set_config", "pg_terminate_backend", "pg_cancel_backend",
})

# Statement and clause kinds that write, change the session or leave the query.
FORBIDDEN_NODES: tuple[type, ...] = tuple(
    getattr(exp, name) for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "AlterColumn", "Command",
        "Transaction", "Commit", "Rollback", "Set", "Pragma", "Copy", "Into", "Lock", "Use",
        "Attach", "Detach", "LoadData", "Analyze", "Grant", "TruncateTable", "Cache", "Uncache",
        "Refresh", "Kill", "Show", "Describe",
    ) if hasattr(exp, name)
)
QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery, exp.Values)


class QueryRejected(Exception):
    """The query is not one read-only SELECT; the message says why, for the player."""


@dataclass(frozen=True)
class OrderKey:
    """A top-level ORDER BY key resolved as far as the parse allows: an output position or name."""
    index: Optional[int] = None   # 0-based output column
    name: Optional[str] = None    # lower-case output column name to look up in the result


def parse_one_statement(sql: str, dialect: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as exc:
        raise QueryRejected(f"could not parse the query: {_first_line(exc)}") from None
    except (RecursionError, ValueError, TypeError) as exc:
        raise QueryRejected(f"could not parse the query: {type(exc).__name__}") from None
    if not statements:
        raise QueryRejected("the query is empty")
    if len(statements) > 1:
        raise QueryRejected(f"exactly one statement is allowed, got {len(statements)}")
    return statements[0]


def check_query(sql: str, dialect: str, max_chars: int) -> exp.Expression:
    """Returns the parsed statement, or raises QueryRejected without running anything."""
    if not isinstance(sql, str) or not sql.strip():
        raise QueryRejected("the query is empty")
    if len(sql) > max_chars:
        raise QueryRejected(f"the query is longer than {max_chars} characters")
    if "\x00" in sql:
        raise QueryRejected("the query contains a NUL character")
    statement = parse_one_statement(sql, dialect)
    if not isinstance(statement, QUERY_ROOTS):
        raise QueryRejected(f"only SELECT queries are allowed, not {_kind(statement)}")
    for node in statement.walk():
        if isinstance(node, FORBIDDEN_NODES):
            raise QueryRejected(f"only read-only SELECT queries are allowed ({_kind(node)} found)")
        name = _function_name(node)
        if name and name in FORBIDDEN_FUNCTIONS:
            raise QueryRejected(f"the function {name} is not allowed")
    return statement


def order_by_keys(sql: str, dialect: str) -> Optional[list[OrderKey]]:
    """The solution's top-level ORDER BY keys, or None when it has none (order then never matters)."""
    try:
        statement = parse_one_statement(sql, dialect)
    except QueryRejected:
        return None
    while isinstance(statement, exp.Subquery):
        statement = statement.this
    order = statement.args.get("order")
    if not isinstance(order, exp.Order) or not order.expressions:
        return None
    outputs = _output_expressions(statement)
    return [_resolve_key(ordered.this, outputs) for ordered in order.expressions]


def _output_expressions(statement: exp.Expression) -> list[exp.Expression]:
    while isinstance(statement, exp.SetOperation):
        statement = statement.this      # a UNION's columns are named by its first SELECT
    while isinstance(statement, exp.Subquery):
        statement = statement.this
    return list(statement.expressions) if isinstance(statement, exp.Select) else []


def _resolve_key(key: exp.Expression, outputs: list[exp.Expression]) -> OrderKey:
    if isinstance(key, exp.Literal) and not key.is_string:
        try:
            return OrderKey(index=int(key.this) - 1)
        except ValueError:
            return OrderKey()
    key_sql = key.sql().lower()
    for position, output in enumerate(outputs):
        if isinstance(output, exp.Star):
            return OrderKey(name=_plain_name(key)) if _plain_name(key) else OrderKey()
        inner = output.this if isinstance(output, exp.Alias) else output
        if inner.sql().lower() == key_sql or (_plain_name(key) and output.alias_or_name.lower() == _plain_name(key)):
            return OrderKey(index=position)
    return OrderKey()


def _plain_name(key: exp.Expression) -> Optional[str]:
    if isinstance(key, exp.Column):
        return key.name.lower()
    return None


def _function_name(node: exp.Expression) -> Optional[str]:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return None


def _kind(node: exp.Expression) -> str:
    key = getattr(node, "key", type(node).__name__)
    return str(key).upper()


def _first_line(exc: Union[Exception, str]) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
