"""Questions members ask a room's host, and the host's answers (SPEC 9.4).

A question goes to the host's sockets only; an answer to the asker, or to the whole room when public.
Both are stored, so room.state and GET /api/rooms/:id show each reader their own and the public ones
(the host all).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

from app.errors import BadRequest, Forbidden, Invalid, NotFound, TooManyRequests
from app.extensions import db
from app.models import Room, RoomQuestion, User
from app.models.timestamps import iso, utcnow
from app.services import live
from app.services import rooms

MAX_TEXT = 2000
MAX_PER_MINUTE = 10


def read_text(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("'text' must be a non-empty string")
    if len(text) > MAX_TEXT:
        raise Invalid(f"'text' is too long (at most {MAX_TEXT} characters)")
    return text.strip()


def require_rate(user_id: int) -> None:
    """At most MAX_PER_MINUTE questions a minute per user, over all rooms (counted in the database, so
    every web process applies the same limit)."""
    since = utcnow() - timedelta(seconds=60)
    recent = db.session.execute(db.select(db.func.count()).select_from(RoomQuestion).where(
        RoomQuestion.user_id == user_id, RoomQuestion.asked_at > since)).scalar_one()
    if recent >= MAX_PER_MINUTE:
        raise TooManyRequests(f"at most {MAX_PER_MINUTE} questions a minute")


def ask(room: Room, user: User, text) -> dict:
    """A member (player or spectator, never the host) asks; the host's sockets get room.question."""
    text = read_text(text)
    if user.id == room.host_user_id:
        raise Forbidden("the host answers questions, and does not ask them")
    if rooms.member(room, user.id) is None:
        raise Forbidden("only the room's members can ask its host")
    require_rate(user.id)
    question = RoomQuestion(room_id=room.id, user_id=user.id, text=text, asked_at=utcnow())
    db.session.add(question)
    db.session.flush()
    payload = {"question_id": question.id, "user_id": user.id, "full_name": user.full_name, "text": text,
               "at": iso(question.asked_at)}
    rooms.emit_to(room, "room.question", payload, [live.member_channel(room.id, room.host_user_id)])
    db.session.commit()
    return {"room_id": room.id, **payload}


def answer(room: Room, user: User, question_id: int, text, public: bool) -> dict:
    """The host answers: room.answered to the asker (and the host's other sockets), or to the whole room."""
    rooms.require_host(room, user)
    text = read_text(text)
    question = db.session.get(RoomQuestion, question_id)
    if question is None or question.room_id != room.id:
        raise NotFound("no such question in this room")
    question.answer, question.answered_at, question.public = text, utcnow(), bool(public)
    db.session.flush()
    payload = {"question_id": question.id, "question": question.text, "text": text,
               "at": iso(question.answered_at), "public": question.public}
    if question.public:
        rooms.emit(room, "room.answered", payload)
    else:
        rooms.emit_to(room, "room.answered", payload,
                      live.member_channels(room.id, [question.user_id, room.host_user_id]))
    db.session.commit()
    return {"room_id": room.id, **payload}


def as_item(question: RoomQuestion, names: dict) -> dict:
    return {"question_id": question.id, "user_id": question.user_id, "full_name": names.get(question.user_id, ""),
            "text": question.text, "at": iso(question.asked_at), "answer": question.answer,
            "answered_at": iso(question.answered_at), "public": bool(question.public)}


def all_questions(room: Room, memo: dict) -> list[RoomQuestion]:
    if "questions" not in memo:
        memo["questions"] = list(db.session.execute(db.select(RoomQuestion).where(
            RoomQuestion.room_id == room.id).order_by(RoomQuestion.id)).scalars()) if room.id else []
    return memo["questions"]


def visible(room: Room, is_host: bool, viewer_id: Optional[int], memo: Optional[dict] = None) -> list[dict]:
    """The questions a reader sees: the host all; anyone else their own and the answered public ones."""
    memo = {} if memo is None else memo
    shown = [q for q in all_questions(room, memo) if is_host or q.user_id == viewer_id or q.public]
    if not shown:
        return []
    names = dict(db.session.execute(db.select(User.id, User.full_name).where(
        User.id.in_({q.user_id for q in shown}))).all())
    return [as_item(q, names) for q in shown]


def any_private(room: Room) -> bool:
    """Whether room.state must be built per reader (someone has a question the others may not read)."""
    return db.session.execute(db.select(RoomQuestion.id).where(
        RoomQuestion.room_id == room.id, RoomQuestion.public.is_(False)).limit(1)).first() is not None
