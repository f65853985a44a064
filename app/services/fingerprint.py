"""Structural fingerprints of SQL queries, to spot near-identical accepted attempts by different users.

`query_fingerprint(sql, dialect)` parses one statement with sqlglot and hashes a
normalised rendering of it, so that cosmetic edits leave the fingerprint alone:

- whitespace, comments, keyword case, identifier quoting, and the case of
  unquoted identifiers (per the dialect's rules);
- table alias and CTE names (renamed canonically in order of definition), and
  whether a column in a single-table scope is qualified (`e.name` == `name`);
- output column aliases (`AS total` == `AS n`, and `SELECT name` == `SELECT name AS n`);
  ORDER BY / GROUP BY items that repeat a projection, name its alias or give its
  ordinal all become the same reference;
- operand order of AND / OR chains and of `=` / `<>`; `a > b` == `b < a`;
  `<>` == `!=`; `INNER JOIN` == `JOIN`, `LEFT OUTER JOIN` == `LEFT JOIN`;
- literal values: every string constant is one placeholder and every number another
  (`WHERE id = 1` == `WHERE id = 2`, `'a'` == `'b'`), as SPEC section 3 asks; a string
  and a number stay different.
The result is the first 32 hex digits of the SHA-256 of the normalised SQL, or
None when the text is not exactly one parseable statement. It never raises.

A fingerprint runs on every accepted attempt, so it has a fixed budget (SPEC
9.7): a query longer than MAX_FINGERPRINT_CHARS, a tree of more than
MAX_TREE_NODES nodes or deeper than MAX_TREE_DEPTH (where sqlglot's
normalisation turns quadratic: a 10 KB chain of ANDs took 12 s), or more than
CPU_BUDGET_S of this thread's CPU time, gives None. No real solution comes
near these bounds; a query that hits one is simply left out of the
similarity report.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from typing import Optional

import sqlglot
from sqlglot import exp

log = logging.getLogger(__name__)

DIGEST_HEX_CHARS = 32
MAX_FINGERPRINT_CHARS = 20_000
MAX_TREE_NODES = 10_000
MAX_TREE_DEPTH = 128
CPU_BUDGET_S = 0.5
_INT_RE = re.compile(r"^\d+$")
_STATEMENTS = tuple(getattr(exp, name) for name in ("Query", "DML", "DDL", "Drop", "Alter", "Values")
                    if hasattr(exp, name))


_quiet = threading.local()


class _QuietWhileFingerprinting(logging.Filter):
    """Drops sqlglot's parser warnings raised by this module's own parse (per thread, so thread-safe)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_quiet, "active", False)


logging.getLogger("sqlglot").addFilter(_QuietWhileFingerprinting())


class OverBudget(Exception):
    """The fingerprint would cost more than its fixed budget."""


class Budget:
    """CPU time of the calling thread (not wall time, so a busy machine does not change the answer)."""

    def __init__(self, seconds: Optional[float] = None):
        self.deadline = time.thread_time() + (CPU_BUDGET_S if seconds is None else seconds)

    def check(self) -> None:
        if time.thread_time() > self.deadline:
            raise OverBudget()


def within_size_bounds(tree: exp.Expression) -> bool:
    """At most MAX_TREE_NODES nodes and MAX_TREE_DEPTH levels (an iterative walk: no recursion)."""
    stack = [(tree, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_TREE_NODES or depth > MAX_TREE_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in node.iter_expressions())
    return True


def query_fingerprint(sql: str, dialect: str) -> Optional[str]:
    """Hex digest of the normalised statement, or None when `sql` is not exactly one parseable statement."""
    if isinstance(sql, str) and len(sql) > MAX_FINGERPRINT_CHARS:
        return None
    try:
        normalised = normalised_sql(sql, dialect)
    except OverBudget:
        log.info("fingerprint skipped: over its budget (%d characters)", len(sql))
        return None
    except Exception:  # noqa: BLE001 - any sqlglot (or recursion) failure means "no fingerprint"
        log.debug("no fingerprint for query", exc_info=True)
        return None
    if normalised is None:
        return None
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:DIGEST_HEX_CHARS]


