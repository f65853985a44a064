"""Per-challenge analytics, computed by aggregate queries in the database (never row by row in Python).

All time: the running totals. A time window: its whole UTC days from the per-day rollups, and the
parts of days it cuts (at most two) from the attempts themselves, so any window is exact and a window
of whole days never reads an attempt row (bench/analytics.py). The median of a window is found in the
rollups' time histogram, then read exactly from the attempts of the one bucket that holds it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from sqlalchemy import and_, case, distinct, func, literal, or_, text, union_all
from sqlalchemy.orm import selectinload

from app.errors import NotFound
from app.extensions import db
from app.services import permissions
from app.judge.verdicts import ACCEPTED, COMPLETED, VERDICTS
from app.models import (Attempt, AttemptCase, Challenge, ChallengeDayStats, ChallengeDayTimes, ChallengeDayVerdicts,
                        ChallengeStats, ChallengeTimes, ChallengeUserDay, ChallengeVerdictStats, TestCaseDayStats, User)
from app.services.time_buckets import bucket_of, upper_edge


def visible_challenges(viewer: User, challenge_id: Optional[int]) -> list[Challenge]:
    """Admins see every challenge, instructors their own; players nothing."""
    permissions.require_staff(viewer, "analytics are for instructors and admins")
    query = db.select(Challenge).options(selectinload(Challenge.test_cases)).order_by(Challenge.id)
    if not permissions.is_admin(viewer):
        query = query.where(Challenge.created_user_id == viewer.id)
    if challenge_id is not None:
        challenge = db.session.get(Challenge, challenge_id)
        if challenge is None:
            raise NotFound("challenge not found")
        permissions.require(permissions.is_creator_or_admin(challenge, viewer), "that challenge is another instructor's")
        query = query.where(Challenge.id == challenge_id)
    return list(db.session.execute(query).scalars())


def analytics(viewer: User, challenge_id: Optional[int] = None, start: Optional[datetime] = None,
              end: Optional[datetime] = None) -> list[dict]:
    challenges = visible_challenges(viewer, challenge_id)
    if not challenges:
        return []
    ids = [c.id for c in challenges]
    case_ids = [tc.id for c in challenges for tc in c.test_cases]
    if start is None and end is None:      # all time: the running totals
        totals, verdicts = stored_totals(ids), stored_verdict_counts(ids)
        medians, case_rates = histogram_medians(ids, None), _rates(day_case_counts(case_ids, None))
    else:                                  # a window: whole days from the rollups, cut days from the attempts
        window = Window(start, end)
        totals, verdicts = window_totals(ids, window), window_verdict_counts(ids, window)
        medians = histogram_medians(ids, window)
        edge_cases = scan_case_counts(case_ids, ids, [window.edge_rows()]) if window.edges else {}
        case_rates = _rates(_add(day_case_counts(case_ids, window), edge_cases))
    items = []
    for challenge in challenges:
        attempts, users, accepted_users, accepted_attempts = totals.get(challenge.id, (0, 0, 0, 0))
        items.append({
            "challenge_id": challenge.id, "name": challenge.name, "attempts": attempts,
            "unique_users": users, "accepted_users": accepted_users,
            "acceptance_rate": round(accepted_attempts / attempts, 4) if attempts else 0.0,
            "verdicts": {v: verdicts.get((challenge.id, v), 0) for v in VERDICTS},
            "median_execution_ms": medians.get(challenge.id),
            "cases": [{"test_case_id": tc.id, "accepted_rate": case_rates.get(tc.id, 0.0)}
                      for tc in challenge.test_cases],
        })
    return items


def _add(*counts: dict) -> dict:
    """Sums dicts of equal-length tuples (or ints) key by key."""
    total: dict = {}
    for part in counts:
        for key, value in part.items():
            if key not in total:
                total[key] = value
            elif isinstance(value, tuple):
                total[key] = tuple(a + b for a, b in zip(total[key], value))
            else:
                total[key] += value
    return total


# -- the reference aggregates over attempts (a window's cut days, and rebuilds) ----------------------------

def scan_totals(ids: list[int], window: list) -> dict[int, tuple]:
    accepted = Attempt.verdict == ACCEPTED
    rows = db.session.execute(
        db.select(Attempt.challenge_id, func.count(), func.count(distinct(Attempt.user_id)),
                  func.count(distinct(case((accepted, Attempt.user_id)))),
                  func.sum(case((accepted, 1), else_=0)))
        .where(Attempt.challenge_id.in_(ids), *window).group_by(Attempt.challenge_id)).all()
    return {row[0]: (row[1], row[2], row[3], int(row[4] or 0)) for row in rows}


def scan_verdict_counts(ids: list[int], window: list) -> dict[tuple, int]:
    rows = db.session.execute(
        db.select(Attempt.challenge_id, Attempt.verdict, func.count())
        .where(Attempt.challenge_id.in_(ids), Attempt.status == COMPLETED, *window)
        .group_by(Attempt.challenge_id, Attempt.verdict)).all()
    return {(cid, verdict): count for cid, verdict, count in rows}


def _median_execution_ms(ids: list[int], window: list) -> dict[int, float]:
    """Median over completed attempts: the mean of the middle one or two, computed as
    `indexed_medians` computes it ((a + b) / 2), so totals and windows agree to the last digit
    (percentile_cont interpolates as a + (b - a) / 2, which can round the other way)."""
    completed = and_(Attempt.challenge_id.in_(ids), Attempt.status == COMPLETED,
                     Attempt.execution_ms.is_not(None), *window)
    ranked = db.select(
        Attempt.challenge_id.label("cid"), Attempt.execution_ms.label("ms"),
        func.row_number().over(partition_by=Attempt.challenge_id, order_by=Attempt.execution_ms).label("rn"),
        func.count().over(partition_by=Attempt.challenge_id).label("n"),
    ).where(completed).subquery()
    middle = db.select(ranked.c.cid, ranked.c.ms).where(
        ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
    values: dict[int, list[float]] = {}
    for cid, ms in db.session.execute(middle).all():
        values.setdefault(cid, []).append(float(ms))
    return {cid: round(sum(ms) / len(ms), 3) for cid, ms in values.items()}


def scan_case_counts(case_ids: list[int], ids: list[int], window: list) -> dict[int, tuple[int, int]]:
    """(judged, accepted) per test case; without a time window it never touches attempts."""
    query = (db.select(AttemptCase.test_case_id, func.count(),
                       func.sum(case((AttemptCase.verdict == ACCEPTED, 1), else_=0)))
             .where(AttemptCase.test_case_id.in_(case_ids)).group_by(AttemptCase.test_case_id))
    if window:
        query = query.join(Attempt, Attempt.id == AttemptCase.attempt_id).where(Attempt.challenge_id.in_(ids), *window)
    return {tc: (total, int(ok or 0)) for tc, total, ok in db.session.execute(query).all()}


def _rates(counts: dict[int, tuple[int, int]]) -> dict[int, float]:
    return {tc: round(ok / total, 4) for tc, (total, ok) in counts.items() if total}


# -- unwindowed: running totals (app/models/stats.py) --------------------------------------

def stored_totals(ids: list[int]) -> dict[int, tuple]:
    rows = db.session.execute(db.select(ChallengeStats).where(ChallengeStats.challenge_id.in_(ids))).scalars()
    return {r.challenge_id: (r.attempts, r.unique_users, r.accepted_users, r.accepted_attempts) for r in rows}


def stored_verdict_counts(ids: list[int]) -> dict[tuple, int]:
    rows = db.session.execute(
        db.select(ChallengeVerdictStats).where(ChallengeVerdictStats.challenge_id.in_(ids))).scalars()
    return {(r.challenge_id, r.verdict): r.count for r in rows}


def day_case_counts(case_ids: list[int], window: Optional["Window"]) -> dict[int, tuple[int, int]]:
    """(judged, accepted) per test case summed over its days (all of them, or the window's whole days)."""
    query = (db.select(TestCaseDayStats.test_case_id, func.sum(TestCaseDayStats.judged),
                       func.sum(TestCaseDayStats.accepted))
             .where(TestCaseDayStats.test_case_id.in_(case_ids)).group_by(TestCaseDayStats.test_case_id))
    if window is not None:
        query = query.where(*window.whole_days(TestCaseDayStats.day))
    return {tc: (int(judged or 0), int(ok or 0)) for tc, judged, ok in db.session.execute(query).all()}


# -- a time window: whole days from the rollups, cut days from the attempts ---------------------------------

LATEST = datetime(9999, 12, 1)


@dataclass(frozen=True)
class Window:
    """`start <= created_at <= end` (either side open), split into the whole UTC days it covers and
    the at most two cut pieces at its ends, as half-open [lo, hi) intervals of `created_at`."""
    start: Optional[datetime]
    end: Optional[datetime]

    def __post_init__(self):
        # Days near year 9999 hold no attempts; clamping keeps the day arithmetic from overflowing.
        if self.start is not None and self.start > LATEST:
            object.__setattr__(self, "start", LATEST)
        if self.end is not None and self.end > LATEST:
            object.__setattr__(self, "end", None)

    @property
    def _hi(self) -> Optional[datetime]:
        return None if self.end is None else self.end + timedelta(microseconds=1)

    @property
    def first_day(self) -> Optional[date]:
        if self.start is None:
            return None
        midnight = datetime.combine(self.start.date(), time())
        return self.start.date() if self.start == midnight else self.start.date() + timedelta(days=1)

    @property
    def last_day(self) -> Optional[date]:
        return None if self._hi is None else self._hi.date() - timedelta(days=1)

    @property
    def has_whole_days(self) -> bool:
        return self.first_day is None or self.last_day is None or self.first_day <= self.last_day

    def whole_days(self, day_column) -> list:
        if not self.has_whole_days:
            return [literal(False)]
        return [c for c in (day_column >= self.first_day if self.first_day else None,
                            day_column <= self.last_day if self.last_day else None) if c is not None]

    @property
    def edges(self) -> list[tuple[Optional[datetime], Optional[datetime]]]:
        if not self.has_whole_days:
            return [(self.start, self._hi)]
        pieces = []
        if self.first_day is not None and self.start != datetime.combine(self.first_day, time()):
            pieces.append((self.start, datetime.combine(self.first_day, time())))
        if self.last_day is not None:
            after = datetime.combine(self.last_day + timedelta(days=1), time())
            if self._hi > after:
                pieces.append((after, self._hi))
        return pieces

    def edge_rows(self):
        """The attempts in the cut pieces (only meaningful when `edges` is not empty)."""
        return or_(*(and_(*([Attempt.created_at >= lo] if lo else []), *([Attempt.created_at < hi] if hi else []))
                     for lo, hi in self.edges))

    def attempt_rows(self) -> list:
        return [c for c in (Attempt.created_at >= self.start if self.start else None,
                            Attempt.created_at <= self.end if self.end else None) if c is not None]


def window_totals(ids: list[int], window: Window) -> dict[int, tuple]:
    """(attempts, unique users, accepted users, accepted attempts) per challenge."""
    attempts = dict(db.session.execute(
        db.select(ChallengeDayStats.challenge_id, func.sum(ChallengeDayStats.attempts))
        .where(ChallengeDayStats.challenge_id.in_(ids), *window.whole_days(ChallengeDayStats.day))
        .group_by(ChallengeDayStats.challenge_id)).all())
    accepted = {cid: count for (cid, verdict), count in _day_verdicts(ids, window).items() if verdict == ACCEPTED}
    per_user = [db.select(ChallengeUserDay.challenge_id.label("cid"), ChallengeUserDay.user_id.label("uid"),
                          case((ChallengeUserDay.accepted, 1), else_=0).label("ok"))
                .where(ChallengeUserDay.challenge_id.in_(ids), *window.whole_days(ChallengeUserDay.day))]
    if window.edges:
        edge = scan_totals(ids, [window.edge_rows()])
        attempts = _add(attempts, {cid: row[0] for cid, row in edge.items()})
        accepted = _add(accepted, {cid: row[3] for cid, row in edge.items()})
        per_user.append(db.select(Attempt.challenge_id, Attempt.user_id,
                                  case((Attempt.verdict == ACCEPTED, 1), else_=0))
                        .where(Attempt.challenge_id.in_(ids), window.edge_rows()))
    users = union_all(*per_user).subquery() if len(per_user) > 1 else per_user[0].subquery()
    distinct_users = {cid: (n, ok) for cid, n, ok in db.session.execute(
        db.select(users.c.cid, func.count(distinct(users.c.uid)),
                  func.count(distinct(case((users.c.ok == 1, users.c.uid)))))
        .group_by(users.c.cid)).all()}
    return {cid: (int(attempts.get(cid) or 0), *distinct_users.get(cid, (0, 0)), int(accepted.get(cid) or 0))
            for cid in ids if attempts.get(cid) or cid in distinct_users}


def _day_verdicts(ids: list[int], window: Window) -> dict[tuple, int]:
    rows = db.session.execute(
        db.select(ChallengeDayVerdicts.challenge_id, ChallengeDayVerdicts.verdict, func.sum(ChallengeDayVerdicts.count))
        .where(ChallengeDayVerdicts.challenge_id.in_(ids), *window.whole_days(ChallengeDayVerdicts.day))
        .group_by(ChallengeDayVerdicts.challenge_id, ChallengeDayVerdicts.verdict)).all()
    return {(cid, verdict): int(count) for cid, verdict, count in rows}


def window_verdict_counts(ids: list[int], window: Window) -> dict[tuple, int]:
    edge = scan_verdict_counts(ids, [window.edge_rows()]) if window.edges else {}
    return _add(_day_verdicts(ids, window), edge)


def histogram_medians(ids: list[int], window: Optional[Window]) -> dict[int, float]:
    """Each challenge's median execution_ms: the time histogram (all time, or the window's days plus its
    cut pieces) says which bucket holds the middle value(s) and at what offset; one query then reads
    those values exactly from the attempts of that bucket."""
    if window is None:
        rows = db.session.execute(
            db.select(ChallengeTimes.challenge_id, ChallengeTimes.bucket, ChallengeTimes.count)
            .where(ChallengeTimes.challenge_id.in_(ids))).all()
    else:
        rows = db.session.execute(
            db.select(ChallengeDayTimes.challenge_id, ChallengeDayTimes.bucket, func.sum(ChallengeDayTimes.count))
            .where(ChallengeDayTimes.challenge_id.in_(ids), *window.whole_days(ChallengeDayTimes.day))
            .group_by(ChallengeDayTimes.challenge_id, ChallengeDayTimes.bucket)).all()
    histogram: dict[int, dict[float, int]] = {}
    for cid, bucket, count in rows:
        histogram.setdefault(cid, {})[bucket] = int(count)
    if window is not None and window.edges:
        for cid, ms in db.session.execute(
                db.select(Attempt.challenge_id, Attempt.execution_ms)
                .where(Attempt.challenge_id.in_(ids), Attempt.status == COMPLETED, Attempt.execution_ms.is_not(None),
                       window.edge_rows())).all():
            buckets = histogram.setdefault(cid, {})
            buckets[bucket_of(ms)] = buckets.get(bucket_of(ms), 0) + 1
    wanted = [(cid, *place) for cid, buckets in histogram.items() for place in _middle_places(buckets)]
    conditions = window.attempt_rows() if window is not None else []
    found = _values_at(wanted, window)
    medians = {}
    for cid in histogram:
        places = [found.get((cid, n)) for n, (c, *_) in enumerate(wanted) if c == cid]
        if not places:
            continue
        if None in places:   # the rollups disagree with the attempts (e.g. mid-rejudge): read them all
            median = _median_execution_ms([cid], conditions).get(cid)
            if median is not None:
                medians[cid] = median
            continue
        medians[cid] = round(sum(places) / len(places), 3)
    return medians


def _middle_places(buckets: dict[float, int]) -> list[tuple[float, int]]:
    """(bucket, offset inside it) of the middle value, or of the two middle values."""
    total = sum(buckets.values())
    places = []
    for position in sorted({(total - 1) // 2, total // 2}) if total else []:
        seen = 0
        for bucket in sorted(buckets):
            if position < seen + buckets[bucket]:
                places.append((bucket, position - seen))
                break
            seen += buckets[bucket]
    return places


def _values_at(wanted: list[tuple[int, float, int]], window: Optional[Window]) -> dict[tuple[int, int], float]:
    """For each (challenge, bucket, offset): the offset-th smallest execution_ms of the challenge's completed
    attempts in that bucket (and window), keyed by (challenge, index in `wanted`). One statement: each
    wanted place walks only its bucket's stretch of the (challenge_id, status, execution_ms) index."""
    if not wanted:
        return {}
    params: dict = {"completed": COMPLETED}
    places = []
    for n, (cid, bucket, offset) in enumerate(wanted):
        high = upper_edge(bucket)
        params.update({f"n{n}": n, f"c{n}": cid, f"lo{n}": bucket, f"off{n}": offset,
                       f"hi{n}": high if high != float("inf") else 1e300})
        places.append(f"(:n{n}, :c{n}, :lo{n}, :hi{n}, :off{n})")
    within = ""
    if window is not None and window.start is not None:
        within += " AND a.created_at >= :start"
        params["start"] = window.start
    if window is not None and window.end is not None:
        within += " AND a.created_at <= :end"
        params["end"] = window.end
    statement = text(
        f"WITH place(n, cid, lo, hi, off) AS (VALUES {', '.join(places)}) "
        "SELECT n, ms FROM (SELECT place.n AS n, place.off AS off, a.execution_ms AS ms, "
        "ROW_NUMBER() OVER (PARTITION BY place.n ORDER BY a.execution_ms) - 1 AS k "
        "FROM place JOIN attempts a ON a.challenge_id = place.cid AND a.status = :completed "
        f"AND a.execution_ms >= place.lo AND a.execution_ms < place.hi{within}) ranked WHERE k = off")
    return {(wanted[n][0], n): float(ms) for n, ms in db.session.execute(statement, params).all()}
