"""Accounts: registration, credentials, roles and token revocation."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.extensions import db
from app.models import RevokedToken, User
from app.models.user import ROLES

MAX_PASSWORD_CHARS = 1024


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


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


def authenticate(email: str, password: str) -> User:
    user = db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if user is None or not check_password_hash(user.password_hash, password):
        raise Unauthorized("wrong e-mail or password")
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


def set_password(user: User, password: str) -> User:
    user.password_hash = hash_password(password)
    db.session.commit()
    return user


def change_password(user: User, old: str, new: str) -> User:
    if not check_password_hash(user.password_hash, old):
        raise Forbidden("the old password is wrong")
    return set_password(user, new)


def revoke_token(jti: str, expires_at: int) -> None:
    """Stores the token id until it would have expired anyway (idempotent)."""
    if db.session.get(RevokedToken, jti) is None:
        expiry = datetime.fromtimestamp(expires_at, timezone.utc).replace(tzinfo=None)
        db.session.add(RevokedToken(jti=jti, expires_at=expiry))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()


def is_revoked(jti: str) -> bool:
    return db.session.get(RevokedToken, jti) is not None


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
