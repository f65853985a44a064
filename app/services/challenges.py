"""Challenges and their test cases: validation on the chosen engine, visibility, versioning."""
from __future__ import annotations

from typing import Optional

from flask import current_app
from sqlalchemy import func

from sqlalchemy.exc import IntegrityError

from app.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from app.extensions import db, judging
from app.judge.engines import ENGINE_NAMES
from app.judge.verdicts import ACCEPTED, COMPLETED
from app.limits import LIMITS
from app.models import Attempt, Challenge, ChallengeBest, ChallengeTag, HintReveal, Room, RoomChallenge, RoomPlayer, TestCase, User
from app.models import challenge_version as challenge_versions
from app.models.challenge import CHALLENGE_TYPES, DIFFICULTIES, VISIBILITIES
from app.models.timestamps import utcnow
from app.services import fields as f
from app.services import permissions
from app.services.visibility import can_publish, can_see, visible_condition

MAX_NAME_CHARS = LIMITS.name_chars
MAX_DESCRIPTION_CHARS = LIMITS.description_chars
MAX_SQL_DATA_CHARS = LIMITS.sql_data_chars
MAX_SOLUTION_CHARS = LIMITS.query_chars
MAX_TEST_CASES = LIMITS.test_cases
DEFAULT_TIME_LIMIT_MS = 2000
MAX_TIME_LIMIT_MS = LIMITS.time_limit_ms
MAX_TAGS, MAX_TAG_CHARS = LIMITS.tags, LIMITS.tag_chars
MAX_HINTS, MAX_HINT_CHARS = LIMITS.hints, LIMITS.hint_chars
MAX_EXPLANATION_CHARS = LIMITS.explanation_chars
MAX_SEARCH_CHARS = LIMITS.search_chars


def can_manage(challenge: Challenge, user: User) -> bool:
    return permissions.is_creator_or_admin(challenge, user)


def get_challenge(challenge_id: int, viewer: User) -> Challenge:
    """The challenge if `viewer` may see it; one they may not see does not exist for them (404)."""
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or not can_see(challenge, viewer):
        raise NotFound("challenge not found")
    return challenge


def get_managed(challenge_id: int, user: User) -> Challenge:
    challenge = get_challenge(challenge_id, user)
    if not can_manage(challenge, user):
        raise Forbidden("only the challenge's creator and admins can change it")
    return challenge


def list_challenges(viewer: User, page: int, size: int, creator_id: Optional[int] = None, q: Optional[str] = None,
                    tag: Optional[str] = None, difficulty: Optional[str] = None,
                    solved: Optional[bool] = None) -> tuple[list[Challenge], int]:
    """The challenges `viewer` may see, filtered; each filter narrows through an index (creator, tag,
    difficulty, the viewer's bests), `q` then matches name or description case-insensitively."""
    conditions = [visible_condition(viewer)]
    if creator_id is not None:
        conditions.append(Challenge.created_user_id == creator_id)
    if tag:
        conditions.append(Challenge.id.in_(db.select(ChallengeTag.challenge_id).where(ChallengeTag.tag == tag.lower())))
    if difficulty:
        if difficulty not in DIFFICULTIES:
            raise BadRequest(f"'difficulty' must be one of {', '.join(DIFFICULTIES)}")
        conditions.append(Challenge.difficulty == difficulty)
    if solved is not None:
        mine = db.select(ChallengeBest.challenge_id).where(ChallengeBest.user_id == viewer.id,
                                                           ChallengeBest.first_accepted_at.is_not(None))
        conditions.append(Challenge.id.in_(mine) if solved else Challenge.id.not_in(mine))
    if q:
        pattern = f.substring_pattern(q)
        conditions.append(func.lower(Challenge.name).like(pattern, escape="\\")
                          | func.lower(Challenge.description).like(pattern, escape="\\"))
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
    values.update({
        "visibility": f.choice(body, "visibility", VISIBILITIES, required=False,
                               default=None if partial else "public"),
        "explanation": f.string(body, "explanation", MAX_EXPLANATION_CHARS, required=False, allow_empty=True),
        "hints": f.string_list(body, "hints", MAX_HINTS, MAX_HINT_CHARS),
        "tags": _tags(body),
    })
    values = {k: v for k, v in values.items() if v is not None}
    # Fields where an explicit null means "clear it".
    if "difficulty" in body:
        values["difficulty"] = f.choice(body, "difficulty", DIFFICULTIES, required=False)
    release_at = f.optional_datetime(body, "release_at")
    if release_at is not f.MISSING:
        values["release_at"] = release_at
    cases = f.object_list(body, "test_cases", required=required, max_items=MAX_TEST_CASES)
    if cases is not None:
        if not cases:
            raise Invalid("a challenge needs at least one test case")
        values["test_cases"] = [parse_test_case(case) for case in cases]
    return values


