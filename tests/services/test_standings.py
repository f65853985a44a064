"""Room standings rule: total of best scores desc, then time to first reach it asc; forfeits last."""
from datetime import datetime, timedelta

from app.services.standings import Contestant, CountedAttempt, Penalties, compute_standings, winners

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


def wrong(user_id, challenge_id, seconds, score=0.0):
    return CountedAttempt(user_id, challenge_id, score, at(seconds), accepted=False)


def accepted(user_id, challenge_id, seconds):
    return CountedAttempt(user_id, challenge_id, 100.0, at(seconds), accepted=True)


def test_wrong_attempts_before_the_first_accepted_one_cost_points():
    attempts = [wrong(1, 10, 1), wrong(1, 10, 2), accepted(1, 10, 3), wrong(1, 10, 4)]   # the last is after: free
    [row] = compute_standings([Contestant(1, "Ann")], attempts, [10], T0, Penalties(wrong=5))
    assert row["total_score"] == 90 and row["per_challenge"] == {"10": 90} and row["penalty"] == 10


def test_an_unsolved_challenge_pays_for_every_wrong_attempt_but_never_goes_below_zero():
    attempts = [wrong(1, 10, 1, score=30.0), wrong(1, 10, 2), wrong(1, 11, 3), wrong(1, 11, 4)]
    [row] = compute_standings([Contestant(1, "Ann")], attempts, [10, 11], T0, Penalties(wrong=20))
    assert row["per_challenge"] == {"10": 0.0, "11": 0.0} and row["total_score"] == 0


def test_hints_cost_points_per_hint_on_their_challenge_only():
    hints = {(1, 10): 2, (2, 11): 1}
    attempts = [accepted(1, 10, 5), accepted(2, 10, 6)]
    rows = compute_standings([Contestant(1, "Ann"), Contestant(2, "Bob")], attempts, [10, 11], T0,
                             Penalties(hint=15, hints=hints))
    by_user = {r["user_id"]: r for r in rows}
    assert by_user[1]["total_score"] == 70 and by_user[1]["penalty"] == 30
    assert by_user[2]["total_score"] == 100 and by_user[2]["penalty"] == 0    # 11 unsolved: nothing to take
    assert [r["user_id"] for r in rows] == [2, 1]                              # the penalty changes the ranking


def test_no_penalties_by_default():
    attempts = [wrong(1, 10, 1), accepted(1, 10, 3)]
    [row] = compute_standings([Contestant(1, "Ann")], attempts, [10], T0)
    assert row["total_score"] == 100 and row["penalty"] == 0
