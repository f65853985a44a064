"""The query gate: exactly one read-only SELECT (or WITH … SELECT), decided by a real parser.

Nothing that fails here reaches an engine. The parser is trusted only where it
reads the text as the engine will: the engine's own lexer is modelled in
lexical.py, and a query is refused when that reading and sqlglot's differ on
any string, quoted name, comment or statement end, or when it holds a
non-ASCII or control character outside quotes and comments (SPEC 9.7: two
lexers that disagree let a second statement hide in what the gate took for a
string). The engines keep their own walls (one statement per protocol
message, READ ONLY, privileges, authorizer) behind it.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional, Sequence, Union

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token as SqlglotToken
from sqlglot.tokens import TokenType

from app.judge import lexical

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

PLAIN_CODE = re.compile(r"[^\t\n\r\x20-\x7e]")   # the complement of what may stand outside quotes and comments
SURROGATE = re.compile("[\ud800-\udfff]")
SQLGLOT_STRINGS = frozenset(
    getattr(TokenType, name) for name in (
        "STRING", "BIT_STRING", "HEX_STRING", "BYTE_STRING", "NATIONAL_STRING", "UNICODE_STRING",
        "HEREDOC_STRING", "RAW_STRING", "NATIONAL_RAW_STRING",
    ) if hasattr(TokenType, name)
)
# Quoting styles whose content sqlglot and the engine decode alike. The escapes of E'…' and U&'…'
# are decoded by the engine alone (sqlglot keeps them to write back), so there only the boundaries count.
COMPARABLE_STYLES = frozenset({"'", "N", "$", "B", "X", '"', "[", "`"})


class QueryRejected(Exception):
    """The query is not one read-only SELECT; the message says why, for the player."""


def parse_one_statement(sql: str, dialect: str, tokens: Optional[list[SqlglotToken]] = None) -> exp.Expression:
    """The one statement sqlglot reads in `sql` (from `tokens` when already tokenized)."""
    try:
        reader = Dialect.get_or_raise(dialect)
        tokens = reader.tokenize(sql) if tokens is None else tokens
        statements = [s for s in reader.parser().parse(tokens, sql) if s is not None]
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
    if SURROGATE.search(sql):
        raise QueryRejected("the query contains an invalid character (a lone UTF-16 surrogate)")
    engine_tokens = engine_reading(sql, dialect)
    sqlglot_tokens = _sqlglot_tokens(sql, dialect)
    statement = parse_one_statement(sql, dialect, sqlglot_tokens)
    if not isinstance(statement, QUERY_ROOTS):
        raise QueryRejected(f"only SELECT queries are allowed, not {_kind(statement)}")
    for node in statement.walk():
        if isinstance(node, FORBIDDEN_NODES):
            raise QueryRejected(f"only read-only SELECT queries are allowed ({_kind(node)} found)")
        name = _function_name(node)
        if name and name in FORBIDDEN_FUNCTIONS:
            raise QueryRejected(f"the function {name} is not allowed")
    require_same_reading(sql, engine_tokens, sqlglot_tokens)
    return statement


def engine_reading(sql: str, dialect: str) -> list[lexical.Token]:
    """The engine lexer's tokens, refusing what that lexer refuses and any character outside
    quotes and comments that is not printable ASCII, tab or newline (U+00A0, U+FEFF, \\v …)."""
    try:
        tokens = lexical.scan(sql, dialect)
    except lexical.LexError as exc:
        _require_plain_code(sql, exc.tokens)      # the odd character is usually the cause: name it
        raise QueryRejected(f"could not parse the query: {exc}") from None
    _require_plain_code(sql, tokens)
    return tokens


def _require_plain_code(sql: str, tokens: Sequence[lexical.Token]) -> None:
    for token in tokens:
        if token.kind in lexical.OPAQUE or token.kind == lexical.COMMENT:
            continue
        odd = PLAIN_CODE.search(sql, token.start, token.end)
        if odd:
            raise QueryRejected(
                f"the query contains {_describe(odd.group(0))} at character {odd.start() + 1}, outside any "
                f"string, quoted name or comment; retype it as a plain space or ASCII character, or quote it")


def require_same_reading(sql: str, ours: Sequence[lexical.Token], theirs: Sequence[SqlglotToken]) -> None:
    """Refuses the query unless sqlglot's tokens and the engine's agree on every string and quoted
    name (boundaries and content), every comment and every statement end."""
    position = _first_difference(sql, ours, theirs)
    if position is not None:
        raise QueryRejected(
            f"the database and the query checker would read this query differently near character "
            f"{position + 1} (where a string, quoted name, comment or statement starts or ends); "
            f"write that part more plainly")
    position = _adjacent_strings(ours)
    if position is not None:
        raise QueryRejected(
            f"two string literals in a row at character {position + 1}: the database reads them as a "
            f"value and its alias (SQLite) or one continued string (PostgreSQL), the checker as one joined "
            f"string; join them with || instead")


def _first_difference(sql: str, ours: Sequence[lexical.Token], theirs: Sequence[SqlglotToken]) -> Optional[int]:
    """Where the two readings first part, or None: quoted tokens, then comments and code, then `;`s."""
    for rule in (_quoted_difference, _separator_difference, _statement_end_difference):
        position = rule(sql, ours, theirs)
        if position is not None:
            return position
    return None


def _quoted_difference(sql: str, ours: Sequence[lexical.Token], theirs: Sequence[SqlglotToken]) -> Optional[int]:
    """Every string and quoted name: same place, same kind and, where both decode it, same content."""
    our_quoted = [token for token in ours if token.kind in lexical.OPAQUE]
    their_quoted = [token for token in theirs if _their_kind(token) in lexical.OPAQUE]
    for mine, other in zip(our_quoted, their_quoted):
        if (mine.start, mine.end, mine.kind) != (other.start, other.end + 1, _their_kind(other)):
            return min(mine.start, other.start)
        if mine.style in COMPARABLE_STYLES and mine.value != other.text:
            return mine.start
    if len(our_quoted) != len(their_quoted):
        extra = our_quoted[len(their_quoted):] or their_quoted[len(our_quoted):]
        return extra[0].start
    return None


def _separator_difference(sql: str, ours: Sequence[lexical.Token], theirs: Sequence[SqlglotToken]) -> Optional[int]:
    """What the engine takes for a comment sqlglot must skip, and what it takes for code sqlglot must
    read as tokens (sqlglot may cover spaces: its `GROUP BY` is one token)."""
    covered = bytearray(len(sql))
    for token in theirs:
        covered[token.start:token.end + 1] = b"\x01" * (token.end + 1 - token.start)
    for token in ours:
        if token.kind == lexical.COMMENT and covered.find(1, token.start, token.end) >= 0:
            return token.start
        if token.kind not in lexical.SEPARATORS and covered.find(0, token.start, token.end) >= 0:
            return token.start
    return None


def _statement_end_difference(sql: str, ours: Sequence[lexical.Token],
                              theirs: Sequence[SqlglotToken]) -> Optional[int]:
    our_ends = [token.start for token in ours if token.kind == lexical.PUNCT and sql[token.start] == ";"]
    their_ends = [token.start for token in theirs if token.token_type == TokenType.SEMICOLON]
    if our_ends == their_ends:
        return None
    return next((a for a, b in zip(our_ends, their_ends) if a != b), (our_ends + their_ends)[-1])


def _adjacent_strings(ours: Sequence[lexical.Token]) -> Optional[int]:
    code = [token for token in ours if token.kind not in lexical.SEPARATORS]
    for first, second in zip(code, code[1:]):
        if first.kind == second.kind == lexical.STRING:
            return second.start
    return None


def _their_kind(token: SqlglotToken) -> Optional[str]:
    if token.token_type in SQLGLOT_STRINGS:
        return lexical.STRING
    if token.token_type == TokenType.IDENTIFIER:
        return lexical.NAME
    return None


def _sqlglot_tokens(sql: str, dialect: str) -> list[SqlglotToken]:
    try:
        return Dialect.get_or_raise(dialect).tokenize(sql)
    except SqlglotError as exc:
        raise QueryRejected(f"could not parse the query: {_first_line(exc)}") from None
    except (RecursionError, ValueError, TypeError) as exc:
        raise QueryRejected(f"could not parse the query: {type(exc).__name__}") from None


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"the control character U+{ord(char):04X}"


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
