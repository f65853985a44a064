"""The server's own words for a failure: message, position, and the SQLSTATE condition name."""
from __future__ import annotations

from typing import Optional

from psycopg2 import errorcodes


def engine_message(exc: BaseException, position_offset: int = 0) -> str:
    """The server's primary message and error position, without the driver's noise."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if not primary:
        return first_line(exc)
    position = getattr(diag, "statement_position", None)
    try:
        position = int(position) + position_offset if position else 0
    except ValueError:
        position = 0
    message = f"{primary} (at character {position})" if position > 0 else primary
    return message[:500]


def error_class(exc: BaseException) -> str:
    """The SQLSTATE condition name (`division_by_zero`), all a hidden case may reveal (SPEC 9.7);
    the exception's class name for errors raised on the client side."""
    sqlstate: Optional[str] = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if not sqlstate:
        return type(exc).__name__
    try:
        return errorcodes.lookup(sqlstate).lower()
    except KeyError:   # a code newer than the driver's table
        return sqlstate


def first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:500]

