from __future__ import annotations

import json
from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.timestamps import utcnow

ROOM_STATES = ("LOBBY", "COUNTDOWN", "RUNNING", "FINISHED")


class Room(db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    host_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    host_plays: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(12), default="LOBBY", index=True)
    max_players: Mapped[int] = mapped_column(Integer, default=2)
    duration_s: Mapped[int] = mapped_column(Integer)
    freeze_last_s: Mapped[int] = mapped_column(Integer, default=0)
    late_join_s: Mapped[int] = mapped_column(Integer, default=0)
    wrong_penalty: Mapped[float] = mapped_column(Float, default=0.0)
    hint_penalty: Mapped[float] = mapped_column(Float, default=0.0)
    challenge_ids_json: Mapped[str] = mapped_column(Text, default="[]")
    seq: Mapped[int] = mapped_column(Integer, default=0)
    rematch_room_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    starts_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    ends_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)

    members: Mapped[list["RoomPlayer"]] = relationship(
        back_populates="room", order_by="RoomPlayer.joined_at", cascade="all, delete-orphan"
    )
    challenge_links: Mapped[list["RoomChallenge"]] = relationship(cascade="all, delete-orphan")

    @property
    def challenge_ids(self) -> list[int]:
        return json.loads(self.challenge_ids_json or "[]")

    @challenge_ids.setter
    def challenge_ids(self, value: list[int]) -> None:
        ids = [int(v) for v in value]
        self.challenge_ids_json = json.dumps(ids)
        self.challenge_links = [RoomChallenge(challenge_id=cid) for cid in dict.fromkeys(ids)]


class RoomChallenge(db.Model):
    """Which rooms use a challenge: what lets a `room` challenge open to a room's members (SPEC 9.1)."""
    __tablename__ = "room_challenges"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)


class RoomPlayer(db.Model):
    """A room member: a seated player, or a spectator (`is_spectator`), who never scores."""
    __tablename__ = "room_players"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    is_spectator: Mapped[bool] = mapped_column(Boolean, default=False)
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    forfeited: Mapped[bool] = mapped_column(Boolean, default=False)
    invited: Mapped[bool] = mapped_column(Boolean, default=False)
    disconnected_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    forfeited_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    room: Mapped[Room] = relationship(back_populates="members")


class RoomKick(db.Model):
    """A user the host kicked: they cannot take a seat in that room again by code (SPEC 9.4)."""
    __tablename__ = "room_kicks"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class RoomQuestion(db.Model):
    """A question a member asked the host, and the host's answer (private to the asker unless public)."""
    __tablename__ = "room_questions"
    __table_args__ = (Index("ix_room_questions_room_user", "room_id", "user_id", "asked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answer: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    answered_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RoomPresence(db.Model):
    """One socket of a user in a room, in whichever web process holds it: a player is connected while
    any row of theirs exists, so presence holds across processes (SPEC 9.4)."""
    __tablename__ = "room_presence"
    __table_args__ = (Index("ix_room_presence_user", "room_id", "user_id"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    process: Mapped[str] = mapped_column(String(80))
    since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
