"""What judging needs of one version of a challenge, kept while attempts may still be judged on it.

A challenge edit makes a new version; an attempt keeps the version it was submitted on, so a job
re-queued by the sweeper (or a judge loading a job too big to carry its SQL) reads that version's
snapshot here instead of the challenge's current content.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.timestamps import utcnow


class ChallengeVersion(db.Model):
    __tablename__ = "challenge_versions"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    snapshot_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def snapshot(self) -> dict:
        return json.loads(self.snapshot_json)


def snapshot_of(challenge) -> dict:
    """Everything a judge reads of a challenge (the version hash covers all of it but visibility)."""
    return {
        "engine": challenge.engine, "init": challenge.init, "solution": challenge.solution,
        "time_limit_ms": challenge.time_limit_ms, "check_column_names": bool(challenge.check_column_names),
        "test_cases": [{"id": tc.id, "data": tc.data, "is_visible": bool(tc.is_visible)} for tc in challenge.test_cases],
    }


def remember(challenge) -> None:
    """Stores (or refreshes) the snapshot of the challenge's current version, in the caller's transaction."""
    db.session.merge(ChallengeVersion(challenge_id=challenge.id, version=challenge.version,
                                      snapshot_json=json.dumps(snapshot_of(challenge))))


def snapshot_for(challenge_id: int, version: str) -> dict | None:
    """That version's snapshot, or None when it is not stored (nor the challenge's current one)."""
    row = db.session.get(ChallengeVersion, (challenge_id, version))
    if row is not None:
        return row.snapshot
    from app.models.challenge import Challenge
    challenge = db.session.get(Challenge, challenge_id)
    return snapshot_of(challenge) if challenge is not None and challenge.version == version else None


def prune() -> int:
    """Drops the snapshots of past versions that no QUEUED or RUNNING attempt waits on (in the
    caller's transaction); returns how many. The current version's snapshot always stays."""
    from app.models.attempt import Attempt
    from app.models.challenge import Challenge
    kept = ChallengeVersion
    current = db.select(Challenge.id).where(Challenge.id == kept.challenge_id, Challenge.version == kept.version)
    waiting = db.select(Attempt.id).where(Attempt.challenge_id == kept.challenge_id,
                                          Attempt.challenge_version == kept.version,
                                          Attempt.status.in_(("QUEUED", "RUNNING")))
    return db.session.execute(db.delete(kept).where(~current.exists(), ~waiting.exists())).rowcount