def normalised_sql(sql: str, dialect: str, budget: Optional[Budget] = None) -> Optional[str]:
    """The canonical rendering the fingerprint hashes (None when it does not parse). May raise,
    OverBudget included."""
    if not isinstance(sql, str) or not sql.strip():
        return None
    budget = budget or Budget()
    _quiet.active = True  # silences sqlglot's "falling back to parsing as a Command" for this thread
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    finally:
        _quiet.active = False
    if len(statements) != 1:
        return None
    tree = statements[0]
    if not isinstance(tree, _STATEMENTS) or tree.find(exp.Command) is not None:
        return None  # a bare expression, or sqlglot's opaque fallback for syntax it does not understand
    if not within_size_bounds(tree):
        raise OverBudget()

    from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
    steps = (
        lambda t: normalize_identifiers(t, dialect=dialect),
        _rename_ctes,
        lambda t: _canonical_table_aliases(t, dialect),
        _canonical_output_aliases,
        _unqualify_single_source_columns,
        _normalise_literals,
        _normalise_joins,
        lambda t: _canonical_operands(t, budget),
    )
    for step in steps:
        budget.check()
        result = step(tree)
        if result is not None:   # steps that edit in place return None
            tree = result
    budget.check()
    return tree.sql(dialect=dialect, identify=True, comments=False, pretty=False)


# -- names ------------------------------------------------------------------
def _rename_ctes(tree: exp.Expression) -> None:
    """CTE names -> _cte0, _cte1, ... (definitions and the tables that refer to them)."""
    names: dict[str, str] = {}
    for cte in tree.find_all(exp.CTE):
        if cte.alias and cte.alias not in names:
            names[cte.alias] = f"_cte{len(names)}"
    if not names:
        return
    for cte in tree.find_all(exp.CTE):
        if cte.alias in names:
            cte.args["alias"].set("this", exp.to_identifier(names[cte.alias]))
    for table in tree.find_all(exp.Table):
        if not table.args.get("db") and table.name in names:
            table.set("this", exp.to_identifier(names[table.name]))
    for column in tree.find_all(exp.Column):
        if column.table in names:
            column.set("table", exp.to_identifier(names[column.table]))


def _canonical_table_aliases(tree: exp.Expression, dialect: str) -> exp.Expression:
    """Every table / derived table gets an alias _0, _1, ... in order of definition; references follow."""
    from sqlglot.optimizer.qualify_tables import qualify_tables
    sources = [(node, node.alias_or_name) for node in tree.find_all(exp.Table, exp.Subquery)]
    try:
        tree = qualify_tables(tree, dialect=dialect, canonicalize_table_aliases=True)
    except Exception:  # noqa: BLE001 - unusual shapes keep their own aliases
        log.debug("qualify_tables failed", exc_info=True)
        return tree
    # qualify_tables leaves `alias.*` alone: follow the renaming there too.
    renamed: dict[str, str] = {}
    for node, before in sources:
        if before and node.alias and before != node.alias:
            renamed.setdefault(before, node.alias)
    canonical = set(renamed.values())
    for column in tree.find_all(exp.Column):
        if (isinstance(column.this, exp.Star) and column.table in renamed
                and column.table not in canonical):
            column.set("table", exp.to_identifier(renamed[column.table]))
    return tree


def _unqualify_single_source_columns(tree: exp.Expression) -> None:
    """In a scope reading one source only, `t.col` and `col` are the same column: drop the qualifier."""
    from sqlglot.optimizer.scope import traverse_scope
    try:
        scopes = traverse_scope(tree)
    except Exception:  # noqa: BLE001
        log.debug("traverse_scope failed", exc_info=True)
        return
    for scope in scopes:
        sources = list(scope.selected_sources)
        if len(sources) != 1:
            continue
        only = sources[0]
        for column in scope.columns:
            if (column.table == only and not column.args.get("db")
                    and column.find_ancestor(exp.Select) is scope.expression):
                column.set("table", None)
        if isinstance(scope.expression, exp.Select):  # `t.*` over a single table is `*`
            for projection in scope.expression.expressions:
                if (isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
                        and projection.table == only):
                    projection.replace(exp.Star())


def _projection_key(node: exp.Expression) -> str:
    return node.sql(comments=False)


