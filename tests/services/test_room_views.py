"""The one projection of a room's standings (SPEC 9.4): every audience × freeze × room state.

`standings()` (the database part) is replaced by two canned tables, so what is tested here is only who
reads which: the host always the live table; during a freeze a player the frozen table with their own row
live (keeping the frozen rank), a spectator or outsider the frozen table; everyone the live one otherwise.
"""
from datetime import timedelta

import pytest

from app.models import Room, RoomPlayer
from app.models.timestamps import utcnow
from app.services import rooms

HOST_ID, ANN, BOB, SPECTATOR, OUTSIDER = 1, 2, 3, 4, 5


def row(user_id: int, rank: int, total: float) -> dict:
    return {"user_id": user_id, "full_name": str(user_id), "rank": rank, "total_score": total, "elapsed_s": 1.0,
            "per_challenge": {"7": total}, "penalty": 0.0, "forfeited": False}


LIVE = [row(BOB, 1, 200.0), row(ANN, 2, 100.0)]
FROZEN = [row(ANN, 1, 50.0), row(BOB, 2, 0.0)]


@pytest.fixture(autouse=True)
def canned_standings(monkeypatch):
    monkeypatch.setattr(rooms, "standings", lambda room, live_view=True: LIVE if live_view else FROZEN)


def make_room(state: str, frozen_phase: bool) -> Room:
    """A room with a 60 s freeze, its end 30 s away (inside the freeze) or 500 s away (before it)."""
    room = Room(host_user_id=HOST_ID, state=state, freeze_last_s=60,
                ends_at=utcnow() + timedelta(seconds=30 if frozen_phase else 500))
    room.members = [RoomPlayer(user_id=ANN, is_spectator=False), RoomPlayer(user_id=BOB, is_spectator=False),
                    RoomPlayer(user_id=SPECTATOR, is_spectator=True)]
    return room


def seen_by(room: Room, viewer_id: int) -> list[dict]:
    return rooms.visible_standings(room, rooms.audience(room, viewer_id), viewer_id=viewer_id)


STATES = [(rooms.LOBBY, False), (rooms.COUNTDOWN, False), (rooms.RUNNING, False), (rooms.FINISHED, False),
          (rooms.LOBBY, True), (rooms.COUNTDOWN, True), (rooms.FINISHED, True)]


@pytest.mark.parametrize("state,in_freeze_window", STATES)
@pytest.mark.parametrize("viewer", [HOST_ID, ANN, BOB, SPECTATOR, OUTSIDER])
def test_everyone_reads_the_live_standings_when_nothing_is_frozen(state, in_freeze_window, viewer):
    room = make_room(state, in_freeze_window)
    assert not rooms.is_frozen(room)
    assert seen_by(room, viewer) == LIVE


def test_during_the_freeze_the_host_reads_everything_live():
    room = make_room(rooms.RUNNING, True)
    assert rooms.is_frozen(room)
    assert seen_by(room, HOST_ID) == LIVE


@pytest.mark.parametrize("viewer", [SPECTATOR, OUTSIDER])
def test_during_the_freeze_a_watcher_reads_the_frozen_table(viewer):
    assert seen_by(make_room(rooms.RUNNING, True), viewer) == FROZEN


@pytest.mark.parametrize("viewer,other", [(ANN, BOB), (BOB, ANN)])
def test_during_the_freeze_a_player_reads_their_own_row_live_and_the_others_frozen(viewer, other):
    shown = {r["user_id"]: r for r in seen_by(make_room(rooms.RUNNING, True), viewer)}
    live_own = next(r for r in LIVE if r["user_id"] == viewer)
    frozen_own = next(r for r in FROZEN if r["user_id"] == viewer)
    assert shown[viewer] == {**live_own, "rank": frozen_own["rank"]}       # live score, frozen rank
    assert shown[other] == next(r for r in FROZEN if r["user_id"] == other)
    assert [r["user_id"] for r in seen_by(make_room(rooms.RUNNING, True), viewer)] == [ANN, BOB]   # frozen order


def test_without_a_viewer_a_player_audience_reads_the_frozen_table():
    """An audience-wide payload (no single reader) never leaks anyone's live row."""
    assert rooms.visible_standings(make_room(rooms.RUNNING, True), rooms.PLAYER) == FROZEN


@pytest.mark.parametrize("viewer,sees", [(HOST_ID, True), (ANN, True), (SPECTATOR, False), (OUTSIDER, False)])
def test_the_code_is_for_the_host_and_the_players(viewer, sees):
    room = make_room(rooms.RUNNING, True)
    assert rooms.sees_code(rooms.audience(room, viewer)) is sees
