"""Order up to the solution's sort keys (SPEC 4): the plan read from the solution, the runs read from
its result, and judging on both engines (hidden keys, NULL placement, LIMIT ties, fallbacks)."""
from __future__ import annotations

import uuid

import pytest

from app.judge.engines.postgres import PostgresEngine
from app.judge.engines.sqlite import SqliteEngine
from app.judge.events import TestCaseSpec
from app.judge.ordering import Ordering, SortPlan, expected_ordering, runs_of, sort_plan
from app.judge.results import ResultSet
from app.judge.runner import Judge
from app.judge.settings import JudgeSettings
from app.judge.verdicts import ACCEPTED, WRONG_ANSWER
from tests.services_env import PG_ADMIN_URL, unavailable


# -- the plan -------------------------------------------------------------------------------------

def test_no_top_level_order_by_means_any_order():
    assert sort_plan("SELECT a FROM t", "sqlite") is None
    assert sort_plan("SELECT a FROM (SELECT a FROM t ORDER BY a) s", "sqlite") is None   # inner ORDER BY


def test_output_keys_need_no_second_run():
    plan = sort_plan("SELECT name, salary AS s, count(*) FROM e GROUP BY 1, 2 ORDER BY s DESC, 1, count(*)",
                     "postgres")
    assert plan == SortPlan(keys=(1, 0, 2))
    assert sort_plan("SELECT dept, score FROM e ORDER BY 2", "sqlite") == SortPlan(keys=(1,))
    assert sort_plan("SELECT dept, score AS s FROM e ORDER BY s", "sqlite") == SortPlan(keys=(1,))
    assert sort_plan("SELECT dept, score + 1 FROM e ORDER BY score + 1", "sqlite") == SortPlan(keys=(1,))


def test_hidden_keys_are_appended_as_extra_columns():
    plan = sort_plan("SELECT dept FROM e ORDER BY score DESC NULLS FIRST, lower(dept)", "postgres")
    assert plan.keys == (1, 2) and plan.limit is None and not plan.exact
    assert "sqlarena_sort_key_0" in plan.query and "sqlarena_sort_key_1" in plan.query
    assert plan.query.startswith("SELECT dept, score AS sqlarena_sort_key_0, LOWER(dept) AS sqlarena_sort_key_1")
    qualified = sort_plan("SELECT name FROM e ORDER BY e.name", "sqlite")     # appended: always right
    assert qualified.keys == (1,) and "e.name AS sqlarena_sort_key_0" in qualified.query


def test_a_limit_is_left_out_of_the_second_run():
    plan = sort_plan("SELECT dept, score FROM e ORDER BY score LIMIT 3", "sqlite")
    assert plan.keys == (1,) and plan.limit == 3 and "LIMIT" not in plan.query.upper()
    kept = sort_plan("SELECT dept FROM e ORDER BY score LIMIT 3 OFFSET 1", "sqlite")
    assert kept.limit is None and "LIMIT 3" in kept.query and "OFFSET 1" in kept.query


def test_star_keys_are_looked_up_by_name_and_union_keys_by_output():
    assert sort_plan("SELECT * FROM e ORDER BY score", "sqlite").keys == ("score",)
    assert sort_plan("SELECT a FROM t UNION SELECT b FROM u ORDER BY a", "sqlite") == SortPlan(keys=(0,))
    assert sort_plan("SELECT * FROM t UNION ALL SELECT * FROM u ORDER BY a", "sqlite") == SortPlan(keys=("a",))


def test_keys_that_cannot_be_appended_fall_back_to_exact_order_with_a_warning():
    distinct = sort_plan("SELECT DISTINCT dept FROM e ORDER BY score", "sqlite")
    assert distinct.exact and "DISTINCT" in distinct.warning and "score" in distinct.warning
    union = sort_plan("SELECT a FROM t UNION SELECT b FROM u ORDER BY a + 1", "sqlite")
    assert union.exact and "set operation" in union.warning
    assert not sort_plan("SELECT DISTINCT dept FROM e ORDER BY dept", "sqlite").exact


# -- the runs -------------------------------------------------------------------------------------

def test_runs_group_equal_keys_and_null_ties_with_null():
    assert runs_of([(None,), (None,), (1,), (1.0000000001,), ("1",)]) == ((0, 2), (2, 4), (4, 5))
    assert runs_of([]) == ()


def test_runs_from_the_solution_own_result():
    result = ResultSet(["d", "s"], [("a", None), ("b", None), ("c", 1)])
    assert expected_ordering(SortPlan(keys=(1,)), result, None) == (result, Ordering(((0, 2), (2, 3))))
    exact = SortPlan(warning="w")
    assert expected_ordering(exact, result, None)[1] == Ordering.exact(3)


def test_widened_result_gives_hidden_runs_and_the_tie_group_at_the_cut():
    plan = SortPlan(keys=(1,), query="q", limit=2)
    result = ResultSet(["d"], [("x",), ("y",)])
    widened = ResultSet(["d", "k"], [("x", 1), ("z", 2), ("y", 2), ("w", 2), ("v", 3)])
    got, ordering = expected_ordering(plan, result, widened)
    assert got.rows == [("x",), ("z",)] and got.columns == ["d"]
    assert ordering == Ordering(((0, 1), (1, 2)), boundary=(("z",), ("y",), ("w",)))


