"""Result comparison rules (SPEC section 4), one rule per test, tricky cases included."""
import datetime as dt
from decimal import Decimal

from app.judge.compare import (ROWS_DIFFER, WRONG_COLUMN_COUNT, WRONG_COLUMN_NAMES, WRONG_ORDER, WRONG_ROW_COUNT,
                               Difference, compare)
from app.judge.ordering import Ordering
from app.judge.results import ResultSet


def rs(columns, *rows):
    return ResultSet(list(columns), [tuple(r) for r in rows])


def test_equal_multiset_in_any_order_without_order_by():
    ok, feedback = compare(rs("ab", (1, "x"), (2, "y")), rs("ab", (2, "y"), (1, "x")), None)
    assert ok and feedback is None


def test_duplicates_count():
    ok, feedback = compare(rs("a", (1,), (1,), (2,)), rs("a", (1,), (2,), (2,)), None)
    assert not ok and feedback == Difference(ROWS_DIFFER, "1 row differs from the expected result")


def test_column_count_first():
    assert compare(rs("ab", (1, 2)), rs("a", (1,)), None) == (
        False, Difference(WRONG_COLUMN_COUNT, "wrong column count: expected 2, got 1"))


def test_column_names_case_insensitive_and_optional():
    assert compare(rs(["Total"], (1,)), rs(["total"], (1,)), None) == (True, None)
    ok, feedback = compare(rs(["total"], (1,)), rs(["sum"], (1,)), None)
    assert not ok and feedback.kind == WRONG_COLUMN_NAMES
    assert feedback.detail == "wrong column names: expected (total), got (sum)"
    assert compare(rs(["total"], (1,)), rs(["sum"], (1,)), None, check_column_names=False) == (True, None)


def test_row_count_feedback():
    ok, feedback = compare(rs("a", (1,), (2,)), rs("a", (1,)), None)
    assert (ok, feedback) == (False, Difference(WRONG_ROW_COUNT, "wrong row count: expected 2, got 1"))


def test_numeric_tolerance_across_types():
    assert compare(rs("a", (Decimal("0.3"),)), rs("a", (0.1 + 0.2,)), None)[0]
    assert compare(rs("a", (10,)), rs("a", (10.0,)), None)[0]
    assert compare(rs("a", (1_000_000.0,)), rs("a", (1_000_000.5,)), None)[0]       # 5e-7 relative
    assert not compare(rs("a", (1_000_000.0,)), rs("a", (1_000_002.0,)), None)[0]   # 2e-6 relative


def test_null_is_not_empty_string_nor_zero():
    assert compare(rs("a", (None,)), rs("a", (None,)), None)[0]
    assert not compare(rs("a", (None,)), rs("a", ("",)), None)[0]
    assert not compare(rs("a", (None,)), rs("a", (0,)), None)[0]
    assert not compare(rs("a", ("1",)), rs("a", (1,)), None)[0]


def test_dates_compare_by_value():
    assert compare(rs("d", (dt.date(2024, 1, 2),)), rs("d", ("2024-01-02",)), None)[0]
    assert not compare(rs("d", (dt.date(2024, 1, 2),)), rs("d", ("2024-01-03",)), None)[0]


def test_order_matters_only_within_runs_of_tying_rows():
    expected = rs(["dept", "name"], ("a", "x"), ("a", "y"), ("b", "z"))
    ties_swapped = rs(["dept", "name"], ("a", "y"), ("a", "x"), ("b", "z"))
    wrong_order = rs(["dept", "name"], ("b", "z"), ("a", "x"), ("a", "y"))
    runs = Ordering(((0, 2), (2, 3)))
    assert compare(expected, ties_swapped, runs) == (True, None)
    assert compare(expected, wrong_order, runs) == (False, Difference(WRONG_ORDER, "right rows in the wrong order"))


def test_exact_ordering_allows_no_swap():
    expected = rs(["dept", "name"], ("a", "x"), ("a", "y"))
    swapped = rs(["dept", "name"], ("a", "y"), ("a", "x"))
    assert not compare(expected, swapped, Ordering.exact(2))[0]
    assert compare(expected, swapped, None)[0]


def test_rows_tying_at_the_limit_cut_may_replace_each_other():
    expected = rs("ab", (1, "p"), (2, "q"))
    cut = Ordering(((0, 1), (1, 2)), boundary=((2, "q"), (2, "r"), (2, "s")))
    assert compare(expected, rs("ab", (1, "p"), (2, "s")), cut) == (True, None)
    assert compare(expected, rs("ab", (1, "p"), (3, "t")), cut)[1].kind == ROWS_DIFFER
    assert compare(expected, rs("ab", (2, "r"), (1, "p")), cut)[1].kind == WRONG_ORDER
    assert compare(expected, rs("ab", (2, "q"), (2, "r")), cut)[1].kind == ROWS_DIFFER   # (1, "p") left out


def test_numeric_near_ties_still_match_as_multiset():
    expected = rs("ab", (1.0000001, "p"), (1.0, "q"))
    actual = rs("ab", (1.0, "p"), (1.0000001, "q"))
    assert compare(expected, actual, None)[0]


def test_feedback_never_contains_data():
    secret = "s3cr3t-value"
    ok, feedback = compare(rs("a", (secret,), ("b",)), rs("a", ("x",), ("b",)), None)
    assert not ok and secret not in feedback.detail and feedback.detail == "1 row differs from the expected result"


def test_kind_carries_no_count():
    """The kind (all a hidden case tells) is the same text whatever the sizes: no number can encode data."""
    cases = [
        (rs("ab", (1, 2)), rs("a", (1,)), rs("abc", (1, 2, 3))),
        (rs("a", (1,), (2,)), rs("a", (1,)), rs("a", *[(i,) for i in range(27)])),
        (rs("a", (1,), (2,)), rs("a", (1,), (3,)), rs("a", (7,), (8,))),
    ]
    for expected, one, other in cases:
        first, second = compare(expected, one, None)[1], compare(expected, other, None)[1]
        assert first.kind == second.kind and first.detail != second.detail
        assert not any(ch.isdigit() for ch in first.kind)


def test_nan_and_bytes():
    assert compare(rs("a", (float("nan"),)), rs("a", (float("nan"),)), None)[0]
    assert compare(rs("a", (b"\x01",)), rs("a", (memoryview(b"\x01"),)), None)[0]


def test_identical_fast_path_still_tells_booleans_from_numbers():
    assert not compare(rs("a", (True,)), rs("a", (1,)), None)[0]
    assert compare(rs("a", (1,), (2,)), rs("a", (1,), (2,)), Ordering.exact(2)) == (True, None)
    assert compare(rs("a", (1,)), rs("a", (1.0,)), None) == (True, None)   # numeric, via the full check
