"""What of a user or an attempt a given viewer may read; shared by REST responses and live events."""
from __future__ import annotations

from typing import Optional

from app.models import Attempt, User
from app.services import permissions

# What the other people in a room may read of a player's attempt (SPEC 9.7): the outcome, never
# the query, the case results or their texts. Allow-lists, so a new field stays private by default.
PUBLIC_ATTEMPT_FIELDS = ("id", "user_id", "challenge_id", "room_id", "status", "verdict", "score", "passed",
                         "total", "execution_ms", "cost", "created_at", "judged_at")
PUBLIC_PROGRESS_FIELDS = ("attempt_id", "user_id", "challenge_id", "room_id", "test_case_id", "status",
                          "verdict", "score", "execution_ms", "cost", "is_visible", "judged", "total")


def user_view(user: User, viewer: Optional[User]) -> dict:
    """The user object; `email` only for that user, admins and instructors."""
    return user.to_dict(with_email=permissions.may_see_email(user.id, viewer))


def own_user_view(user: User) -> dict:
    """The user as they see themself (login, register, me)."""
    return user.to_dict(with_email=True)


def attempt_view(attempt: Attempt, viewer: Optional[User], with_cases: bool = True) -> dict:
    """The attempt for someone allowed to read it; hidden cases' data only when they may see it."""
    reveal = with_cases and permissions.may_see_hidden(attempt, viewer)
    return attempt.to_dict(with_cases=with_cases, reveal_hidden=reveal)


def public_attempt_payload(event: str, payload: dict) -> dict:
    """An attempt event as the other people in its room may read it."""
    fields = PUBLIC_PROGRESS_FIELDS if event == "attempt.progress" else PUBLIC_ATTEMPT_FIELDS
    return {name: payload[name] for name in fields if name in payload}
