"""Duels and tournaments: room lifecycle, membership, standings and room events.

State lives in the database (rooms, room_players), so any web process can
serve a room and timers are rebuilt after a restart (see room_clock).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Callable, Optional

from flask import current_app
from sqlalchemy import event as sa_event, update
from sqlalchemy.orm import Session

from app.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.judge.verdicts import COMPLETED
from app.limits import LIMITS
from app.models import Attempt, Challenge, HintReveal, Room, RoomKick, RoomPlayer, User
from app.services.visibility import visible_condition
from app.models.timestamps import iso, utcnow
from app.services import fields as f
from app.services import live, similarity
from app.services.standings import Contestant, CountedAttempt, Penalties, compute_standings, winners

LOBBY, COUNTDOWN, RUNNING, FINISHED = "LOBBY", "COUNTDOWN", "RUNNING", "FINISHED"
HOST, PLAYER, WATCHER = "host", "player", "watcher"      # audiences: who sees what of a room
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_TOURNAMENT_PLAYERS = LIMITS.tournament_players
MAX_ROOM_CHALLENGES = LIMITS.room_challenges


# -- reading -------------------------------------------------------------------
def get_room(room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound("room not found")
    return room


def member(room: Room, user_id: int) -> Optional[RoomPlayer]:
    return next((m for m in room.members if m.user_id == user_id), None)


def players(room: Room) -> list[RoomPlayer]:
    return [m for m in room.members if not m.is_spectator]


def freeze_starts_at(room: Room) -> Optional[datetime]:
    if not room.freeze_last_s or room.ends_at is None:
        return None
    return room.ends_at - timedelta(seconds=room.freeze_last_s)


def is_frozen(room: Room, now: Optional[datetime] = None) -> bool:
    start = freeze_starts_at(room)
    return room.state == RUNNING and start is not None and (now or utcnow()) >= start


def counted_attempts(room: Room, until: Optional[datetime] = None) -> list[CountedAttempt]:
    """Completed attempts made in the room while it was RUNNING (before `until` when given)."""
    if room.starts_at is None:
        return []
    limits = [t for t in (room.finished_at, room.ends_at, until) if t is not None]
    end = min(limits) if limits else None
    seated = {m.user_id: m for m in players(room)}
    query = db.select(Attempt).where(Attempt.room_id == room.id, Attempt.status == COMPLETED,
                                     Attempt.created_at >= room.starts_at)
    if end is not None:
        query = query.where(Attempt.created_at < end)
    counted = []
    for attempt in db.session.execute(query).scalars():
        seat = seated.get(attempt.user_id)
        if seat is None or attempt.challenge_id not in room.challenge_ids:
            continue
        if seat.forfeited_at is not None and attempt.created_at >= seat.forfeited_at:
            continue
        counted.append(CountedAttempt(attempt.user_id, attempt.challenge_id, attempt.score or 0.0, attempt.created_at,
                                      attempt.verdict == "ACCEPTED"))
    return counted


def room_end(room: Room) -> Optional[datetime]:
    limits = [t for t in (room.finished_at, room.ends_at) if t is not None]
    return min(limits) if limits else None


def penalties(room: Room, until: Optional[datetime] = None) -> Penalties:
    """The room's penalty rule, with the hints its players revealed on its challenges while it ran."""
    hints: dict = {}
    if room.hint_penalty and room.starts_at is not None:
        end = min([t for t in (room_end(room), until) if t is not None], default=None)
        query = db.select(HintReveal.user_id, HintReveal.challenge_id, db.func.count()).where(
            HintReveal.challenge_id.in_(room.challenge_ids),
            HintReveal.user_id.in_([m.user_id for m in players(room)]),
            HintReveal.revealed_at >= room.starts_at).group_by(HintReveal.user_id, HintReveal.challenge_id)
        if end is not None:
            query = query.where(HintReveal.revealed_at < end)
        hints = {(uid, cid): n for uid, cid, n in db.session.execute(query).all()}
    return Penalties(wrong=room.wrong_penalty or 0.0, hint=room.hint_penalty or 0.0, hints=hints)


