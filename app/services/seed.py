"""First-start provisioning: the admin account and the demo challenges."""
from __future__ import annotations

import logging

from app.demo_challenges import DEMO_CHALLENGES
from app.extensions import db
from app.models import Challenge
from app.services import challenges as challenge_service
from app.services import problem_sets
from app.services import users as user_service

log = logging.getLogger("sqlarena.seed")
DEMO_AUTHOR_EMAIL = "demo-author@sqlarena.local"


def seed_demo() -> int:
    """Adds the demo challenges that are not there yet (by name); returns how many were added."""
    author, _ = user_service.ensure_user(DEMO_AUTHOR_EMAIL, "SQL Arena demo author", None, "instructor")
    existing = set(db.session.execute(
        db.select(Challenge.name).where(Challenge.created_user_id == author.id)).scalars())
    added = 0
    for spec in DEMO_CHALLENGES:
        if spec["name"] not in existing:
            challenge_service.create_challenge(author, dict(spec))
            added += 1
    return added


def seed_problem_set(document: dict) -> int:
    """Imports the challenges of a problem set that the demo author does not have yet (by name)."""
    author, _ = user_service.ensure_user(DEMO_AUTHOR_EMAIL, "SQL Arena demo author", None, "instructor")
    existing = set(db.session.execute(
        db.select(Challenge.name).where(Challenge.created_user_id == author.id)).scalars())
    missing = [body for body in document["challenges"] if body.get("name") not in existing]
    if not missing:
        return 0
    return len(problem_sets.import_set(author, {**document, "challenges": missing}).created)


def ensure_first_admin(email: str, password: str | None) -> str | None:
    """Creates the first admin when there is none; returns the password when it was generated (shown once)."""
    if user_service.any_admin_exists():
        return None
    _user, generated = user_service.ensure_user(email, "Administrator", password or None, "admin")
    return generated
