"""The judge proper: gate the query, run it on every test case, compare, yield one event per case.

It is a generator so each case's completion can be published (and streamed to
the player) the moment it is known. The solution's result is cached per
(challenge_version, test case), so a busy challenge costs one solution run per
case, ever.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Optional

from app.judge.compare import Difference, compare
from app.judge.disclosure import disclose
from app.judge.engines import DIALECTS
from app.judge.engines.base import Engine
from app.judge.events import JobCompletionEvent, JobInitEvent, TestCaseSpec
from app.judge.gate import QueryRejected, check_query
from app.judge.ordering import Ordering, expected_ordering, sort_plan
from app.judge.results import Execution, ResultSet, preview_rows
from app.judge.settings import JudgeSettings
from app.judge.verdicts import ACCEPTED, COMPLETED, FAILED, REJECTED, WRONG_ANSWER

log = logging.getLogger("sqlarena.judge")
SOLUTION_TIME_FACTOR = 3          # the reference solution gets slack under load (it passed validation)
EXPECTED_CACHE_SIZE = 4096

LoadChallenge = Callable[[int, str], Mapping]


class JudgeError(Exception):
    """The judge cannot judge this job at all (the attempt becomes FAILED)."""


@dataclass
class Expected:
    """The solution's result and which reorderings of it are right (None: any, no ORDER BY)."""
    result: ResultSet
    ordering: Optional[Ordering]


