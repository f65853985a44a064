"""The app database: one module per aggregate, gathered here for Alembic and imports."""
from app.models.attempt import Attempt, AttemptCase, ChallengeBest
from app.models.challenge import Challenge, TestCase
from app.models.room import Room, RoomPlayer
from app.models.stats import ChallengeStats, ChallengeUserStats, ChallengeVerdictStats, TestCaseStats
from app.models.user import User, UserSession

__all__ = [
    "Attempt", "AttemptCase", "ChallengeBest", "Challenge", "TestCase",
    "Room", "RoomPlayer", "User", "UserSession",
    "ChallengeStats", "ChallengeUserStats", "ChallengeVerdictStats", "TestCaseStats",
]