def standings(room: Room, live_view: bool = True) -> list[dict]:
    """Current standings; with live_view False, frozen at the freeze start while frozen."""
    until = None if live_view or not is_frozen(room) else freeze_starts_at(room)
    names = dict(db.session.execute(
        db.select(User.id, User.full_name).where(User.id.in_([m.user_id for m in players(room)]))).all())
    contestants = [Contestant(m.user_id, names.get(m.user_id, ""), bool(m.forfeited)) for m in players(room)]
    return compute_standings(contestants, counted_attempts(room, until), room.challenge_ids, room.starts_at,
                             penalties(room, until))


# -- who sees what ------------------------------------------------------------------
def audience(room: Room, user_id: Optional[int]) -> str:
    """What a user is to the room, which decides all they may see of it."""
    if user_id is not None and user_id == room.host_user_id:
        return HOST
    seat = member(room, user_id) if user_id is not None else None
    return PLAYER if seat is not None and not seat.is_spectator else WATCHER


def sees_live(room: Room, who: str) -> bool:
    """The freeze rule (SPEC 6, 9.4): during the last `freeze_last_s` only the host sees live standings;
    everyone else reads the others as they were at the freeze until the room is FINISHED (a player's own
    row stays live: see visible_standings)."""
    return who == HOST or not is_frozen(room)


def sees_code(who: str) -> bool:
    """The join code is for the host and the seated players (SPEC 9.7), never for spectators."""
    return who in (HOST, PLAYER)


def visible_standings(room: Room, who: str, memo: Optional[dict] = None,
                      viewer_id: Optional[int] = None) -> list[dict]:
    """The one projection of standings (REST, room.state, room.standings): the host sees them live; during
    a freeze everyone else sees the others as at the freeze, and a player their own row live (score,
    per challenge, penalty; the rank stays the frozen one, since a live rank would tell about the others).
    `memo` shares the (at most two) computations among audiences and viewers."""
    memo = {} if memo is None else memo

    def computed(live_view: bool) -> list[dict]:
        if live_view not in memo:
            memo[live_view] = standings(room, live_view=live_view)
        return memo[live_view]

    if sees_live(room, who):
        return computed(True)
    frozen = computed(False)
    if who != PLAYER or viewer_id is None:
        return frozen
    own = next((row for row in computed(True) if row["user_id"] == viewer_id), None)
    return [own_row(row, own) if row["user_id"] == viewer_id and own else row for row in frozen]


def own_row(frozen: dict, live_row: dict) -> dict:
    return {**live_row, "rank": frozen["rank"]}


def audiences(room: Room) -> dict[str, list[int]]:
    """The user ids of each audience: the host, the seated players, everyone else in the room."""
    groups: dict[str, list[int]] = {HOST: [room.host_user_id], PLAYER: [], WATCHER: []}
    for seat in room.members:
        if seat.user_id != room.host_user_id:
            groups[WATCHER if seat.is_spectator else PLAYER].append(seat.user_id)
    return groups


def room_view(room: Room, viewer_id: Optional[int] = None) -> dict:
    return view_for(room, audience(room, viewer_id), viewer_id=viewer_id)


def view_for(room: Room, who: str, memo: Optional[dict] = None, viewer_id: Optional[int] = None) -> dict:
    """The room object as `who` (and, for their own row and questions, `viewer_id`) sees it; `memo` lets
    one event build it for every reader cheaply."""
    from app.services import room_questions
    memo = {} if memo is None else memo
    if "fields" not in memo:
        memo["fields"] = room_fields(room)
    return {**memo["fields"], "code": room.code if sees_code(who) else None,
            "standings": visible_standings(room, who, memo, viewer_id),
            "questions": room_questions.visible(room, who == HOST, viewer_id, memo)}


