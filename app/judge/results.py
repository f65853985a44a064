"""A query result as the judge sees it: column names and rows of plain values."""
from __future__ import annotations

import datetime as _dt
import decimal
import json
from dataclasses import dataclass, field
from typing import Any, Optional

PREVIEW_ROWS = 100


@dataclass
class ResultSet:
    columns: list[str]
    rows: list[tuple]
    truncated: bool = False      # True when the engine stopped at the row cap

    def to_json(self, limit: int = PREVIEW_ROWS) -> str:
        """The `{"columns", "rows", "truncated"?}` string stored as expected/actual result."""
        payload: dict[str, Any] = {
            "columns": list(self.columns),
            "rows": [[json_value(v) for v in row] for row in self.rows[:limit]],
        }
        if self.truncated or len(self.rows) > limit:
            payload["truncated"] = True
        return json.dumps(payload, separators=(",", ":"))


def json_value(value: Any) -> Any:
    """Turns engine values (Decimal, date, bytes, …) into JSON-friendly ones."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
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