def _tags(body: dict) -> Optional[list[str]]:
    tags = f.string_list(body, "tags", MAX_TAGS, MAX_TAG_CHARS)
    return None if tags is None else list(dict.fromkeys(tag.strip().lower() for tag in tags))


def _check_publish(user: User, visibility: Optional[str]) -> None:
    roles = current_app.config["CHALLENGE_PUBLISH_ROLES"]
    if visibility in ("public", "room") and not can_publish(user, roles):
        raise Forbidden(f"a {user.role} can only create draft challenges here (CHALLENGE_PUBLISH_ROLES: "
                        f"{', '.join(roles)})")


def _validate_on_engine(challenge: Challenge, cases: list[TestCase]) -> None:
    judging.validate_challenge(
        engine=challenge.engine, init=challenge.init, solution=challenge.solution,
        cases=[(index, tc.data) for index, tc in enumerate(cases, start=1)],
        time_limit_ms=challenge.time_limit_ms,
    )


def _stamp_version(challenge: Challenge) -> bool:
    """Sets the content-hash version (after a flush: test-case ids take part) and keeps a snapshot of it
    for attempts that still reference it; True when an existing version changed."""
    version = challenge.compute_version()
    changed = bool(challenge.version) and challenge.version != version
    challenge.version = version
    challenge.updated_at = utcnow()
    challenge_versions.remember(challenge)
    return changed


def _save(challenge: Challenge) -> Challenge:
    """Validates the challenge as it would be judged, then commits it with a fresh version."""
    try:
        _validate_on_engine(challenge, list(challenge.test_cases))
        db.session.flush()  # test-case ids take part in the version
        changed = _stamp_version(challenge)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if changed:
        _sweep_sandbox(challenge.engine)
    return challenge


def build_challenge(user: User, body: dict) -> Challenge:
    """A new challenge from a POST body, checked field by field but not yet on the engine nor stored."""
    values = parse_challenge(body, partial=False)
    _check_publish(user, values["visibility"])
    cases = values.pop("test_cases")
    challenge = Challenge(created_user_id=user.id, **values)
    challenge.test_cases = [TestCase(**case) for case in cases]
    return challenge


def validate_on_engine(challenge: Challenge) -> None:
    """init + every test case loads and the solution runs within the limit (422 otherwise)."""
    _validate_on_engine(challenge, list(challenge.test_cases))


def validation_warnings(challenge: Challenge) -> list[str]:
    """What validation noticed without refusing: e.g. order checked exactly (SPEC 4), never silently."""
    return judging.order_warnings(challenge.engine, challenge.solution)


def store_validated(challenges: list[Challenge]) -> list[Challenge]:
    """Stores already validated challenges in one short transaction (their versions need the case ids)."""
    try:
        db.session.add_all(challenges)
        db.session.flush()
        for challenge in challenges:
            _stamp_version(challenge)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return challenges


def create_challenge(user: User, body: dict) -> Challenge:
    challenge = build_challenge(user, body)
    db.session.add(challenge)
    return _save(challenge)