def _canonical_output_aliases(tree: exp.Expression) -> None:
    """Output aliases -> _c<position>; ORDER/GROUP BY items naming, repeating or numbering a projection
    become that alias; explicit alias names are also renamed where outer queries refer to them."""
    explicit: dict[str, str] = {}
    selects = list(tree.find_all(exp.Select))
    for select in selects:
        by_alias: dict[str, str] = {}
        by_expr: dict[str, str] = {}
        projections = []
        for position, projection in enumerate(select.expressions):
            canonical = f"_c{position}"
            if isinstance(projection, exp.Alias):
                inner, name = projection.this, projection.alias
                if not (isinstance(inner, exp.Column) and inner.name == name):
                    explicit.setdefault(name, canonical)
                by_alias.setdefault(name, canonical)
            elif isinstance(projection, exp.Star) or (isinstance(projection, exp.Column)
                                                     and isinstance(projection.this, exp.Star)):
                projections.append(projection)
                continue
            else:
                inner = projection
                if isinstance(inner, exp.Column):
                    by_alias.setdefault(inner.name, canonical)
            by_expr.setdefault(_projection_key(inner), canonical)
            projections.append(exp.alias_(inner.copy(), canonical, quoted=False))
        select.set("expressions", projections)
        count = len(projections)

        def reference(item: exp.Expression, allow_expr: bool) -> Optional[exp.Expression]:
            if isinstance(item, exp.Column) and not item.table and item.name in by_alias:
                return exp.column(by_alias[item.name])
            if isinstance(item, exp.Literal) and not item.is_string and _INT_RE.match(item.this):
                position = int(item.this)
                if 1 <= position <= count:
                    return exp.column(f"_c{position - 1}")
            if allow_expr and _projection_key(item) in by_expr:
                return exp.column(by_expr[_projection_key(item)])
            return None

        order = select.args.get("order")
        if order is not None:
            for ordered in order.expressions:
                replacement = reference(ordered.this, allow_expr=True)
                if replacement is not None:
                    ordered.set("this", replacement)
        group = select.args.get("group")
        if group is not None:
            items = []
            for item in group.expressions:
                items.append(reference(item, allow_expr=True) or item)
            group.set("expressions", items)
        having = select.args.get("having")
        if having is not None:
            for column in list(having.find_all(exp.Column)):
                replacement = reference(column, allow_expr=False)
                if replacement is not None:
                    column.replace(replacement)
    if not explicit:
        return
    # Outer queries refer to a subquery's / CTE's output by its alias: follow the renaming there.
    for column in tree.find_all(exp.Column):
        if column.table and column.name in explicit:
            column.set("this", exp.to_identifier(explicit[column.name]))


# -- literals, joins, operand order -------------------------------------------
def _normalise_literals(tree: exp.Expression) -> None:
    """Every constant becomes a placeholder of its kind (SPEC section 3: names, literals, whitespace and
    keyword case are normalised), so two queries differing only in a value share a fingerprint.
    Ordinal ORDER BY / GROUP BY references are resolved to projections before this step."""
    for literal in tree.find_all(exp.Literal):
        literal.set("this", "?" if literal.is_string else "0")


def _normalise_joins(tree: exp.Expression) -> None:
    for join in tree.find_all(exp.Join):
        kind = (join.args.get("kind") or "").upper()
        side = (join.args.get("side") or "").upper()
        if kind == "INNER" and not side:
            join.set("kind", None)
        elif kind == "OUTER" and side:
            join.set("kind", None)


_FLIPPED = {exp.GT: exp.LT, exp.GTE: exp.LTE}
_SYMMETRIC = (exp.EQ, exp.NEQ)


def _key(node: exp.Expression) -> str:
    return node.sql(identify=True, comments=False)


def _connector_operands(node: exp.Expression, cls: type) -> list[exp.Expression]:
    """The operands of an AND (or OR) chain, through redundant parentheses, each parenthesised only
    where precedence needs it (an OR inside an AND)."""
    operands = []
    for side in (node.this, node.expression):
        while isinstance(side, exp.Paren):
            side = side.this
        if isinstance(side, cls):
            operands.extend(_connector_operands(side, cls))
        elif cls is exp.And and isinstance(side, exp.Or):
            operands.append(exp.Paren(this=side))
        else:
            operands.append(side)
    return operands


def _canonical_node(node: exp.Expression) -> exp.Expression:
    if isinstance(node, (exp.And, exp.Or)):
        cls = type(node)
        operands = sorted(_connector_operands(node, cls), key=_key)
        combined = operands[0]
        for operand in operands[1:]:
            combined = cls(this=combined, expression=operand)
        return combined
    for source, target in _FLIPPED.items():
        if type(node) is source:
            return target(this=node.expression, expression=node.this)
    if isinstance(node, _SYMMETRIC):
        left, right = node.this, node.expression
        if _key(left) > _key(right):
            return type(node)(this=right, expression=left)
    return node


def _canonical_operands(tree: exp.Expression, budget: Budget) -> exp.Expression:
    """Children before parents, so that each sort key is already canonical."""
    root = tree
    for node in reversed(list(tree.walk(bfs=False))):
        budget.check()
        replacement = _canonical_node(node)
        if replacement is node:
            continue
        if node is root:
            root = replacement
        else:
            node.replace(replacement)
    return root
