"""Accounts: registration, credentials and roles.

Password hashes (scrypt, ~170 ms of CPU) are computed and checked in an OS
thread through `run_blocking`, never on the event loop (SPEC 9.7). A login
for an unknown e-mail checks the password against a dummy hash of the same
method, so it costs what a wrong password for a real account costs and the
answer time tells nothing about which e-mails exist.
"""
from __future__ import annotations

import secrets
from typing import Optional

from flask import current_app
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.concurrency import run_blocking
from app.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.extensions import db
from app.limits import LIMITS
from app.models import User
from app.models.user import ROLES
from app.services import sessions
from app.services.fields import substring_pattern
from app.services.login_guard import login_guard

MAX_PASSWORD_CHARS = LIMITS.password_chars
_dummy_hashes: dict[str, str] = {}   # hash method -> a hash of a random password nobody knows


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return run_blocking(generate_password_hash, password, method=method)


def password_matches(password_hash: Optional[str], password: str) -> bool:
    """Checks in an OS thread; no hash (unknown account) is checked against the dummy hash: same cost."""
    matches = run_blocking(check_password_hash, password_hash or _dummy_hash(), password)
    return matches and password_hash is not None


def end_read() -> None:
    """Ends the session's read transaction before a hash, so no pooled connection waits ~170 ms
    on it (40 logins at once would otherwise exhaust the pool)."""
    db.session.rollback()


def _dummy_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = hash_password(secrets.token_urlsafe(16))
    return _dummy_hashes[method]


def create_user(email: str, full_name: str, password: str, role: str = "player") -> User:
    assert role in ROLES
    user = User(email=email, full_name=full_name.strip(), password_hash=hash_password(password), role=role)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("an account with this e-mail already exists") from None
    return user


def authenticate(email: str, password: str, client_address: str) -> User:
    """The account for these credentials; 401 when wrong, 429 after too many failures (login_guard)."""
    email = email.strip().lower()
    login_guard.before_attempt(email, client_address)
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    password_hash = user.password_hash if user else None
    end_read()
    if not password_matches(password_hash, password):
        login_guard.failed(client_address)
        raise Unauthorized("wrong e-mail or password")
    login_guard.succeeded(email)
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


def search_users(q: Optional[str], role: Optional[str], page: int, size: int) -> tuple[list[User], int]:
    """The admin's user list: `q` matches name or e-mail anywhere (case-insensitive), newest first."""
    conditions = []
    if q:
        pattern = substring_pattern(q)
        conditions.append(func.lower(User.full_name).like(pattern, escape="\\")
                          | func.lower(User.email).like(pattern, escape="\\"))
    if role is not None:
        conditions.append(User.role == role)
    total = db.session.execute(db.select(func.count(User.id)).where(*conditions)).scalar_one()
    users = db.session.execute(db.select(User).where(*conditions).order_by(User.id.desc())
                               .limit(size).offset(page * size)).scalars().all()
    return list(users), total


def set_role(user: User, role: str, by: User) -> User:
    """Changes a user's role; an admin cannot change their own (the last admin could lock everyone out)."""
    assert role in ROLES
    if user.id == by.id:
        raise Conflict("you cannot change your own role")
    user.role = role
    db.session.commit()
    return user


def set_password(user: User, password: str, keep_session: Optional[str] = None) -> User:
    """Stores the new hash and ends every session of the user but `keep_session`."""
    user_id = user.id
    end_read()
    user.password_hash = hash_password(password)
    sessions.revoke_all(user_id, except_session=keep_session)   # commits the new hash with it
    return user


def change_password(user: User, old: str, new: str, current_session: str) -> User:
    """The caller's own change: every other token of the user stops working, the caller's session goes on."""
    password_hash = user.password_hash
    end_read()
    if not password_matches(password_hash, old):
        raise Forbidden("the old password is wrong")
    return set_password(user, new, keep_session=current_session)


def ensure_user(email: str, full_name: str, password: str | None, role: str) -> tuple[User, str | None]:
    """Creates the user if no one has that e-mail; returns it and the password when generated."""
    existing = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if existing is not None:
        return existing, None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    return create_user(email, full_name, password, role=role), generated


def any_admin_exists() -> bool:
    return db.session.execute(db.select(User.id).filter_by(role="admin").limit(1)).first() is not None
