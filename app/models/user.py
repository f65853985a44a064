from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.timestamps import iso, utcnow

ROLES = ("admin", "instructor", "player")


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="player")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def to_dict(self, with_email: bool = False) -> dict:
        """The user object; callers decide `with_email` through app.services.presenters (SPEC 9.3)."""
        data = {
            "id": self.id,
            "full_name": self.full_name,
            "role": self.role,
            "created_at": iso(self.created_at),
        }
        if with_email:
            data["email"] = self.email
        return data


class UserSession(db.Model):
    """One login. Its access and refresh tokens carry its id (the `sid` claim), so revoking the row
    ends all of them; kept in the database so a revocation survives a restart."""
    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
