"""Reading client payloads: one parser for every handler, each error naming its field (SPEC 9.7).

Built on the REST body readers (app/services/fields), so a bad field reads the same on both
surfaces: missing or mistyped is BadRequest, out of range is Invalid, never "internal error".
"""
from __future__ import annotations

import re
from typing import Any

from app.errors import BadRequest
from app.services import fields as f

MAX_ID = 2 ** 63 - 1      # ids are 64-bit at most; beyond that no row exists and a database may choke
CHANNEL_KINDS = ("attempt", "challenge", "user")
CHANNEL = re.compile(r"(attempt|challenge|user):([0-9]{1,19})", re.ASCII)   # ASCII digits only: not "user:²"


def as_object(payload: Any) -> dict:
    """The payload of an event: a JSON object, or nothing at all (read as an empty one)."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise BadRequest("the payload must be a JSON object")
    return payload


def identifier(payload: dict, name: str) -> int:
    """A required positive 64-bit id."""
    return f.integer(payload, name, 1, MAX_ID)


def flag(payload: dict, name: str, default: bool) -> bool:
    return f.boolean(payload, name, default=default)


def text(payload: dict, name: str, max_len: int) -> str:
    return f.string(payload, name, max_len).strip()


def channel(payload: dict) -> tuple[str, int]:
    """`{"channel": "<kind>:<id>"}` → (kind, id)."""
    value = f.string(payload, "channel", 40)
    match = CHANNEL.fullmatch(value)
    if match is None:
        raise BadRequest("'channel' must look like 'attempt:<id>', 'challenge:<id>' or 'user:<id>'")
    kind, raw_id = match.groups()
    target_id = int(raw_id)
    if not 1 <= target_id <= MAX_ID:
        raise BadRequest(f"'channel' id must be between 1 and {MAX_ID}")
    return kind, target_id
