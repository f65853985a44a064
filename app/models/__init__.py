"""The app database: one module per aggregate, gathered here for Alembic and imports."""
from app.models.attempt import Attempt, AttemptCase, ChallengeBest
from app.models.challenge import Challenge, ChallengeTag, HintReveal, TestCase
from app.models.challenge_version import ChallengeVersion
from app.models.room import Room, RoomChallenge, RoomKick, RoomPlayer, RoomPresence, RoomQuestion
from app.models.stats import (ChallengeDayStats, ChallengeDayTimes, ChallengeDayVerdicts, ChallengeStats,
                              ChallengeTimes, ChallengeUserDay, ChallengeUserStats, ChallengeVerdictStats,
                              TestCaseDayStats)
from app.models.user import User, UserSession

__all__ = [
    "Attempt", "AttemptCase", "ChallengeBest", "Challenge", "ChallengeTag", "ChallengeVersion", "HintReveal",
    "TestCase", "Room", "RoomChallenge", "RoomKick", "RoomPlayer", "RoomPresence", "RoomQuestion", "User",
    "UserSession",
    "ChallengeStats", "ChallengeUserStats", "ChallengeVerdictStats",
    "ChallengeDayStats", "ChallengeDayTimes", "ChallengeTimes", "ChallengeDayVerdicts", "ChallengeUserDay", "TestCaseDayStats",
]
