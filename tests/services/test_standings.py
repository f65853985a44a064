"""Room standings rule: total of best scores desc, then time to first reach it asc; forfeits last."""
from datetime import datetime, timedelta

from app.services.standings import Contestant, CountedAttempt, compute_standings, winners

T0 = datetime(2026, 1, 1, 12, 0, 0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_best_score_per_challenge_counts_once():
    people = [Contestant(1, "Ann")]
    attempts = [CountedAttempt(1, 10, 50, at(5)), CountedAttempt(1, 10, 100, at(9)), CountedAttempt(1, 10, 0, at(20))]
    [row] = compute_standings(people, attempts, [10, 11], T0)
    assert row["total_score"] == 100 and row["per_challenge"] == {"10": 100, "11": 0.0}
    assert row["elapsed_s"] == 9


def test_tie_on_total_broken_by_time_to_reach_it():
    people = [Contestant(1, "Ann"), Contestant(2, "Bob")]
    attempts = [
        CountedAttempt(1, 10, 100, at(30)), CountedAttempt(2, 10, 100, at(20)),
        CountedAttempt(1, 11, 0, at(40)),  # no change of total: Ann's time stays 30 s
    ]
    rows = compute_standings(people, attempts, [10, 11], T0)
    assert [r["user_id"] for r in rows] == [2, 1] and [r["rank"] for r in rows] == [1, 2]
    assert rows[1]["elapsed_s"] == 30
    assert winners(rows) == [2]


def test_higher_total_beats_faster_lower_total():
    people = [Contestant(1, "Ann"), Contestant(2, "Bob")]
    attempts = [CountedAttempt(1, 10, 100, at(1)), CountedAttempt(2, 10, 100, at(50)), CountedAttempt(2, 11, 50, at(60))]
    rows = compute_standings(people, attempts, [10, 11], T0)
    assert rows[0]["user_id"] == 2 and rows[0]["total_score"] == 150 and rows[0]["elapsed_s"] == 60


def test_exact_tie_shares_rank_and_both_win():
    people = [Contestant(1, "Ann"), Contestant(2, "Bob"), Contestant(3, "Cy")]
    attempts = [CountedAttempt(1, 10, 100, at(10)), CountedAttempt(2, 10, 100, at(10))]
    rows = compute_standings(people, attempts, [10], T0)
    assert [r["rank"] for r in rows] == [1, 1, 3]
    assert sorted(winners(rows)) == [1, 2]


def test_forfeit_ranks_last_and_the_other_duelist_wins_even_at_zero():
    people = [Contestant(1, "Ann", forfeited=True), Contestant(2, "Bob")]
    rows = compute_standings(people, [CountedAttempt(1, 10, 100, at(5))], [10], T0)
    assert [r["user_id"] for r in rows] == [2, 1]
    assert winners(rows) == [2]


def test_nobody_scored_means_no_winner():
    rows = compute_standings([Contestant(1, "Ann"), Contestant(2, "Bob")], [], [10], T0)
    assert winners(rows) == [] and [r["rank"] for r in rows] == [1, 1]


def test_one_audience_rule_decides_code_and_freeze():
    """Host, seated player, spectator and outsider: who reads the code and the live standings (SPEC 9.7)."""
    from app.models import Room, RoomPlayer
    from app.models.timestamps import utcnow
    from app.services import rooms

    room = Room(host_user_id=1, state=rooms.RUNNING, freeze_last_s=50, ends_at=utcnow() + timedelta(seconds=30))
    room.members = [RoomPlayer(user_id=1, is_spectator=False), RoomPlayer(user_id=2, is_spectator=False),
                    RoomPlayer(user_id=3, is_spectator=True)]
    who = {uid: rooms.audience(room, uid) for uid in (1, 2, 3, 4, None)}
    assert who == {1: rooms.HOST, 2: rooms.PLAYER, 3: rooms.WATCHER, 4: rooms.WATCHER, None: rooms.WATCHER}
    assert [rooms.sees_code(w) for w in (rooms.HOST, rooms.PLAYER, rooms.WATCHER)] == [True, True, False]
    assert rooms.audiences(room) == {rooms.HOST: [1], rooms.PLAYER: [2], rooms.WATCHER: [3]}
    assert rooms.is_frozen(room)
    assert [rooms.sees_live(room, w) for w in (rooms.HOST, rooms.PLAYER, rooms.WATCHER)] == [True, False, False]
    room.state = rooms.FINISHED      # the final standings are for everyone
    assert all(rooms.sees_live(room, w) for w in (rooms.HOST, rooms.PLAYER, rooms.WATCHER))
    room.state, room.ends_at = rooms.RUNNING, utcnow() + timedelta(seconds=500)    # before the freeze
    assert all(rooms.sees_live(room, w) for w in (rooms.HOST, rooms.PLAYER, rooms.WATCHER))
