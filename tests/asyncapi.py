"""The Socket.IO contract in docs/asyncapi.yaml, as validators the socket tests run on every received event."""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.yaml"
RESERVED = {"connect", "disconnect", "connect_error", "message"}

_violations: list[str] = []
_lock = threading.Lock()


@lru_cache(maxsize=1)
def validators() -> dict[str, Draft202012Validator]:
    """One validator per server → client event, its `$ref`s resolved against the whole document."""
    document = yaml.safe_load(DOCUMENT.read_text())
    messages = document["components"]["messages"]
    found = {}
    for name, channel in document["channels"].items():
        if "subscribe" not in channel:
            continue
        ref = channel["subscribe"]["message"]["$ref"].rsplit("/", 1)[-1]
        schema = {**messages[ref]["payload"], "components": document["components"]}
        found[name] = Draft202012Validator(schema)
    return found


def check(event: str, payload) -> None:
    """Records a violation (an undocumented event or a payload its schema refuses)."""
    if event in RESERVED:
        return
    validator = validators().get(event)
    if validator is None:
        problem = f"{event}: not documented in docs/asyncapi.yaml"
    else:
        errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
        if not errors:
            return
        problem = f"{event}: " + "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(payload)'}: {e.message}"
                                          for e in errors[:3])
    with _lock:
        _violations.append(problem[:1000])


def take_violations() -> list[str]:
    with _lock:
        found = list(_violations)
        _violations.clear()
    return found
