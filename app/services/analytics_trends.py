"""One challenge's trends for its analytics page: acceptance per period and a histogram of execution
times, each one aggregate query in the database (never attempts loaded into Python)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import case, func

from app.extensions import db
from app.judge.verdicts import ACCEPTED, COMPLETED
from app.models import Attempt, User
from app.services.analytics import Window, visible_challenges

HISTOGRAM_BINS = 10
HOURLY_UP_TO = timedelta(days=2)   # a class's session reads better per hour; a term per day
_FORMATS = {   # (SQLite strftime, PostgreSQL to_char) per period, both giving sortable text
    "day": ("%Y-%m-%d", "YYYY-MM-DD"),
    "hour": ("%Y-%m-%dT%H:00", 'YYYY-MM-DD"T"HH24:00'),
}


def trends(viewer: User, challenge_id: int, start: Optional[datetime] = None,
           end: Optional[datetime] = None) -> dict:
    """Judged (COMPLETED) attempts only, like the verdict counts; `start`/`end` cut by submission time."""
    (challenge,) = visible_challenges(viewer, challenge_id)
    scope = [Attempt.challenge_id == challenge.id, Attempt.status == COMPLETED, *Window(start, end).attempt_rows()]
    period = _period(scope)
    return {"challenge_id": challenge.id, "period": period, "acceptance": _acceptance(scope, period),
            "execution_ms": _histogram(scope)}


def _period(scope: list) -> str:
    first, last = db.session.execute(db.select(func.min(Attempt.created_at), func.max(Attempt.created_at))
                                     .where(*scope)).one()
    return "hour" if first is None or last - first <= HOURLY_UP_TO else "day"


def _bucket(period: str):
    sqlite_format, postgres_format = _FORMATS[period]
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(Attempt.created_at, postgres_format)
    return func.strftime(sqlite_format, Attempt.created_at)


def _acceptance(scope: list, period: str) -> list[dict]:
    bucket = _bucket(period).label("bucket")
    rows = db.session.execute(
        db.select(bucket, func.count(), func.sum(case((Attempt.verdict == ACCEPTED, 1), else_=0)))
        .where(*scope).group_by(bucket).order_by(bucket)).all()
    return [{"period_start": key, "judged": judged, "accepted": int(accepted or 0)} for key, judged, accepted in rows]


def _histogram(scope: list) -> list[dict]:
    """HISTOGRAM_BINS equal ranges from the fastest to the slowest time (one range when all are equal).
    Counts come from "how many are below each edge" sums, which need no floor() (SQLite lacks it)."""
    timed = [*scope, Attempt.execution_ms.is_not(None)]
    low, high, total = db.session.execute(
        db.select(func.min(Attempt.execution_ms), func.max(Attempt.execution_ms), func.count()).where(*timed)).one()
    if not total:
        return []
    if high == low:
        return [{"from_ms": low, "to_ms": high, "attempts": total}]
    width = (high - low) / HISTOGRAM_BINS
    edges = [low + width * i for i in range(1, HISTOGRAM_BINS)]
    below = db.session.execute(db.select(*[func.sum(case((Attempt.execution_ms < edge, 1), else_=0)) for edge in edges])
                               .where(*timed)).one()
    cumulative = [0, *[int(n or 0) for n in below], total]
    bounds = [low, *edges, high]
    return [{"from_ms": round(bounds[i], 3), "to_ms": round(bounds[i + 1], 3), "attempts": cumulative[i + 1] - cumulative[i]}
            for i in range(HISTOGRAM_BINS)]