def room_fields(room: Room) -> dict:
    """Everything of the room object that is the same for every viewer."""
    names = dict(db.session.execute(
        db.select(User.id, User.full_name).where(User.id.in_([m.user_id for m in room.members]))).all())
    return {
        "id": room.id, "name": room.name, "host_user_id": room.host_user_id,
        "host_plays": bool(room.host_plays), "state": room.state, "max_players": room.max_players,
        "duration_s": room.duration_s, "freeze_last_s": room.freeze_last_s, "challenge_ids": room.challenge_ids,
        "late_join_s": room.late_join_s or 0, "wrong_penalty": room.wrong_penalty or 0.0,
        "hint_penalty": room.hint_penalty or 0.0,
        "players": [{"user_id": m.user_id, "full_name": names.get(m.user_id, ""), "ready": bool(m.ready),
                     "connected": bool(m.connected), "forfeited": bool(m.forfeited)} for m in players(room)],
        "spectators": [m.user_id for m in room.members if m.is_spectator],
        "frozen": is_frozen(room),
        "seq": room.seq,
        "created_at": iso(room.created_at), "starts_at": iso(room.starts_at), "ends_at": iso(room.ends_at),
        "server_time": iso(utcnow()),
    }


def results(room: Room, viewer: Optional[User] = None) -> dict:
    """Standings as the viewer may see them (final once FINISHED); the host (and admins) also get
    similar accepted queries among the players. Without a viewer: the live standings (the server's own)."""
    shown = standings(room) if viewer is None else visible_standings(room, audience(room, viewer.id),
                                                                      viewer_id=viewer.id)
    data = {"room_id": room.id, "standings": shown,
            "winner_user_ids": winners(shown) if room.state == FINISHED else []}
    if viewer is not None and (viewer.id == room.host_user_id or viewer.role == "admin"):
        seated = [m.user_id for m in players(room)]
        data["similar_pairs"] = [
            pair for cid in room.challenge_ids if (challenge := db.session.get(Challenge, cid)) is not None
            for pair in similarity.similar_pairs(challenge, user_ids=seated, room_id=room.id)]
    return data


# -- events --------------------------------------------------------------------
# Events are produced inside the caller's transaction and sent only once it commits (nothing is sent for a
# rolled-back change, and emitting never commits behind the caller's back). Every event to a room's members
# takes the room's next `seq` (one counter per room, SPEC 9.4), so a private event leaves a gap for the others.
PENDING = "room_events"


def next_seq(room: Room) -> int:
    """Takes the room's next sequence number in the caller's transaction (the row stays locked until it
    commits, so two processes never share a number)."""
    return db.session.execute(
        update(Room).where(Room.id == room.id).values(seq=Room.seq + 1).returning(Room.seq)).scalar_one()


def send_after_commit(event: str, payload: dict, channels: list[str]) -> None:
    db.session.info.setdefault(PENDING, []).append((event, payload, channels))


@sa_event.listens_for(Session, "after_commit")
def _send_pending(session) -> None:
    for event, payload, channels in session.info.pop(PENDING, []):
        live.publish(event, payload, channels)


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(session) -> None:
    session.info.pop(PENDING, None)


def emit(room: Room, event: str, payload: dict) -> None:
    """An event every socket in the room reads alike."""
    send_after_commit(event, {**payload, "room_id": room.id, "seq": next_seq(room)}, [live.room_channel(room.id)])


def emit_to(room: Room, event: str, payload: dict, channels: list[str]) -> None:
    """A private event (to some members' sockets) under the room's counter."""
    send_after_commit(event, {**payload, "room_id": room.id, "seq": next_seq(room)}, channels)


def emit_per_reader(room: Room, event: str, payload_for: Callable[[str, Optional[int]], Optional[dict]],
                    per_player: bool = False) -> None:
    """An event whose payload depends on the reader: one payload per audience (None: that audience gets
    nothing), or with `per_player` one per member other than the host (their own live row during a freeze), on the
    member channels, under one `seq`."""
    seq = next_seq(room)
    for who, user_ids in audiences(room).items():
        readers = [(uid, [uid]) for uid in user_ids] if per_player and who != HOST else [(None, user_ids)]
        for viewer_id, targets in readers:
            payload = payload_for(who, viewer_id) if targets else None
            if payload is not None:
                send_after_commit(event, {**payload, "room_id": room.id, "seq": seq},
                                  live.member_channels(room.id, targets))