def update_challenge(challenge: Challenge, body: dict, user: User) -> Challenge:
    values = parse_challenge(body, partial=True)
    _check_publish(user, values.get("visibility"))
    cases = values.pop("test_cases", None)
    for name, value in values.items():
        setattr(challenge, name, value)
    if cases is not None:
        _retire(challenge, list(challenge.test_cases))
        challenge.test_cases.extend(TestCase(**case) for case in cases)
    return _save(challenge)


def _retire(challenge: Challenge, cases: list[TestCase]) -> None:
    """Takes cases out of the challenge while keeping their rows (see Challenge.test_cases)."""
    now = utcnow()
    for case in cases:
        case.retired_at = now
    db.session.flush()
    db.session.expire(challenge, ["test_cases"])


def delete_challenge(challenge: Challenge) -> int:
    challenge_id, engine = challenge.id, challenge.engine
    db.session.delete(challenge)
    db.session.commit()
    _sweep_sandbox(engine)
    return challenge_id


def _sweep_sandbox(engine: str) -> None:
    """A PostgreSQL challenge deleted or changed may leave sandbox datasets nobody uses."""
    if engine == "postgresql":
        judging.sweep_sandbox()


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
    _retire(challenge, [case])
    _save(challenge)
    return case_id


def _revealed_count(challenge: Challenge, user: User) -> int:
    return db.session.execute(
        db.select(func.count()).select_from(HintReveal)
        .where(HintReveal.user_id == user.id, HintReveal.challenge_id == challenge.id)).scalar_one()


def revealed_hints(challenge: Challenge, user: User) -> dict:
    """What the caller revealed so far, so another browser or device shows the same hints."""
    hints = challenge.hints
    revealed = min(_revealed_count(challenge, user), len(hints))
    return {"revealed": hints[:revealed], "remaining": len(hints) - revealed}


def reveal_next_hint(challenge: Challenge, user: User) -> dict:
    """Reveals the caller's next hint (stored, so a room can charge for it); 404 past the last one."""
    hints = challenge.hints
    for _ in range(3):   # two tabs asking at once: the loser of the insert race reads again
        revealed = _revealed_count(challenge, user)
        if revealed >= len(hints):
            raise NotFound("no more hints for this challenge" if hints else "this challenge has no hints")
        db.session.add(HintReveal(user_id=user.id, challenge_id=challenge.id, hint_index=revealed))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return {"index": revealed, "text": hints[revealed], "revealed": hints[:revealed + 1],
                "remaining": len(hints) - revealed - 1}
    raise Conflict("hints are being revealed concurrently; try again")


def solution_for(challenge: Challenge, user: User) -> dict:
    """The solution and explanation, once the caller solved the challenge or a room using it that they
    played or watched is finished (the creator and admins always)."""
    if not (can_manage(challenge, user) or _has_solved(challenge, user) or _saw_it_in_a_finished_room(challenge, user)):
        raise Forbidden("the solution unlocks once you have solved this challenge "
                        "or a room using it that you took part in has finished")
    return {"challenge_id": challenge.id, "solution": challenge.solution, "explanation": challenge.explanation or ""}


def _has_solved(challenge: Challenge, user: User) -> bool:
    return db.session.execute(
        db.select(Attempt.id).where(Attempt.user_id == user.id, Attempt.challenge_id == challenge.id,
                                    Attempt.status == COMPLETED, Attempt.verdict == ACCEPTED).limit(1)
    ).first() is not None


def _saw_it_in_a_finished_room(challenge: Challenge, user: User) -> bool:
    return db.session.execute(
        db.select(Room.id)
        .join(RoomChallenge, RoomChallenge.room_id == Room.id)
        .join(RoomPlayer, RoomPlayer.room_id == Room.id)
        .where(RoomChallenge.challenge_id == challenge.id, RoomPlayer.user_id == user.id, Room.state == "FINISHED")
        .limit(1)
    ).first() is not None