class Judge:
    def __init__(self, engines: Mapping[str, Engine], settings: JudgeSettings, load_challenge: LoadChallenge):
        self.engines = engines
        self.settings = settings
        self.load_challenge = load_challenge
        self._expected: "OrderedDict[tuple, Expected]" = OrderedDict()
        self._lock = threading.Lock()

    def judge(self, job: JobInitEvent) -> Iterator[JobCompletionEvent]:
        try:
            engine = self._engine(job.engine)
            init, solution, cases = self._materials(job)
        except JudgeError as exc:
            log.error("cannot judge attempt_id=%s: %s", job.attempt_id, exc)
            yield self._event(job, None, FAILED, None, error=str(exc))
            return
        refusal = gate(job.query, engine.dialect, self.settings.max_query_chars)
        if refusal:
            for case in cases:
                yield self._event(job, case, COMPLETED, REJECTED, error=refusal)
            return
        for case in cases:
            try:
                expected = self._expected_result(engine, job.challenge_version, init, solution, case,
                                                 job.time_limit_ms)
            except JudgeError as exc:
                log.error("reference solution failed attempt_id=%s test_case_id=%s: %s",
                          job.attempt_id, case.id, exc)
                yield self._event(job, case, FAILED, None, error=str(exc))
                continue
            try:
                run = engine.execute(job.challenge_version, init, case, job.query, job.time_limit_ms,
                                     self.settings.max_rows, self.settings.timing_runs)
            except Exception as exc:   # the sandbox itself is down: not the player's fault
                log.exception("engine failure attempt_id=%s test_case_id=%s", job.attempt_id, case.id)
                yield self._event(job, case, FAILED, None, error=f"the judge could not run the query: "
                                                                 f"{type(exc).__name__}")
                continue
            yield self._case_event(job, case, expected, run)

    def preview(self, engine_name: str, challenge_version: str, init: str, solution: str,
                cases: list[TestCaseSpec], query: str, time_limit_ms: int,
                check_column_names: bool = True) -> list[dict]:
        """The Run button (SPEC 9.6): on each given (visible) case, the query's own result, the expected
        one and the verdict and feedback judging would give; nothing is stored."""
        engine = self._engine(engine_name)
        refusal = gate(query, engine.dialect, self.settings.max_query_chars)
        items = []
        for case in cases:
            try:
                expected = self._expected_result(engine, challenge_version, init, solution, case, time_limit_ms)
            except JudgeError as exc:
                log.error("reference solution failed on preview test_case_id=%s: %s", case.id, exc)
                expected = None
            if refusal:
                items.append(_preview_item(case.id, None, refusal, expected, REJECTED))
                continue
            run = engine.execute(challenge_version, init, case, query, time_limit_ms, self.settings.max_rows, 1)
            verdict, feedback = run.verdict, None
            if not verdict and expected is not None:
                accepted, difference = compare(expected.result, run.result, expected.ordering, check_column_names)
                verdict = ACCEPTED if accepted else WRONG_ANSWER
                feedback = difference.detail if difference is not None else None
            items.append(_preview_item(case.id, run, run.error if run.verdict else None, expected, verdict, feedback))
        return items

    # -- pieces ------------------------------------------------------------------
    def _engine(self, name: str) -> Engine:
        engine = self.engines.get(name)
        if engine is None:
            raise JudgeError(f"the {name} engine is not available on this judge")
        return engine

    def _materials(self, job: JobInitEvent) -> tuple[str, str, list[TestCaseSpec]]:
        if job.is_inline and all(case.data is not None for case in job.test_cases):
            return job.init, job.solution, list(job.test_cases)
        try:
            stored = self.load_challenge(job.challenge_id, job.challenge_version)
        except LookupError as exc:
            raise JudgeError(str(exc)) from None
        return stored["init"], stored["solution"], list(stored["test_cases"])

    def _expected_result(self, engine: Engine, challenge_version: str, init: str, solution: str,
                         case: TestCaseSpec, time_limit_ms: int) -> Expected:
        key = (engine.name, challenge_version, case.id)
        with self._lock:
            cached = self._expected.get(key)
            if cached is not None:
                self._expected.move_to_end(key)
                return cached
        run = self._run_solution(engine, challenge_version, init, case, solution, time_limit_ms)
        if run.verdict or run.result is None:
            raise JudgeError(f"the reference solution failed on test case {case.id}: {run.error}")
        plan = sort_plan(solution, DIALECTS.get(engine.name, engine.dialect))
        if plan is None:
            expected = Expected(run.result, None)
        else:
            widened = self._widened_result(engine, challenge_version, init, case, plan.query, time_limit_ms)
            expected = Expected(*expected_ordering(plan, run.result, widened))
        if not challenge_version:
            return expected   # unsaved content has no version to remember it by
        with self._lock:
            self._expected[key] = expected
            while len(self._expected) > EXPECTED_CACHE_SIZE:
                self._expected.popitem(last=False)
        return expected

    def _run_solution(self, engine: Engine, challenge_version: str, init: str, case: TestCaseSpec, query: str,
                      time_limit_ms: int) -> Execution:
        try:
            return engine.execute(challenge_version, init, case, query, time_limit_ms * SOLUTION_TIME_FACTOR,
                                  self.settings.max_rows, 1)
        except Exception as exc:
            raise JudgeError(f"the sandbox failed on test case {case.id}: {type(exc).__name__}") from exc

    def _widened_result(self, engine: Engine, challenge_version: str, init: str, case: TestCaseSpec,
                        query: Optional[str], time_limit_ms: int) -> Optional[ResultSet]:
        """The solution with its hidden sort keys shown and no LIMIT; None when not needed or failed
        (e.g. more rows than the cap without its LIMIT): order is then read from the solution's result."""
        if query is None:
            return None
        try:
            run = self._run_solution(engine, challenge_version, init, case, query, time_limit_ms)
        except JudgeError as exc:
            run = Execution(error=str(exc), verdict=FAILED)
        if run.verdict or run.result is None:
            log.warning("the solution widened with its sort keys failed on test case %s: %s", case.id, run.error)
            return None
        return run.result

    def _case_event(self, job: JobInitEvent, case: TestCaseSpec, expected: Expected,
                    run: Execution) -> JobCompletionEvent:
        actual_json = run.result.to_json() if run.result is not None else None
        if run.verdict:
            return self._event(job, case, COMPLETED, run.verdict, run.execution_ms, expected.result.to_json(),
                               actual_json, error=run.error, error_class=run.error_class)
        accepted, difference = compare(expected.result, run.result, expected.ordering, job.check_column_names)
        return self._event(job, case, COMPLETED, ACCEPTED if accepted else WRONG_ANSWER, run.execution_ms,
                           expected.result.to_json(), actual_json, difference=difference, cost=run.cost)

    @staticmethod
    def _event(job: JobInitEvent, case: Optional[TestCaseSpec], status: str, verdict: Optional[str],
               execution_ms: Optional[float] = None, expected_json: Optional[str] = None,
               actual_json: Optional[str] = None, error: Optional[str] = None, error_class: Optional[str] = None,
               difference: Optional[Difference] = None, cost: Optional[int] = None) -> JobCompletionEvent:
        """The case's event, its texts already cut to what the player may read (`disclose`)."""
        visible = case is None or case.is_visible
        error, feedback = disclose(visible, verdict, error, error_class, difference)
        return JobCompletionEvent(
            attempt_id=job.attempt_id, user_id=job.user_id, challenge_id=job.challenge_id,
            test_case_id=case.id if case else None, status=status, verdict=verdict, execution_ms=execution_ms,
            score=1.0 if verdict == ACCEPTED else 0.0, expected_result=expected_json, actual_result=actual_json,
            error=error, feedback=feedback, is_visible=case.is_visible if case else True,
            room_id=job.room_id, challenge_version=job.challenge_version, cost=cost,
        )


@lru_cache(maxsize=256)
def gate(query: str, dialect: str, max_chars: int) -> Optional[str]:
    """The gate's refusal, or None. Remembered: rejudges and repeated queries skip the parse."""
    try:
        check_query(query, dialect, max_chars)
    except QueryRejected as exc:
        return str(exc)
    return None


def _preview_item(test_case_id: int, run: Optional[Execution], error: Optional[str],
                  expected: Optional[Expected] = None, verdict: Optional[str] = None,
                  feedback: Optional[str] = None) -> dict:
    """One case of the Run button, cut exactly like a stored result (SPEC 9.7: rows and characters)."""
    result = run.result if run is not None else None
    rows, cut = preview_rows(result.rows if result is not None else [])
    return {
        "test_case_id": test_case_id,
        "columns": list(result.columns) if result is not None else [],
        "rows": rows,
        "truncated": cut or bool(result is not None and result.truncated),
        "execution_ms": run.execution_ms if run is not None else None,
        "error": error,
        "expected": _preview_result(expected.result) if expected is not None else None,
        "verdict": verdict,
        "feedback": feedback,
    }


def _preview_result(result: ResultSet) -> dict:
    rows, cut = preview_rows(result.rows)
    return {"columns": list(result.columns), "rows": rows, "truncated": cut or bool(result.truncated)}
