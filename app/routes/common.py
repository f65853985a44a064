"""Request parsing and response shaping shared by every Namespace (routes only translate HTTP)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask import request
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Resource

from app.concurrency import run_blocking
from app.errors import BadRequest, Forbidden
from app.limits import LIMITS
from app.routes.request_body import parse_json_object
from app.services.fields import parse_iso_datetime

MAX_PAGE_SIZE = LIMITS.page_size
DEFAULT_PAGE_SIZE = 20
OFF_LOOP_BODY_BYTES = 64 * 1024   # bigger bodies are parsed in an OS thread, not on the event loop


def ok(data: Any, code: int = 200, meta: Optional[dict] = None):
    body = {"status": "success", "data": data}
    if meta is not None:
        body["meta"] = meta
    return body, code


def json_body() -> dict:
    """The request's JSON object; an absent body is `{}`. Over MAX_CONTENT_LENGTH is 413 (raised by
    Werkzeug while reading); malformed, too deep, not an object, lone surrogates are 400; NUL is 422."""
    raw = request.get_data(cache=True)
    if not raw or not raw.strip():
        return {}
    if len(raw) > OFF_LOOP_BODY_BYTES:
        return run_blocking(parse_json_object, raw)
    return parse_json_object(raw)


MAX_DATABASE_ID = 2**63 - 1   # largest value a 64-bit (and SQLite) integer column holds


def query_int(name: str, default: Optional[int] = None, minimum: Optional[int] = None) -> Optional[int]:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be an integer") from None
    if minimum is not None and value < minimum:
        raise BadRequest(f"'{name}' must be at least {minimum}")
    if abs(value) > MAX_DATABASE_ID:
        raise BadRequest(f"'{name}' is too large")
    return value


def query_bool(name: str) -> Optional[bool]:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = raw.strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise BadRequest(f"'{name}' must be true or false")
    return value in ("true", "1")


def query_str(name: str, max_len: int) -> Optional[str]:
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    if len(raw) > max_len:
        raise BadRequest(f"'{name}' is too long (at most {max_len} characters)")
    return raw.strip()


def query_float(name: str, default: float, minimum: float, maximum: float) -> float:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a number") from None
    if not minimum <= value <= maximum:   # also refuses nan
        raise BadRequest(f"'{name}' must be between {minimum:g} and {maximum:g}")
    return value


def query_datetime(name: str) -> Optional[datetime]:
    """An ISO 8601 query parameter as naive UTC (the app database's convention)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    return parse_iso_datetime(raw, name)


def pagination(default_size: int = DEFAULT_PAGE_SIZE) -> tuple[int, int]:
    page = query_int("page", 0, minimum=0)
    size = min(query_int("size", default_size, minimum=1), MAX_PAGE_SIZE)
    if page * size > MAX_DATABASE_ID:
        raise BadRequest("'page' is too large")
    return page, size


def page_meta(total: int, page: int, size: int) -> dict:
    return {"total": total, "page": page, "size": size}


def require_role(*roles: str) -> None:
    if current_user.role not in roles:
        raise Forbidden()


class AuthResource(Resource):
    """A Resource whose every method needs a valid access token (auth by default)."""
    method_decorators = [jwt_required()]
