"""Running totals for analytics, kept up to date as attempts are stored and judged.

Unfiltered analytics read these instead of aggregating a million attempts; a
time-windowed request still aggregates attempts (indexed) because totals
cannot be cut by time.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ChallengeStats(db.Model):
    __tablename__ = "challenge_stats"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    unique_users: Mapped[int] = mapped_column(Integer, default=0)
    accepted_users: Mapped[int] = mapped_column(Integer, default=0)
    accepted_attempts: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeVerdictStats(db.Model):
    __tablename__ = "challenge_verdict_stats"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeUserStats(db.Model):
    """One row per user who attempted a challenge: what makes unique and accepted users countable."""
    __tablename__ = "challenge_user_stats"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)


class TestCaseStats(db.Model):
    __test__ = False   # not a pytest test class despite its name
    __tablename__ = "test_case_stats"

    test_case_id: Mapped[int] = mapped_column(ForeignKey("test_cases.id", ondelete="CASCADE"), primary_key=True)
    judged: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
