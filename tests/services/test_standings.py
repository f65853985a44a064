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