def emit_per_audience(room: Room, event: str, payload_for: Callable[[str], Optional[dict]]) -> None:
    emit_per_reader(room, event, lambda who, _viewer: payload_for(who))


def emit_state(room: Room) -> None:
    """room.state to everyone in the room, each with the code, standings and questions they may see."""
    memo: dict = {}
    emit_per_reader(room, "room.state", lambda who, viewer: view_for(room, who, memo, viewer),
                    per_player=is_frozen(room) or room_has_private_questions(room))


def room_has_private_questions(room: Room) -> bool:
    from app.services import room_questions
    return room_questions.any_private(room)


def emit_standings(room: Room, scorer_id: Optional[int] = None) -> None:
    """room.standings after a counted attempt; during a freeze only the host's and the scorer's own
    view change, so only they get one."""
    memo: dict = {}
    frozen = is_frozen(room)

    def payload(who: str, viewer: Optional[int]) -> Optional[dict]:
        if frozen and who != HOST and not (who == PLAYER and viewer == scorer_id):
            return None
        return {"standings": visible_standings(room, who, memo, viewer)}
    emit_per_reader(room, "room.standings", payload, per_player=frozen)


# -- lifecycle -----------------------------------------------------------------
def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if db.session.execute(db.select(Room.id).filter_by(code=code)).first() is None:
            return code


def parse_room(body: dict, user: User) -> dict:
    name = f.string(body, "name", 200)
    challenge_ids = f.int_list(body, "challenge_ids", max_items=MAX_ROOM_CHALLENGES)
    if not challenge_ids:
        raise Invalid("a room needs at least one challenge")
    challenge_ids = list(dict.fromkeys(challenge_ids))
    found = set(db.session.execute(db.select(Challenge.id).where(
        Challenge.id.in_(challenge_ids), visible_condition(user))).scalars())
    missing = [cid for cid in challenge_ids if cid not in found]
    if missing:
        raise NotFound(f"challenge not found: {missing[0]}")
    duration_s = f.integer(body, "duration_s", 10, 86_400)
    max_players = f.integer(body, "max_players", 2, MAX_TOURNAMENT_PLAYERS, required=False, default=2)
    if max_players > 2 and user.role not in ("instructor", "admin"):
        raise Forbidden("only instructors and admins can host tournaments of more than 2 players")
    freeze_last_s = f.integer(body, "freeze_last_s", 0, 86_400, required=False, default=0)
    if freeze_last_s >= duration_s:
        raise Invalid("'freeze_last_s' must be shorter than 'duration_s'")
    host_plays = f.boolean(body, "host_plays", default=True)
    late_join_s = f.integer(body, "late_join_s", 0, 86_400, required=False, default=0)
    if late_join_s > duration_s:
        raise Invalid("'late_join_s' cannot be longer than 'duration_s'")
    return {"name": name.strip(), "challenge_ids": challenge_ids, "duration_s": duration_s,
            "max_players": max_players, "freeze_last_s": freeze_last_s, "host_plays": host_plays,
            "late_join_s": late_join_s, "wrong_penalty": penalty(body, "wrong_penalty"),
            "hint_penalty": penalty(body, "hint_penalty")}


def penalty(body: dict, name: str) -> float:
    """Points per wrong attempt or hint (SPEC 9.4): a number from 0 to 100."""
    value = body.get(name, 0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"'{name}' must be a number")
    if not 0 <= value <= 100:
        raise Invalid(f"'{name}' must be between 0 and 100")
    return float(value)


def create_room(user: User, body: dict) -> Room:
    values = parse_room(body, user)
    require_room_quota(user)
    challenge_ids = values.pop("challenge_ids")
    room = Room(host_user_id=user.id, code=_new_code(), state=LOBBY, **values)
    room.challenge_ids = challenge_ids
    if room.host_plays:
        room.members.append(RoomPlayer(user_id=user.id))
    db.session.add(room)
    db.session.commit()
    return room


