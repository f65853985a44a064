"""Running totals for analytics, kept up to date as attempts are stored and judged.

Unfiltered analytics read these instead of aggregating a million attempts; a
time-windowed request sums the per-day rollups at the end of this module.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String
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


# -- per-day rollups: what a time-windowed request sums (SPEC 9.3 analytics with start/end) --------------
# Keyed by the UTC day of the attempt's `created_at`, so a window of whole days is answered from these rows
# alone; the part of a window that cuts a day is read from the attempts themselves (app/services/analytics.py).

class ChallengeDayStats(db.Model):
    __tablename__ = "challenge_day_stats"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeDayVerdicts(db.Model):
    __tablename__ = "challenge_day_verdicts"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    verdict: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeUserDay(db.Model):
    """A user attempted a challenge on a day: distinct users over a window are counted from these."""
    __tablename__ = "challenge_user_days"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)


class ChallengeTimes(db.Model):
    """All-time histogram of completed attempts' execution_ms (see ChallengeDayTimes)."""
    __tablename__ = "challenge_times"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    bucket: Mapped[float] = mapped_column(Float, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeDayTimes(db.Model):
    """A histogram of completed attempts' execution_ms per day; `bucket` is the lower edge of one of
    app/services/time_buckets.py's fixed buckets. It locates a window's median; the exact value is then
    read from the few attempts inside that bucket."""
    __tablename__ = "challenge_day_times"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[float] = mapped_column(Float, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class TestCaseDayStats(db.Model):
    __test__ = False
    __tablename__ = "test_case_day_stats"

    test_case_id: Mapped[int] = mapped_column(ForeignKey("test_cases.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    judged: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