def test_a_widened_result_that_disagrees_with_the_solution_means_exact_order():
    plan = SortPlan(keys=(1,), query="q")
    result = ResultSet(["d"], [("x",), ("y",)])
    widened = ResultSet(["d", "k"], [("x", 1), ("q", 1)])     # e.g. random() or a rewrite gone wrong
    assert expected_ordering(plan, result, widened) == (result, Ordering.exact(2))
    assert expected_ordering(plan, result, None) == (result, Ordering.exact(2))   # second run failed


# -- judging on both engines ----------------------------------------------------------------------

INIT = "CREATE TABLE e (id INTEGER, dept TEXT, grp INTEGER, score INTEGER);"
DATA = ("INSERT INTO e VALUES (1, 'a', NULL, 10), (2, 'b', 1, 20), (3, 'c', 1, 10), (4, 'd', NULL, 30), "
        "(5, 'e', 2, 20), (6, 'f', 2, 10), (7, 'a', NULL, 10);")
CASE = TestCaseSpec(id=1, data=DATA, is_visible=True)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def judge(request):
    if request.param == "sqlite":
        engine = SqliteEngine(JudgeSettings())
    else:
        engine = PostgresEngine(PG_ADMIN_URL, JudgeSettings())
        problem = engine.health()
        if problem:
            unavailable(f"PostgreSQL sandbox: {problem}")
    yield Judge({engine.name: engine}, JudgeSettings(timing_runs=1), lambda *_: {})
    engine.close()


def verdict(judge: Judge, solution: str, query: str, check_column_names: bool = True) -> tuple[str, str]:
    (engine_name,) = judge.engines
    item, = judge.preview(engine_name, uuid.uuid4().hex, INIT, solution, [CASE], query, 2000, check_column_names)
    assert item["error"] is None, item
    return item["verdict"], item["feedback"]


def test_hidden_key_with_duplicates_accepts_any_tie_order(judge):
    solution = "SELECT dept FROM e ORDER BY score"
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY score, dept DESC")[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY score, id DESC")[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY dept") == (WRONG_ANSWER, "right rows in the wrong order")
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY score DESC")[0] == WRONG_ANSWER


def test_null_keys_sit_where_the_engine_puts_them(judge):
    solution = "SELECT dept FROM e ORDER BY grp"     # PostgreSQL: NULLs last for ASC; SQLite: first
    engine_name, = judge.engines
    same = "LAST" if engine_name == "postgresql" else "FIRST"
    other = "FIRST" if same == "LAST" else "LAST"
    assert verdict(judge, solution, f"SELECT dept FROM e ORDER BY grp NULLS {same}, dept DESC")[0] == ACCEPTED
    assert verdict(judge, solution, f"SELECT dept FROM e ORDER BY grp NULLS {other}, dept")[0] == WRONG_ANSWER


def test_desc_nulls_first(judge):
    solution = "SELECT dept FROM e ORDER BY grp DESC NULLS FIRST"
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY grp DESC NULLS FIRST, id DESC")[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY grp DESC NULLS LAST, id")[0] == WRONG_ANSWER


def test_expression_keys(judge):
    solution = "SELECT id FROM e ORDER BY score * -1"
    assert verdict(judge, solution, "SELECT id FROM e ORDER BY score DESC, id")[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT id FROM e ORDER BY score, id")[0] == WRONG_ANSWER


@pytest.mark.parametrize("solution", ["SELECT dept, score FROM e ORDER BY 2",
                                      "SELECT dept, score AS s FROM e ORDER BY s",
                                      "SELECT dept, score FROM e WHERE score < 20 UNION ALL "
                                      "SELECT dept, score FROM e WHERE score >= 20 ORDER BY score"])
def test_positional_alias_and_union_keys(judge, solution):
    tie_order = "SELECT dept, score FROM e ORDER BY score, id DESC"
    assert verdict(judge, solution, tie_order, check_column_names=False)[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT dept, score FROM e ORDER BY score DESC", False)[0] == WRONG_ANSWER


def test_order_by_inside_a_subquery_does_not_count(judge):
    solution = "SELECT dept FROM (SELECT dept FROM e ORDER BY score) s"
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY dept DESC")[0] == ACCEPTED


def test_rows_tying_at_the_limit_cut(judge):
    solution = "SELECT dept FROM e ORDER BY score LIMIT 2"     # four rows tie at score 10
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY score, dept DESC LIMIT 2")[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY score, id LIMIT 2")[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT dept FROM e ORDER BY score DESC LIMIT 2")[0] == WRONG_ANSWER
    visible = "SELECT dept, score FROM e ORDER BY score LIMIT 5"  # the cut splits the two rows of score 20
    assert verdict(judge, visible, "SELECT dept, score FROM e ORDER BY score, dept DESC LIMIT 5")[0] == ACCEPTED
    assert verdict(judge, visible, "SELECT dept, score FROM e ORDER BY score, dept LIMIT 4")[0] == WRONG_ANSWER


def test_distinct_with_a_hidden_key_is_checked_exactly():
    """SQLite only: PostgreSQL refuses SELECT DISTINCT ordered by a key outside its list."""
    engine = SqliteEngine(JudgeSettings())
    judge = Judge({engine.name: engine}, JudgeSettings(timing_runs=1), lambda *_: {})
    solution = "SELECT DISTINCT dept FROM e ORDER BY score, id"
    assert verdict(judge, solution, "SELECT DISTINCT dept FROM e ORDER BY score, id")[0] == ACCEPTED
    assert verdict(judge, solution, "SELECT DISTINCT dept FROM e ORDER BY score, id DESC")[0] == WRONG_ANSWER
    engine.close()
