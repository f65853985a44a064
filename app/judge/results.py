"""A query result as the judge sees it: column names and rows of plain values."""
from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from app.limits import LIMITS

PREVIEW_ROWS = 100
MAX_VALUE_CHARS = LIMITS.result_value_chars      # JudgeSettings.max_value_chars: no stored or returned value is longer (SPEC 9.7)


@dataclass
class ResultSet:
    columns: list[str]
    rows: list[tuple]
    truncated: bool = False      # True when the engine stopped at the row cap

    def to_json(self, limit: int = PREVIEW_ROWS, max_chars: int = MAX_VALUE_CHARS) -> str:
        """The `{"columns", "rows", "truncated"?}` string stored as expected/actual result: the first
        `limit` rows, each value cut to `max_chars` (the comparison has already used the full rows)."""
        rows, cut = preview_rows(self.rows, limit, max_chars)
        payload: dict[str, Any] = {"columns": list(self.columns), "rows": rows}
        if self.truncated or cut:
            payload["truncated"] = True
        return json.dumps(payload, separators=(",", ":"))


def preview_rows(rows: Sequence[Sequence], limit: int = PREVIEW_ROWS,
                 max_chars: int = MAX_VALUE_CHARS) -> tuple[list[list], bool]:
    """What a player or the app database ever gets of a result: at most `limit` rows of JSON values
    of at most `max_chars` characters each; True when rows or characters were left out."""
    truncated = len(rows) > limit
    shown = []
    for row in rows[:limit]:
        cells = []
        for value in row:
            cell, cut = preview_value(value, max_chars)
            truncated = truncated or cut
            cells.append(cell)
        shown.append(cells)
    return shown, truncated


def preview_value(value: Any, max_chars: int = MAX_VALUE_CHARS) -> tuple[Any, bool]:
    """One value as JSON, cut to `max_chars` characters; True when it was cut. A blob is hex-encoded
    from its head only, so a 10 MB blob never becomes a 20 MB string on the way."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        head = bytes(value[: max_chars // 2 + 1])
        return head.hex()[:max_chars], len(value) * 2 > max_chars
    cell = json_value(value)
    if isinstance(cell, str) and len(cell) > max_chars:
        return cell[:max_chars], True
    return cell, False


def json_value(value: Any) -> Any:
    """Turns engine values (Decimal, date, bytes, …) into JSON-friendly ones."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, decimal.Decimal):
        number = float(value) if value.is_finite() else math.inf
        return number if math.isfinite(number) else str(value)   # 1e400 is no JSON number
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


@dataclass
class Execution:
    """One run of a query on one dataset."""
    result: Optional[ResultSet] = None
    execution_ms: Optional[float] = None
    verdict: Optional[str] = None   # set only when the run itself decided it (TLE, RE, OLE, REJECTED)
    error: Optional[str] = None
    # The engine's class of error without its message (PostgreSQL: the SQLSTATE condition name,
    # SQLite: the exception class): all a player sees of an error on a hidden case (SPEC 9.7).
    error_class: Optional[str] = None
    timings_ms: list[float] = field(default_factory=list)
    # Work units the engine spent on one run of the query (SPEC 9.5): the same query on the same data
    # costs the same in every run and process. None when the run failed.
    cost: Optional[int] = None
