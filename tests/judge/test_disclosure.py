"""What a player reads of a case (SPEC 9.7): everything on a visible case, kinds only on a hidden one."""
import pytest

from app.judge.compare import ROWS_DIFFER, WRONG_ROW_COUNT, Difference
from app.judge.disclosure import disclose
from app.judge.verdicts import (OUTPUT_LIMIT_EXCEEDED, REJECTED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED,
                                WRONG_ANSWER)

ROW_COUNT = Difference(WRONG_ROW_COUNT, "wrong row count: expected 27, got 14")
OUT_OF_RANGE = "date field value out of range: 2718-13-01"


def test_visible_case_keeps_message_and_counts():
    assert disclose(True, WRONG_ANSWER, None, None, ROW_COUNT) == (None, "wrong row count: expected 27, got 14")
    assert disclose(True, RUNTIME_ERROR, OUT_OF_RANGE, "datetime_field_overflow") == (OUT_OF_RANGE, None)


def test_hidden_wrong_answer_names_the_kind_only():
    assert disclose(False, WRONG_ANSWER, None, None, ROW_COUNT) == (None, "wrong row count")
    assert disclose(False, WRONG_ANSWER, None, None, Difference(ROWS_DIFFER, "3 rows differ")) == (
        None, "rows differ from the expected result")


@pytest.mark.parametrize("error_class, expected", [
    ("datetime_field_overflow", "runtime error (datetime_field_overflow)"),
    ("OperationalError", "runtime error (OperationalError)"),
    (None, "runtime error"),
    ("", "runtime error"),
    ("out of range: 2718", "runtime error"),        # not an identifier: could carry data
])
def test_hidden_runtime_error_shows_its_class_only(error_class, expected):
    assert disclose(False, RUNTIME_ERROR, OUT_OF_RANGE, error_class) == (expected, None)


def test_hidden_limits_and_refusals():
    assert disclose(False, TIME_LIMIT_EXCEEDED, "time limit of 2000 ms exceeded")[0] == "time limit exceeded"
    assert disclose(False, OUTPUT_LIMIT_EXCEEDED, "result of 9123456 bytes")[0] == "output limit exceeded"
    # The gate reads the query alone (never the data) and refuses it before it runs.
    assert disclose(False, REJECTED, "only SELECT queries are allowed")[0] == "only SELECT queries are allowed"
    assert disclose(False, None, "the reference solution failed: 2718-13-01")[0] == \
        "the judge could not judge this hidden test case"
