"""Sample data as tables (issue 13): each visible test case's tables as the sandbox loaded them.

Read by running queries on the loaded dataset, so what a player sees is what their query reads
(defaults, triggers and generated rows included), never a parse of the INSERT text. Hidden cases
never appear. Values are cut like results (`preview_rows`)."""
from __future__ import annotations

from app.concurrency import run_blocking
from app.errors import Invalid
from app.judge.engines.base import ChallengeInvalid
from app.judge.engines.samples import SAMPLE_ROWS, TableSample
from app.judge.events import TestCaseSpec
from app.judge.results import preview_rows


def sample_data(engines: dict, challenge, max_value_chars: int) -> list[dict]:
    """One item per visible case: `{test_case_id, tables}` or, when its data does not load, `{test_case_id, error}`."""
    engine = engines.get(challenge.engine)
    if engine is None:
        raise Invalid(f"the {challenge.engine} engine is not available on this server")
    visible = [TestCaseSpec(id=tc.id, data=tc.data, is_visible=True) for tc in challenge.test_cases if tc.is_visible]
    # Plain values only cross into the worker thread (the ORM object stays on this one).
    version, init, time_limit_ms = challenge.version, challenge.init, challenge.time_limit_ms
    return [run_blocking(_case_sample, engine, version, init, case, time_limit_ms, max_value_chars)
            for case in visible]


def _case_sample(engine, version: str, init: str, case: TestCaseSpec, time_limit_ms: int,
                 max_value_chars: int) -> dict:
    try:
        tables = engine.describe(version, init, case, SAMPLE_ROWS, time_limit_ms)
    except ChallengeInvalid as exc:
        return {"test_case_id": case.id, "tables": [], "error": f"the test data did not load: {exc}"}
    return {"test_case_id": case.id, "tables": [table_view(t, max_value_chars) for t in tables]}


def table_view(table: TableSample, max_value_chars: int) -> dict:
    rows, truncated = preview_rows(table.rows, SAMPLE_ROWS, max_value_chars)
    return {"name": table.name, "columns": table.columns, "rows": rows, "row_count": table.row_count,
            "truncated": truncated}
