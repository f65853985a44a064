"""Login sessions (SPEC 9.7): every token of one login shares its session id, the `sid` claim.

Logout revokes the session, and with it the access token presented and every
refresh token of that login (and the access tokens refreshed from them). A
password change revokes every other session of the user. Rows live in the
app database, so revocations survive a restart; a token without a live
session (revoked, expired, or issued before sessions existed) is refused.
"""
from __future__ import annotations

import secrets
from typing import Optional

from flask import current_app

from app.extensions import db
from app.models import UserSession
from app.models.timestamps import utcnow

SESSION_CLAIM = "sid"


def start(user_id: int) -> str:
    """Opens a session for a login (lasting as long as its refresh token) and returns its id.
    Also forgets this user's expired sessions, so the table holds only live ones."""
    now = utcnow()
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user_id, UserSession.expires_at < now))
    session_id = secrets.token_urlsafe(24)
    db.session.add(UserSession(id=session_id, user_id=user_id, created_at=now,
                               expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]))
    db.session.commit()
    return session_id


def is_live(claims: dict) -> bool:
    """True when the token's session exists, belongs to its subject, and was neither revoked nor expired."""
    session_id = claims.get(SESSION_CLAIM)
    if not isinstance(session_id, str):
        return False
    row = db.session.get(UserSession, session_id)
    return (row is not None and row.revoked_at is None and row.expires_at > utcnow()
            and str(row.user_id) == str(claims.get("sub")))


def revoke(session_id: str) -> None:
    """Ends one session (idempotent)."""
    db.session.execute(db.update(UserSession).where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    db.session.commit()


def revoke_all(user_id: int, except_session: Optional[str] = None) -> None:
    """Ends every session of the user but `except_session` (the caller's, after a password change)."""
    query = db.update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if except_session:
        query = query.where(UserSession.id != except_session)
    db.session.execute(query.values(revoked_at=utcnow()))
    db.session.commit()
