"""What a player may read of one judged test case (SPEC 4 and 9.7): the one rule, used for every case.

A visible case tells everything: the engine's message, the feedback with its
counts. A hidden case tells only kinds: any number or value in a text could
carry hidden data (a query can turn a secret into its row count, or into an
error message such as `date field value out of range: 2024-13-01`), so its
WRONG_ANSWER names the kind of difference and its engine error the class of
error (`runtime error (division_by_zero)`), never the message.
"""
from __future__ import annotations

import re
from typing import Optional

from app.judge.compare import Difference
from app.judge.verdicts import OUTPUT_LIMIT_EXCEEDED, REJECTED, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED

# An engine's error class is an identifier (`division_by_zero`, `OperationalError`); anything else
# is not trusted to be free of data and is left out.
ERROR_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,63}$")
HIDDEN_VERDICT_TEXT = {
    TIME_LIMIT_EXCEEDED: "time limit exceeded",
    OUTPUT_LIMIT_EXCEEDED: "output limit exceeded",
}
HIDDEN_JUDGE_FAILURE = "the judge could not judge this hidden test case"


def disclose(visible: bool, verdict: Optional[str], error: Optional[str], error_class: Optional[str] = None,
             difference: Optional[Difference] = None) -> tuple[Optional[str], Optional[str]]:
    """(error, feedback) as the player will read them, for a case judged `verdict`."""
    feedback = None if difference is None else (difference.detail if visible else difference.kind)
    if visible or not error:
        return error, feedback
    return hidden_error(verdict, error, error_class), feedback


def hidden_error(verdict: Optional[str], error: str, error_class: Optional[str]) -> str:
    """A hidden case's error: the gate's refusal as is (it reads the query alone, never the data),
    else a fixed text per verdict, a runtime error with its class when the engine named one."""
    if verdict == REJECTED:
        return error
    if verdict == RUNTIME_ERROR:
        return f"runtime error ({error_class})" if error_class and ERROR_CLASS.match(error_class) \
            else "runtime error"
    return HIDDEN_VERDICT_TEXT.get(verdict, HIDDEN_JUDGE_FAILURE)
