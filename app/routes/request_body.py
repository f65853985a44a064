"""Turns the raw bytes of a JSON request body into a dict that every route can trust.

Done once, where bodies are parsed, so that no route meets what the database or
the response encoder cannot hold (SPEC 9.7): nesting deep enough to exhaust the
recursion limit, lone UTF-16 surrogates (`"\\ud800"` decodes to a Python str
that cannot be encoded as UTF-8), and NUL characters (PostgreSQL text cannot
store them).
"""
from __future__ import annotations

import json
import re
from typing import Any

from app.errors import BadRequest, Invalid
from app.limits import LIMITS

MAX_JSON_DEPTH = LIMITS.json_depth
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json_object(raw: bytes) -> dict:
    """The JSON object in `raw`; 400 when malformed, too deep, not an object or not valid Unicode,
    422 when a string holds a NUL character."""
    try:
        body = json.loads(raw)
    except RecursionError:
        raise BadRequest("the JSON body is nested too deeply") from None
    except ValueError:   # JSONDecodeError and UnicodeDecodeError
        raise BadRequest("malformed JSON body") from None
    if not isinstance(body, dict):
        raise BadRequest("the JSON body must be an object")
    vet_json_value(body)
    return body


def vet_json_value(value: Any) -> None:
    """Checks every key and string, without recursion, for depth, lone surrogates and NUL."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _vet_text(item, path or "body")
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise BadRequest(f"the JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels)")
            if isinstance(item, dict):
                for key, child in item.items():
                    child_path = f"{path}.{key}" if path else key
                    _vet_text(key, child_path)
                    stack.append((child, child_path, depth + 1))
            else:
                stack.extend((child, f"{path}[{index}]", depth + 1) for index, child in enumerate(item))


def _vet_text(text: str, path: str) -> None:
    if _SURROGATE.search(text):
        raise BadRequest(f"'{_shown(path)}' is not valid Unicode (it holds a lone surrogate)")
    if "\x00" in text:
        raise Invalid(f"'{_shown(path)}' must not contain a NUL character")


def _shown(path: str) -> str:
    """The field's path as safe text for the error message (it may itself hold the bad character)."""
    cleaned = _SURROGATE.sub("\ufffd", path).replace("\x00", "\\0")
    return cleaned if len(cleaned) <= 100 else cleaned[:100] + "…"