def require_room_quota(user: User) -> None:
    """At most MAX_OPEN_ROOMS_PER_USER hosted rooms not FINISHED (SPEC 9.7): every open room costs the
    room clock. 409, since the way out is to end one (POST /api/rooms/:id/end works in any open state)."""
    limit = current_app.config["MAX_OPEN_ROOMS_PER_USER"]
    # Serialises one user's room creations on PostgreSQL, so two at once cannot both pass the count.
    db.session.execute(db.select(User.id).where(User.id == user.id).with_for_update())
    open_rooms = db.session.execute(db.select(db.func.count()).select_from(Room).where(
        Room.host_user_id == user.id, Room.state != FINISHED)).scalar_one()
    if open_rooms >= limit:
        raise Conflict(f"you already host {open_rooms} rooms that are not finished (at most {limit}); "
                       f"end one first")


def join(room: Room, user: User, with_code: bool = False) -> RoomPlayer:
    """Keeps an existing seat. A free seat goes only to a user who came with the code (or to the playing
    host), in the LOBBY or within `late_join_s` of the start (SPEC 9.4); anyone else, and everyone once
    the seats are taken or the late-join window closed, watches. A kicked user never comes back by code."""
    if with_code and was_kicked(room, user.id):
        raise Forbidden("the host removed you from this room")
    seat = member(room, user.id)
    if seat is not None and not (seat.is_spectator and with_code):
        return seat
    hosting_only = user.id == room.host_user_id and not room.host_plays
    may_sit = (with_code or user.id == room.host_user_id) and not hosting_only
    sits = may_sit and len(players(room)) < room.max_players and seats_open(room)
    if seat is None:
        seat = RoomPlayer(user_id=user.id, is_spectator=not sits)
        room.members.append(seat)
    elif sits:
        seat.is_spectator = False       # was watching, now came with the code
    else:
        return seat
    db.session.flush()
    emit_state(room)
    db.session.commit()
    return seat


def seats_open(room: Room, now: Optional[datetime] = None) -> bool:
    """Seats are taken in the LOBBY, and with `late_join_s` until that many seconds after the start."""
    if room.state == LOBBY:
        return True
    if not room.late_join_s or room.state not in (COUNTDOWN, RUNNING) or room.starts_at is None:
        return False
    return (now or utcnow()) <= room.starts_at + timedelta(seconds=room.late_join_s)


def was_kicked(room: Room, user_id: int) -> bool:
    return db.session.get(RoomKick, (room.id, user_id)) is not None


def join_by_code(user: User, code: str) -> Room:
    room = db.session.execute(db.select(Room).filter_by(code=code.strip().upper())).scalar_one_or_none()
    if room is None:
        raise NotFound("no room has that code")
    join(room, user, with_code=True)
    return room


def require_host(room: Room, user: User) -> None:
    if room.host_user_id != user.id:
        raise Forbidden("only the room's host can do this")


def start(room: Room, user: User) -> Room:
    require_host(room, user)
    if room.state != LOBBY:
        raise Conflict(f"the room is {room.state}, not LOBBY")
    if not players(room):
        raise Conflict("the room has no players")
    countdown_s = current_app.config["ROOM_COUNTDOWN_S"]
    now = utcnow()
    changed = db.session.execute(
        update(Room).where(Room.id == room.id, Room.state == LOBBY).values(
            state=COUNTDOWN, starts_at=now + timedelta(seconds=countdown_s),
            ends_at=now + timedelta(seconds=countdown_s + room.duration_s))).rowcount
    db.session.refresh(room)
    if changed:
        emit(room, "room.countdown", {"starts_at": iso(room.starts_at)})
        emit_state(room)
    db.session.commit()
    if changed and countdown_s == 0:
        begin(room)
    return room


