"""Result comparison (SPEC section 4): one checker per rule, run in order, first failure wins.

A checker returns None when its rule holds, else a `Difference`: its `kind` (no
number, no value: all a hidden case may tell, SPEC 9.7) and its `detail`, the
one-line feedback a visible case gives. Neither quotes result data.
"""
from __future__ import annotations

import datetime as _dt
import decimal
import math
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from app.judge.results import ResultSet

if TYPE_CHECKING:     # ordering reads its keys with this module's equality: the import goes one way
    from app.judge.ordering import Ordering

REL_TOL = 1e-6
ABS_TOL = 1e-9          # so 0 and 1e-12 (float noise) are equal
GREEDY_MATCH_LIMIT = 2000   # rows; above it numeric near-ties are matched after sorting only

WRONG_COLUMN_COUNT = "wrong column count"
WRONG_COLUMN_NAMES = "wrong column names"
WRONG_ROW_COUNT = "wrong row count"
WRONG_ORDER = "right rows in the wrong order"
ROWS_DIFFER = "rows differ from the expected result"


@dataclass(frozen=True)
class Difference:
    """Why a result was not accepted: `kind` is one of the constants above, `detail` adds the counts."""
    kind: str
    detail: str

    def __str__(self) -> str:
        return self.detail


Checker = Callable[[ResultSet, ResultSet], Optional[Difference]]


def compare(expected: ResultSet, actual: ResultSet, ordering: Optional["Ordering"],
            check_column_names: bool = True) -> tuple[bool, Optional[Difference]]:
    """(accepted, difference): the difference is None when accepted. `ordering` is None when the
    solution has no top-level ORDER BY (rows then compare as a multiset)."""
    checkers: list[Checker] = [check_column_count]
    if check_column_names:
        checkers.append(check_column_names_match)
    checkers.append(check_row_count)
    if ordering is not None and ordering.boundary is not None:
        checkers.append(lambda e, a: check_rows_within_cut(e, a, ordering))
    else:
        checkers.append(check_rows_multiset)
    if ordering is not None:
        checkers.append(lambda e, a: check_order(e, a, ordering))
    for checker in checkers:
        if checker is check_rows_multiset and identical_rows(expected.rows, actual.rows):
            return True, None   # the common case, decided at C speed: same rows, same order, same types
        feedback = checker(expected, actual)
        if feedback:
            return False, feedback
    return True, None


def identical_rows(expected: Sequence[Sequence[Any]], actual: Sequence[Sequence[Any]]) -> bool:
    """Equal row by row with equal value types (so True never passes for 1, nor 1 for 1.0 by accident)."""
    if expected != actual:
        return False
    return list(map(type, chain.from_iterable(expected))) == list(map(type, chain.from_iterable(actual)))


def check_column_count(expected: ResultSet, actual: ResultSet) -> Optional[Difference]:
    if len(expected.columns) != len(actual.columns):
        return Difference(WRONG_COLUMN_COUNT, f"{WRONG_COLUMN_COUNT}: expected {len(expected.columns)}, "
                                              f"got {len(actual.columns)}")
    return None


def check_column_names_match(expected: ResultSet, actual: ResultSet) -> Optional[Difference]:
    wanted = [str(c).lower() for c in expected.columns]
    got = [str(c).lower() for c in actual.columns]
    if wanted != got:
        return Difference(WRONG_COLUMN_NAMES, f"{WRONG_COLUMN_NAMES}: expected ({', '.join(wanted)}), "
                                              f"got ({', '.join(got)})")
    return None


def check_row_count(expected: ResultSet, actual: ResultSet) -> Optional[Difference]:
    if len(expected.rows) != len(actual.rows):
        return Difference(WRONG_ROW_COUNT, f"{WRONG_ROW_COUNT}: expected {len(expected.rows)}, got {len(actual.rows)}")
    return None


def check_rows_multiset(expected: ResultSet, actual: ResultSet) -> Optional[Difference]:
    return _rows_differ(count_unmatched(expected.rows, actual.rows))


def check_rows_within_cut(expected: ResultSet, actual: ResultSet, ordering: "Ordering") -> Optional[Difference]:
    """Under a LIMIT that cuts a tie group: the rows before the group, then any rows of the group."""
    before = expected.rows[:ordering.runs[-1][0]]
    missing = count_unmatched(before, actual.rows)
    foreign = count_unmatched(actual.rows, list(before) + list(ordering.boundary))
    return _rows_differ(max(missing, foreign))


def _rows_differ(differing: int) -> Optional[Difference]:
    if differing:
        noun = "row differs" if differing == 1 else "rows differ"
        return Difference(ROWS_DIFFER, f"{differing} {noun} from the expected result")
    return None


def check_order(expected: ResultSet, actual: ResultSet, ordering: "Ordering") -> Optional[Difference]:
    """Each run of rows tying on every sort key holds the same rows as expected, in any order (the
    last run, when the LIMIT cuts a tie group, any rows of that group)."""
    for start, end in ordering.runs:
        if end - start == 1 and ordering.boundary is None:
            in_place = rows_equal(expected.rows[start], actual.rows[start])
        elif ordering.boundary is not None and (start, end) == ordering.runs[-1]:
            in_place = not count_unmatched(actual.rows[start:end], ordering.boundary)
        else:
            in_place = not count_unmatched(expected.rows[start:end], actual.rows[start:end])
        if not in_place:
            return Difference(WRONG_ORDER, WRONG_ORDER)
    return None


# -- values ---------------------------------------------------------------

def normalize(value: Any) -> Any:
    """Plain comparable form: numbers as float, dates as ISO strings, bytes as bytes."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else float("nan")
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value)


def values_equal(a: Any, b: Any) -> bool:
    a, b = normalize(a), normalize(b)
    if isinstance(a, float) and isinstance(b, float) and not isinstance(a, bool) and not isinstance(b, bool):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return type(a) is type(b) and a == b


def rows_equal(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))


def sort_key(row: Sequence[Any]) -> tuple:
    """A total order over mixed values, numbers by value, so equal multisets sort alike."""
    key = []
    for value in row:
        value = normalize(value)
        if value is None:
            key.append((0, 0.0, ""))
        elif isinstance(value, bool):
            key.append((4, float(value), ""))
        elif isinstance(value, float):
            key.append((1, value, "") if not math.isnan(value) else (1, math.inf, "nan"))
        elif isinstance(value, str):
            key.append((2, 0.0, value))
        else:
            key.append((3, 0.0, bytes(value).hex()))
    return tuple(key)


def count_unmatched(expected: Sequence[Sequence[Any]], actual: Sequence[Sequence[Any]]) -> int:
    """How many expected rows find no equal actual row (multiset: duplicates count)."""
    if not any(isinstance(normalize(v), float) for row in expected for v in row):
        exact_e = Counter(map(sort_key, expected))     # typed keys: True and 1 stay apart
        exact_a = Counter(map(sort_key, actual))
        return sum((exact_e - exact_a).values())
    left = sorted(expected, key=sort_key)
    right = sorted(actual, key=sort_key)
    unmatched_left = [e for e, a in zip(left, right) if not rows_equal(e, a)]
    if not unmatched_left:
        return 0
    if len(left) > GREEDY_MATCH_LIMIT:
        return len(unmatched_left)
    remaining = list(right)   # tolerance can reorder near-equal rows: match greedily
    unmatched = 0
    for row in left:
        for position, candidate in enumerate(remaining):
            if rows_equal(row, candidate):
                del remaining[position]
                break
        else:
            unmatched += 1
    return unmatched
