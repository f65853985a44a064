from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.timestamps import iso, utcnow

CHALLENGE_TYPES = ("FE", "LE")
VISIBILITIES = ("public", "draft", "room")
DIFFICULTIES = ("easy", "medium", "hard")


class Challenge(db.Model):
    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(2))
    engine: Mapped[str] = mapped_column(String(20), default="sqlite")
    init: Mapped[str] = mapped_column(Text)
    solution: Mapped[str] = mapped_column(Text)
    time_limit_ms: Mapped[int] = mapped_column(Integer, default=2000)
    check_column_names: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[str] = mapped_column(String(64), default="")
    visibility: Mapped[str] = mapped_column(String(8), default="public", index=True)
    release_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True, index=True)
    difficulty: Mapped[Optional[str]] = mapped_column(String(8), nullable=True, index=True)
    hints_json: Mapped[str] = mapped_column(Text, default="[]")
    explanation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    # The current cases only: a replaced or deleted case is retired, not deleted, so the attempts judged
    # on it keep their case rows and an attempt re-queued on an older version can still store its cases.
    test_cases: Mapped[list["TestCase"]] = relationship(
        back_populates="challenge", order_by="TestCase.id", cascade="all, delete-orphan",
        primaryjoin="and_(Challenge.id == TestCase.challenge_id, TestCase.retired_at.is_(None))",
    )
    tag_rows: Mapped[list["ChallengeTag"]] = relationship(
        order_by="ChallengeTag.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def hints(self) -> list[str]:
        return json.loads(self.hints_json or "[]")

    @hints.setter
    def hints(self, value: list[str]) -> None:
        self.hints_json = json.dumps(list(value))

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @tags.setter
    def tags(self, value: list[str]) -> None:
        self.tag_rows = [ChallengeTag(tag=tag, position=position) for position, tag in enumerate(value)]

    def compute_version(self) -> str:
        """Content hash of everything judging depends on: the cache key of datasets and results."""
        content = {
            "engine": self.engine,
            "init": self.init,
            "solution": self.solution,
            "time_limit_ms": self.time_limit_ms,
            "check_column_names": bool(self.check_column_names),
            "cases": [[tc.id, tc.data] for tc in self.test_cases],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]

    def to_dict(self, reveal: bool) -> dict:
        """`reveal` (creator, admin) adds the solution, hints, explanation and hidden test data."""
        data = {
            "id": self.id,
            "created_user_id": self.created_user_id,
            "name": self.name,
            "description": self.description,
            "type": self.type,
            "engine": self.engine,
            "init": self.init,
            "time_limit_ms": self.time_limit_ms,
            "check_column_names": bool(self.check_column_names),
            "test_cases": [tc.to_dict(reveal) for tc in self.test_cases],
            "visibility": self.visibility or "public",
            "release_at": iso(self.release_at) if self.release_at else None,
            "difficulty": self.difficulty,
            "tags": self.tags,
            "hint_count": len(self.hints),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }
        if reveal:
            data["solution"] = self.solution
            data["hints"] = self.hints
            data["explanation"] = self.explanation or ""
        return data


class TestCase(db.Model):
    __tablename__ = "test_cases"
    __test__ = False  # not a pytest class

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(Text, default="")
    is_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    retired_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)

    challenge: Mapped[Challenge] = relationship(back_populates="test_cases")

    def to_dict(self, reveal: bool) -> dict:
        return {
            "id": self.id,
            "challenge_id": self.challenge_id,
            "data": self.data if (self.is_visible or reveal) else None,
            "is_visible": bool(self.is_visible),
            "created_at": iso(self.created_at),
        }


class ChallengeTag(db.Model):
    """One tag of a challenge, in its own indexed table so `?tag=` never scans challenges."""
    __tablename__ = "challenge_tags"
    __table_args__ = (Index("ix_challenge_tags_tag", "tag", "challenge_id"),)

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class HintReveal(db.Model):
    """A hint a user revealed (stored so a room can charge for hints revealed during it)."""
    __tablename__ = "hint_reveals"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    hint_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    revealed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
