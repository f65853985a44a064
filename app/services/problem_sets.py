"""Problem sets (SPEC 9.2): many challenges in one JSON or YAML document, imported all or nothing.

Import validates every challenge first — fields, then init, data and solution on
the engine, which may take minutes for a big PostgreSQL set — without holding a
transaction on the app database, then stores them all in one short transaction.
Export writes the same document back (ids aside), so a set survives a round trip.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

import yaml

from app.errors import ApiError, BadRequest, Forbidden, Invalid, PayloadTooLarge
from app.extensions import db
from app.limits import LIMITS
from app.models import Challenge, User
from app.services import challenges as challenge_service

FORMAT = "sqlarena-problem-set/1"
MAX_CHALLENGES = LIMITS.problem_set_challenges
MAX_DOCUMENT_BYTES = LIMITS.problem_set_bytes
IMPORT_ROLES = ("admin", "instructor")
# The order of a challenge's keys in an exported document (the POST body's fields).
EXPORT_FIELDS = ("name", "description", "type", "engine", "difficulty", "tags", "visibility", "release_at",
                 "time_limit_ms", "check_column_names", "init", "solution", "hints", "explanation", "test_cases")

Progress = Callable[[int, str], None]   # (index, challenge name) after each challenge is validated


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a 'billion laughs' document cannot expand in memory."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(None, None, "aliases are not allowed in a problem set",
                                                    event.start_mark)
        return super().compose_node(parent, index)


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    validated: int = 0
    dry_run: bool = False

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"created": self.created, "validated": self.validated}
        if self.dry_run:
            data["dry_run"] = True
        return data


def parse_document(raw: bytes) -> dict:
    """JSON or YAML bytes → the problem-set dict; anything else is a 400 naming the problem."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"a problem set is at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    text = _decode(raw)
    stripped = text.lstrip()
    try:
        document = json.loads(text) if stripped[:1] in ("{", "[") else yaml.load(text, Loader=_NoAliasLoader)
    except (ValueError, yaml.YAMLError) as exc:
        raise BadRequest(f"the problem set is neither valid JSON nor valid YAML: {_first_line(exc)}") from None
    except RecursionError:
        raise BadRequest("the problem set is nested too deeply") from None
    return check_envelope(document)


def check_envelope(document: Any) -> dict:
    if not isinstance(document, dict):
        raise BadRequest("a problem set is an object with 'format' and 'challenges'")
    if document.get("format") != FORMAT:
        raise BadRequest(f"'format' must be \"{FORMAT}\"")
    challenges = document.get("challenges")
    if not isinstance(challenges, list) or not all(isinstance(item, dict) for item in challenges):
        raise BadRequest("'challenges' must be a list of challenge objects")
    if not challenges:
        raise Invalid("the problem set has no challenges")
    if len(challenges) > MAX_CHALLENGES:
        raise Invalid(f"a problem set holds at most {MAX_CHALLENGES} challenges, this one has {len(challenges)}")
    name = document.get("name")
    if name is not None and not isinstance(name, str):
        raise BadRequest("'name' must be a string")
    return document


def import_set(user: User, document: dict, dry_run: bool = False,
               progress: Optional[Progress] = None) -> ImportReport:
    """Validates every challenge (collecting every error), then stores all of them or none."""
    if user.role not in IMPORT_ROLES:
        raise Forbidden("only instructors and admins can import problem sets")
    bodies = check_envelope(document)["challenges"]
    built: list[Challenge] = []
    errors: list[dict] = []
    for index, body in enumerate(bodies):
        name = body.get("name") if isinstance(body.get("name"), str) else None
        try:
            challenge = challenge_service.build_challenge(user, _as_post_body(body))
            # Reading the user may have opened a transaction: end it before the engine work, which can take
            # seconds per challenge, so the app database is never held across validation.
            db.session.commit()
            challenge_service.validate_on_engine(challenge)
            built.append(challenge)
        except ApiError as exc:
            errors.append({"index": index, "name": name, "message": exc.message})
        if progress is not None:
            progress(index, name or f"#{index}")
    if errors:
        raise Invalid(f"{len(errors)} of {len(bodies)} challenges are invalid; nothing was imported",
                      errors=errors)
    report = ImportReport(validated=len(built), dry_run=dry_run)
    if not dry_run:
        report.created = [c.id for c in challenge_service.store_validated(built)]
    return report


def export_set(user: User, ids: Optional[Iterable[int]] = None, created_by: Optional[int] = None,
               name: Optional[str] = None) -> dict:
    """The challenges the caller may edit, as a problem set (by ids, or by creator, or all of theirs)."""
    query = db.select(Challenge).order_by(Challenge.id)
    if ids is not None:
        query = query.where(Challenge.id.in_(list(ids)))
    elif created_by is not None:
        query = query.where(Challenge.created_user_id == created_by)
    elif user.role != "admin":
        query = query.where(Challenge.created_user_id == user.id)
    found = list(db.session.execute(query).scalars())
    if ids is not None:
        missing = sorted(set(ids) - {c.id for c in found if challenge_service.can_manage(c, user)})
        if missing:
            raise Forbidden(f"you cannot export challenge {missing[0]}: it is not yours or does not exist")
    document: dict[str, Any] = {"format": FORMAT}
    if name:
        document["name"] = name
    document["challenges"] = [challenge_document(c) for c in found if challenge_service.can_manage(c, user)]
    return document


def challenge_document(challenge: Challenge) -> dict:
    values = {
        "name": challenge.name, "description": challenge.description or "", "type": challenge.type,
        "engine": challenge.engine, "difficulty": challenge.difficulty, "tags": challenge.tags,
        "visibility": challenge.visibility or "public",
        "release_at": _iso_seconds(challenge.release_at),
        "time_limit_ms": challenge.time_limit_ms, "check_column_names": bool(challenge.check_column_names),
        "init": challenge.init, "solution": challenge.solution, "hints": challenge.hints,
        "explanation": challenge.explanation or "",
        "test_cases": [{"data": tc.data, "is_visible": bool(tc.is_visible)} for tc in challenge.test_cases],
    }
    return {key: values[key] for key in EXPORT_FIELDS}


def to_yaml(document: dict) -> str:
    """Readable YAML: SQL and long texts as block scalars, keys in the document's own order."""
    return yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)


def to_json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class _BlockDumper(yaml.SafeDumper):
    pass


def _text_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _text_representer)


def _as_post_body(body: dict) -> dict:
    """YAML turns unquoted ISO dates into datetimes; the POST body wants the string."""
    release_at = body.get("release_at")
    if hasattr(release_at, "isoformat"):
        return {**body, "release_at": release_at.isoformat()}
    return body


def _iso_seconds(value) -> Optional[str]:
    """`2030-01-01T09:00:00Z`: what people write in a problem set (microseconds only when present)."""
    if value is None:
        return None
    return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds") + "Z"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the problem set must be UTF-8 text (JSON or YAML)") from None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (" ".join(lines[:3]) if lines else type(exc).__name__)[:300]
