"""The one rule for what of a case result a reader sees; free of models so the model can use it too."""
from __future__ import annotations


def case_result_view(case: dict, reveal_hidden: bool) -> dict:
    """A case result (a stored one or a live progress event): a hidden case's expected and actual results
    only when the reader may see hidden data (app.services.permissions.may_see_hidden); its outcome always."""
    if case.get("is_visible") or reveal_hidden:
        return case
    return {**case, "expected_result": None, "actual_result": None}
