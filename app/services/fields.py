"""Typed field extraction for request bodies: missing or mistyped is 400, a bad value is 422."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Optional

from app.errors import BadRequest, Invalid

_MISSING = object()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _get(body: dict, name: str, required: bool) -> Any:
    value = body.get(name, _MISSING)
    if value is _MISSING or (value is None and required):
        if required:
            raise BadRequest(f"'{name}' is required")
        return _MISSING
    return value


def string(body: dict, name: str, max_len: int, required: bool = True,
           allow_empty: bool = False, default: Optional[str] = None) -> Optional[str]:
    value = _get(body, name, required)
    if value is _MISSING or value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string")
    if not allow_empty and not value.strip():
        raise Invalid(f"'{name}' must not be empty")
    if len(value) > max_len:
        raise Invalid(f"'{name}' is too long (at most {max_len} characters)")
    return value


def integer(body: dict, name: str, minimum: int, maximum: int, required: bool = True,
            default: Optional[int] = None) -> Optional[int]:
    value = _get(body, name, required)
    if value is _MISSING or value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise BadRequest(f"'{name}' must be an integer")
    if not minimum <= value <= maximum:
        raise Invalid(f"'{name}' must be between {minimum} and {maximum}")
    return value


def boolean(body: dict, name: str, required: bool = False, default: Optional[bool] = None) -> Optional[bool]:
    value = _get(body, name, required)
    if value is _MISSING or value is None:
        return default
    if not isinstance(value, bool):
        raise BadRequest(f"'{name}' must be true or false")
    return value


def choice(body: dict, name: str, options: tuple[str, ...], required: bool = True,
           default: Optional[str] = None) -> Optional[str]:
    value = _get(body, name, required)
    if value is _MISSING or value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string")
    if value not in options:
        raise Invalid(f"'{name}' must be one of {', '.join(options)}")
    return value


def object_list(body: dict, name: str, required: bool = True, max_items: int = 1000) -> Optional[list[dict]]:
    value = _get(body, name, required)
    if value is _MISSING or value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadRequest(f"'{name}' must be a list of objects")
    if len(value) > max_items:
        raise Invalid(f"'{name}' has too many items (at most {max_items})")
    return value


def int_list(body: dict, name: str, required: bool = True, max_items: int = 100) -> Optional[list[int]]:
    value = _get(body, name, required)
    if value is _MISSING or value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise BadRequest(f"'{name}' must be a list of integers")
    if len(value) > max_items:
        raise Invalid(f"'{name}' has too many items (at most {max_items})")
    return value


def email(body: dict, name: str = "email") -> str:
    value = string(body, name, 254)
    value = value.strip().lower()
    if not EMAIL_RE.match(value):
        raise Invalid(f"'{name}' is not a valid e-mail address")
    return value


def string_list(body: dict, name: str, max_items: int, max_len: int, required: bool = False) -> Optional[list[str]]:
    value = _get(body, name, required)
    if value is _MISSING or value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"'{name}' must be a list of strings")
    if len(value) > max_items:
        raise Invalid(f"'{name}' has too many items (at most {max_items})")
    for item in value:
        if not item.strip():
            raise Invalid(f"'{name}' must not contain empty strings")
        if len(item) > max_len:
            raise Invalid(f"each of '{name}' is at most {max_len} characters")
    return value


def parse_iso_datetime(raw: str, name: str) -> datetime:
    """ISO 8601 (date or date-time, `Z` or an offset) as naive UTC, the app database's convention."""
    text = raw.strip()
    if "T" in text:
        text = text.replace(" ", "+")  # an unescaped '+' in a URL arrives as a space
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"'{name}' must be an ISO 8601 date or date-time") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def optional_datetime(body: dict, name: str) -> Any:
    """A date-time field that may be null: returns the value, None for null, or _MISSING when absent."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        return value
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be an ISO 8601 string or null")
    return parse_iso_datetime(value, name)


MISSING = _MISSING


def substring_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern (use with `escape="\\\\"`) matching `text` literally anywhere."""
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