def begin(room: Room) -> bool:
    """COUNTDOWN → RUNNING once (atomic, so only one process announces it)."""
    changed = db.session.execute(
        update(Room).where(Room.id == room.id, Room.state == COUNTDOWN).values(state=RUNNING)).rowcount
    db.session.refresh(room)
    if changed:
        emit(room, "room.started", {"ends_at": iso(room.ends_at), "challenge_ids": room.challenge_ids})
        emit_state(room)
    db.session.commit()
    return bool(changed)


def finish(room: Room) -> bool:
    """Any open state → FINISHED once; announces the final, unfrozen standings to everyone alike."""
    now = utcnow()
    changed = db.session.execute(
        update(Room).where(Room.id == room.id, Room.state.in_((LOBBY, COUNTDOWN, RUNNING))).values(
            state=FINISHED, finished_at=now)).rowcount
    db.session.refresh(room)
    if changed:
        final = results(room)
        emit(room, "room.finished", {"standings": final["standings"], "winner_user_ids": final["winner_user_ids"]})
        emit_state(room)
    db.session.commit()
    return bool(changed)


def end_now(room: Room, user: User) -> Room:
    """Ends a room now; a LOBBY or COUNTDOWN room is closed unplayed (so it stops counting as open)."""
    require_host(room, user)
    if room.state == FINISHED:
        raise Conflict("the room is already FINISHED")
    finish(room)
    return room


def rematch(room: Room, user: User) -> Room:
    require_host(room, user)
    if room.state != FINISHED:
        raise Conflict("a rematch needs a FINISHED room")
    require_room_quota(user)
    new_room = Room(host_user_id=room.host_user_id, code=_new_code(), state=LOBBY, name=room.name,
                    host_plays=room.host_plays, max_players=room.max_players, duration_s=room.duration_s,
                    freeze_last_s=room.freeze_last_s, late_join_s=room.late_join_s,
                    wrong_penalty=room.wrong_penalty, hint_penalty=room.hint_penalty)
    new_room.challenge_ids = room.challenge_ids
    for seat in players(room):
        new_room.members.append(RoomPlayer(user_id=seat.user_id, invited=seat.user_id != room.host_user_id))
    db.session.add(new_room)
    room.rematch_room_id = None
    db.session.flush()
    room.rematch_room_id = new_room.id
    emit_per_audience(room, "room.rematch", lambda who: {
        "new_room_id": new_room.id, "code": new_room.code if sees_code(who) else None})
    db.session.commit()
    return new_room


def set_ready(room: Room, user: User, ready: bool) -> Room:
    seat = member(room, user.id)
    if seat is None or seat.is_spectator:
        raise Forbidden("only seated players can be ready")
    if room.state != LOBBY:
        raise Conflict("ready flags only matter in the LOBBY")
    seat.ready = ready
    db.session.flush()
    emit_state(room)
    db.session.commit()
    return room


def leave(room: Room, user: User) -> Room:
    """In the LOBBY the seat is freed; later, leaving counts as a disconnection."""
    seat = member(room, user.id)
    if seat is None:
        return room
    if room.state == LOBBY or seat.is_spectator:
        room.members.remove(seat)
        db.session.flush()
    else:
        from app.services import room_presence
        if not room_presence.present(room.id, user.id):
            mark_connection(room, user.id, connected=False)
        return room
    emit_state(room)
    db.session.commit()
    return room


def announce(room: Room, user: User, text) -> dict:
    require_host(room, user)
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("'text' must be a non-empty string")
    if len(text) > 1000:
        raise Invalid("'text' is too long (at most 1000 characters)")
    payload = {"text": text.strip(), "at": iso(utcnow())}
    emit(room, "room.announcement", payload)
    db.session.commit()
    return payload


