from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.judge.verdicts import QUEUED
from app.models.timestamps import iso, utcnow
from app.services.case_results import case_result_view


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_created", "user_id", "created_at"),
        Index("ix_attempts_challenge_status", "challenge_id", "status"),
        Index("ix_attempts_challenge_fingerprint", "challenge_id", "fingerprint"),
        Index("ix_attempts_status_dispatched", "status", "dispatched_at"),
        # Covers every column analytics reads, so PostgreSQL answers from the index alone.
        # Medians: the attempts of one time bucket, in order, inside a window (app/services/analytics.py).
        Index("ix_attempts_challenge_status_ms", "challenge_id", "status", "execution_ms", "created_at"),
        Index("ix_attempts_analytics", "challenge_id", "created_at", "status", "verdict", "user_id", "execution_ms"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    room_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), index=True, nullable=True)
    query: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=QUEUED)
    verdict: Mapped[Optional[str]] = mapped_column(String(24), nullable=True)
    score: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    execution_ms: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    # SPEC 9.5: the sum of the cases' costs; NULL when a case has none (it failed, or judged before 0010).
    cost: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    challenge_version: Mapped[str] = mapped_column(String(64), default="")
    fingerprint: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The attempt's last sign of life: dispatched, refreshed by the judge working on it, or a case
    # stored. The sweeper re-queues only attempts silent for JUDGE_STUCK_AFTER_S.
    dispatched_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    judged_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)

    cases: Mapped[list["AttemptCase"]] = relationship(
        back_populates="attempt", order_by="AttemptCase.test_case_id", cascade="all, delete-orphan"
    )

    def to_dict(self, with_cases: bool = False, reveal_hidden: bool = False) -> dict:
        data = {
            "id": self.id,
            "user_id": self.user_id,
            "challenge_id": self.challenge_id,
            "room_id": self.room_id,
            "query": self.query,
            "status": self.status,
            "verdict": self.verdict,
            "score": self.score,
            "passed": self.passed,
            "total": self.total,
            "execution_ms": self.execution_ms,
            "cost": self.cost,
            "error": self.error,
            "created_at": iso(self.created_at),
            "judged_at": iso(self.judged_at),
        }
        if with_cases:
            data["cases"] = [case.to_dict(reveal_hidden) for case in self.cases]
        return data


class AttemptCase(db.Model):
    """One test case's result for one attempt; unique so a redelivered completion changes nothing."""
    __tablename__ = "attempt_cases"
    __table_args__ = (
        UniqueConstraint("attempt_id", "test_case_id", name="uq_attempt_case"),
        Index("ix_attempt_cases_case_verdict", "test_case_id", "verdict", "attempt_id"),   # per-case pass rates
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    test_case_id: Mapped[int] = mapped_column(ForeignKey("test_cases.id", ondelete="CASCADE"), index=True)
    is_visible: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(12))
    verdict: Mapped[Optional[str]] = mapped_column(String(24), nullable=True)
    score: Mapped[float] = mapped_column(Float, default=0)
    execution_ms: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    cost: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)   # SPEC 9.5
    expected_result: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    actual_result: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    feedback: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="cases")

    def to_dict(self, reveal_hidden: bool) -> dict:
        """`reveal_hidden` is decided by app.services.presenters (one rule for REST and live events)."""
        return case_result_view({
            "test_case_id": self.test_case_id,
            "is_visible": bool(self.is_visible),
            "status": self.status,
            "verdict": self.verdict,
            "score": self.score,
            "execution_ms": self.execution_ms,
            "cost": self.cost,
            "expected_result": self.expected_result,
            "actual_result": self.actual_result,
            "feedback": self.feedback,
            "error": self.error,
        }, reveal_hidden)


class ChallengeBest(db.Model):
    """Each user's best COMPLETED attempt per challenge, kept up to date as results land.

    The leaderboard reads this table (one row per user), so it never scans attempts.
    """
    __tablename__ = "challenge_bests"
    __table_args__ = (
        Index("ix_challenge_bests_user", "user_id", "score", "first_accepted_at"),   # the overall leaderboard
    )

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    execution_ms: Mapped[float] = mapped_column(Float)
    cost: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)   # NULL sorts last among equal scores
    attempt_created_at: Mapped[datetime] = mapped_column(DateTime)
    # When the user's first ACCEPTED attempt on the challenge was made (the overall ranking's tie-break).
    first_accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
