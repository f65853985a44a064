"""Challenges and their test cases: validation on the chosen engine, visibility, versioning."""
from __future__ import annotations

from typing import Optional

from flask import current_app
from sqlalchemy import func

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.judge.engines import ENGINE_NAMES
from app.models import Challenge, TestCase, User
from app.models.challenge import CHALLENGE_TYPES
from app.models.timestamps import utcnow
from app.services import fields as f

MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 20_000
MAX_SQL_DATA_CHARS = 5 * 1024 * 1024
MAX_SOLUTION_CHARS = 100_000
MAX_TEST_CASES = 100
DEFAULT_TIME_LIMIT_MS = 2000
MAX_TIME_LIMIT_MS = 10_000


def can_manage(challenge: Challenge, user: User) -> bool:
    return user.role == "admin" or challenge.created_user_id == user.id


def get_challenge(challenge_id: int) -> Challenge:
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound("challenge not found")
    return challenge


def get_managed(challenge_id: int, user: User) -> Challenge:
    challenge = get_challenge(challenge_id)
    if not can_manage(challenge, user):
        raise Forbidden("only the challenge's creator and admins can change it")
    return challenge


def list_challenges(page: int, size: int, creator_id: Optional[int] = None) -> tuple[list[Challenge], int]:
    conditions = [] if creator_id is None else [Challenge.created_user_id == creator_id]
    total = db.session.execute(db.select(func.count(Challenge.id)).where(*conditions)).scalar_one()
    items = db.session.execute(
        db.select(Challenge).where(*conditions).order_by(Challenge.id).limit(size).offset(page * size)
    ).scalars().all()
    return list(items), total


def parse_test_case(body: dict, partial: bool = False) -> dict:
    values = {}
    data = f.string(body, "data", MAX_SQL_DATA_CHARS, required=not partial, allow_empty=True)
    if data is not None:
        values["data"] = data
    visible = f.boolean(body, "is_visible", default=None if partial else True)
    if visible is not None:
        values["is_visible"] = visible
    return values


def parse_challenge(body: dict, partial: bool) -> dict:
    """The challenge fields present in `body`; with `partial` (PUT) every field is optional."""
    required = not partial
    values = {
        "name": f.string(body, "name", MAX_NAME_CHARS, required=required),
        "description": f.string(body, "description", MAX_DESCRIPTION_CHARS, required=False, allow_empty=True),
        "type": f.choice(body, "type", CHALLENGE_TYPES, required=required),
        "engine": f.choice(body, "engine", ENGINE_NAMES, required=False, default=None if partial else "sqlite"),
        "init": f.string(body, "init", MAX_SQL_DATA_CHARS, required=required),
        "solution": f.string(body, "solution", MAX_SOLUTION_CHARS, required=required),
        "time_limit_ms": f.integer(body, "time_limit_ms", 1, MAX_TIME_LIMIT_MS, required=False,
                                   default=None if partial else DEFAULT_TIME_LIMIT_MS),
        "check_column_names": f.boolean(body, "check_column_names", default=None if partial else True),
    }
    values = {k: v for k, v in values.items() if v is not None}
    cases = f.object_list(body, "test_cases", required=required, max_items=MAX_TEST_CASES)
    if cases is not None:
        if not cases:
            raise Invalid("a challenge needs at least one test case")
        values["test_cases"] = [parse_test_case(case) for case in cases]
    return values


def _validate_on_engine(challenge: Challenge, cases: list[TestCase]) -> None:
    current_app.extensions["sqlarena.judging"].validate_challenge(
        engine=challenge.engine, init=challenge.init, solution=challenge.solution,
        cases=[(index, tc.data) for index, tc in enumerate(cases, start=1)],
        time_limit_ms=challenge.time_limit_ms,
    )


def _save(challenge: Challenge) -> Challenge:
    """Validates the challenge as it would be judged, then commits it with a fresh version."""
    try:
        _validate_on_engine(challenge, list(challenge.test_cases))
        db.session.flush()  # test-case ids take part in the version
        version = challenge.compute_version()
        changed = bool(challenge.version) and challenge.version != version
        challenge.version = version
        challenge.updated_at = utcnow()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if changed:
        _sweep_sandbox(challenge.engine)
    return challenge


def create_challenge(user: User, body: dict) -> Challenge:
    values = parse_challenge(body, partial=False)
    cases = values.pop("test_cases")
    challenge = Challenge(created_user_id=user.id, **values)
    challenge.test_cases = [TestCase(**case) for case in cases]
    db.session.add(challenge)
    return _save(challenge)


def update_challenge(challenge: Challenge, body: dict) -> Challenge:
    values = parse_challenge(body, partial=True)
    cases = values.pop("test_cases", None)
    for name, value in values.items():
        setattr(challenge, name, value)
    if cases is not None:
        challenge.test_cases = [TestCase(**case) for case in cases]
    return _save(challenge)


def delete_challenge(challenge: Challenge) -> int:
    challenge_id, engine = challenge.id, challenge.engine
    db.session.delete(challenge)
    db.session.commit()
    _sweep_sandbox(engine)
    return challenge_id


def _sweep_sandbox(engine: str) -> None:
    """A PostgreSQL challenge deleted or changed may leave sandbox datasets nobody uses."""
    if engine == "postgresql":
        current_app.extensions["sqlarena.judging"].sweep_sandbox()


def get_test_case(challenge: Challenge, test_case_id: int) -> TestCase:
    for case in challenge.test_cases:
        if case.id == test_case_id:
            return case
    raise NotFound("test case not found")


def add_test_case(challenge: Challenge, body: dict) -> TestCase:
    if len(challenge.test_cases) >= MAX_TEST_CASES:
        raise Invalid(f"a challenge has at most {MAX_TEST_CASES} test cases")
    case = TestCase(**parse_test_case(body))
    challenge.test_cases.append(case)
    _save(challenge)
    return case


def update_test_case(challenge: Challenge, case: TestCase, body: dict) -> TestCase:
    for name, value in parse_test_case(body, partial=True).items():
        setattr(case, name, value)
    _save(challenge)
    return case


def delete_test_case(challenge: Challenge, case: TestCase) -> int:
    if len(challenge.test_cases) <= 1:
        raise Conflict("a challenge needs at least one test case")
    case_id = case.id
    challenge.test_cases.remove(case)
    _save(challenge)
    return case_id