def kick(room: Room, user: User, target_id) -> Room:
    require_host(room, user)
    if room.state != LOBBY:
        raise Conflict("players can only be kicked in the LOBBY")
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        raise BadRequest("'user_id' must be an integer")
    seat = member(room, target_id)
    if seat is None:
        raise NotFound("that user is not in the room")
    if target_id == user.id:
        raise Invalid("the host cannot kick themselves")
    room.members.remove(seat)
    db.session.merge(RoomKick(room_id=room.id, user_id=target_id))
    db.session.flush()
    emit_to(room, "room.kicked", {}, [f"user-sockets:{target_id}"])
    emit_state(room)
    db.session.commit()
    return room


def mark_connection(room: Room, user_id: int, connected: bool) -> None:
    seat = member(room, user_id)
    if seat is None or bool(seat.connected) == connected:
        return
    seat.connected = connected
    seat.disconnected_at = None if connected else utcnow()
    db.session.flush()
    emit_state(room)
    db.session.commit()


# -- reacting to judged attempts and time -----------------------------------------
def on_attempt_completed(attempt: Attempt) -> None:
    """Standings, first solves and early finish after a counted attempt."""
    if attempt.room_id is None:
        return
    room = db.session.get(Room, attempt.room_id)
    if room is None or room.state != RUNNING or room.starts_at is None or attempt.created_at < room.starts_at:
        return
    seat = member(room, attempt.user_id)
    if seat is None or seat.is_spectator or (seat.forfeited_at and attempt.created_at >= seat.forfeited_at):
        return
    if attempt.verdict == "ACCEPTED":
        _announce_first_solve(room, attempt)
    emit_standings(room, scorer_id=attempt.user_id)
    db.session.commit()
    if everyone_solved_everything(room):
        finish(room)


def _announce_first_solve(room: Room, attempt: Attempt) -> None:
    earlier = db.session.execute(
        db.select(Attempt.id).where(
            Attempt.room_id == room.id, Attempt.challenge_id == attempt.challenge_id,
            Attempt.verdict == "ACCEPTED", Attempt.created_at >= room.starts_at,
            Attempt.user_id.in_([m.user_id for m in players(room)]),
            (Attempt.created_at < attempt.created_at) | ((Attempt.created_at == attempt.created_at) & (Attempt.id < attempt.id)),
        ).limit(1)).first()
    if earlier is None:
        user = db.session.get(User, attempt.user_id)
        elapsed = (attempt.created_at - room.starts_at).total_seconds()
        emit(room, "room.first_solve", {"challenge_id": attempt.challenge_id, "user_id": attempt.user_id,
                                        "full_name": user.full_name if user else "", "elapsed_s": round(elapsed, 3)})


def everyone_solved_everything(room: Room) -> bool:
    """Every active player has an ACCEPTED counted attempt on every challenge (penalties aside)."""
    active = {m.user_id for m in players(room) if not m.forfeited}
    if not active:
        return False
    solved = {(a.user_id, a.challenge_id) for a in counted_attempts(room) if a.accepted}
    return all((uid, cid) in solved for uid in active for cid in room.challenge_ids)


def forfeit(room: Room, seat: RoomPlayer) -> None:
    seat.forfeited = True
    seat.forfeited_at = utcnow()
    db.session.flush()
    emit_state(room)
    db.session.commit()
    if room.max_players == 2 or not [m for m in players(room) if not m.forfeited]:
        finish(room)


def tick(now: Optional[datetime] = None) -> None:
    """Advances every room whose time has come; idempotent and safe in several processes."""
    from app.services import room_presence
    now = now or utcnow()
    grace = timedelta(seconds=current_app.config["ROOM_DISCONNECT_GRACE_S"])
    for room in db.session.execute(db.select(Room).where(Room.state == COUNTDOWN, Room.starts_at <= now)).scalars().all():
        begin(room)
    running = db.session.execute(db.select(Room).where(Room.state == RUNNING)).scalars().all()
    for room in running:
        if room.ends_at is not None and room.ends_at <= now:
            finish(room)
            continue
        for seat in players(room):
            if (not seat.connected and not seat.forfeited and seat.disconnected_at is not None
                    and seat.disconnected_at + grace <= now and not room_presence.present(room.id, seat.user_id)):
                forfeit(room, seat)
                if room.state == FINISHED:
                    break
