"""The judge's wire protocol: JobInitEvent in, one JobCompletionEvent per test case out.

Both are JSON, keyed by attempt id (SPEC section 4). Field names follow the
seed document; `feedback` and `is_visible` are additions the recorder needs.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Optional


def _from_dict(cls, raw: dict[str, Any]):
    """Builds a dataclass from a dict, ignoring unknown keys (forward compatible)."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in raw.items() if k in names})


@dataclass(frozen=True)
class TestCaseSpec:
    __test__ = False   # not a pytest test class despite its name
    id: int
    data: Optional[str]
    is_visible: bool = True


@dataclass
class JobInitEvent:
    attempt_id: int
    user_id: int
    challenge_id: int
    challenge_version: str
    room_id: Optional[int]
    query: str
    init: Optional[str]          # None when too large to inline: load by challenge_version
    solution: Optional[str]
    engine: str
    time_limit_ms: int
    test_cases: list[TestCaseSpec] = field(default_factory=list)
    check_column_names: bool = True

    @property
    def is_inline(self) -> bool:
        return self.init is not None and self.solution is not None

    def key(self) -> bytes:
        return str(self.attempt_id).encode()

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, payload: bytes | str) -> "JobInitEvent":
        raw = json.loads(payload)
        raw["test_cases"] = [_from_dict(TestCaseSpec, tc) for tc in raw.get("test_cases") or []]
        return _from_dict(cls, raw)


@dataclass
class JobCompletionEvent:
    attempt_id: int
    user_id: int
    challenge_id: int
    test_case_id: Optional[int]  # None only for a FAILED job that never reached a case
    status: str                  # COMPLETED | FAILED
    verdict: Optional[str]
    execution_ms: Optional[float]
    score: float
    expected_result: Optional[str]
    actual_result: Optional[str]
    error: Optional[str] = None
    feedback: Optional[str] = None
    is_visible: bool = True
    room_id: Optional[int] = None
    challenge_version: Optional[str] = None
    cost: Optional[int] = None   # SPEC 9.5: the engine's work units; None when the query did not run to the end

    def key(self) -> bytes:
        return str(self.attempt_id).encode()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, payload: bytes | str) -> "JobCompletionEvent":
        return _from_dict(cls, json.loads(payload))
