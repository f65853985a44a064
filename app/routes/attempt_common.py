"""Attempt models, query filters and the paginated attempt list, shared by every route that lists attempts."""
from flask import request
from flask_restx import Model, fields

from app.errors import BadRequest
from app.judge.verdicts import VERDICTS

from app.routes.common import ok, page_meta, pagination, query_datetime, query_int
from app.routes.models import COST_TEXT, envelope, register_models
from app.services import attempts as attempt_service

case_model = Model("AttemptCase", {
    "test_case_id": fields.Integer, "is_visible": fields.Boolean, "status": fields.String,
    "verdict": fields.String, "score": fields.Float, "execution_ms": fields.Float,
    "cost": fields.Integer(description=COST_TEXT),
    "expected_result": fields.String(description="JSON {columns, rows}; null for hidden cases"),
    "actual_result": fields.String, "feedback": fields.String, "error": fields.String,
})
attempt_model = Model("Attempt", {
    "id": fields.Integer, "user_id": fields.Integer, "challenge_id": fields.Integer,
    "room_id": fields.Integer, "query": fields.String, "status": fields.String, "verdict": fields.String,
    "score": fields.Float, "passed": fields.Integer, "total": fields.Integer, "execution_ms": fields.Float,
    "cost": fields.Integer(description="the sum of the cases' costs (SPEC 9.5); null unless every case ran to the end"),
    "error": fields.String, "created_at": fields.DateTime, "judged_at": fields.DateTime,
    "cases": fields.List(fields.Nested(case_model)),
})


def register_attempt_models(ns) -> None:
    register_models(ns, envelope("AttemptEnvelope", attempt_model),
                    envelope("AttemptPage", attempt_model, as_list=True, paginated=True))


def attempt_page_response(user_id: int):
    """A user's attempts, newest first, filtered by `challenge_id`, `start`, `end`, paginated."""
    page, size = pagination()
    items, total = attempt_service.list_attempts(
        user_id=user_id,
        challenge_id=query_int("challenge_id"),
        start=query_datetime("start"),
        end=query_datetime("end"),
        page=page,
        size=size,
    )
    return attempts_response(items, total, page, size)


STAFF_FILTERS = {"page": "from 0", "size": "≤ 100", "user_id": {"type": "integer", "description": "only this user's"}}
WINDOW_FILTERS = {"start": "ISO 8601", "end": "ISO 8601"}


def query_id(name: str):
    """An optional id filter: a positive integer, else 400."""
    return query_int(name, minimum=1)


def query_verdict():
    raw = request.args.get("verdict")
    if raw is None or raw == "":
        return None
    if raw not in VERDICTS:
        raise BadRequest(f"'verdict' must be one of {', '.join(VERDICTS)}")
    return raw


def attempts_response(items, total: int, page: int, size: int):
    """A page of attempts without case results (open one with GET /api/attempts/:id)."""
    return ok([a.to_dict() for a in items], meta=page_meta(total, page, size))
