"""Fixed execution-time buckets for the per-day histograms (app/models/stats.py: ChallengeDayTimes).

Each bucket is 5 % wide above 1 µs, so the bucket holding a window's median holds about 5 % of
its attempts or fewer; the median itself is then read exactly from those attempts. The edges are
floats computed once here and stored as they are, so Python (`bucket_of`) and SQL (`>= lower AND
< upper`) put a value on the same side of every edge.
"""
from __future__ import annotations

from bisect import bisect_right

GROWTH = 1.05
SMALLEST = 0.001      # ms; everything below is bucket 0.0
LARGEST = 1e7         # ms, far above any time limit

EDGES: tuple[float, ...] = (0.0,) + tuple(
    SMALLEST * GROWTH ** k for k in range(0, 10_000) if SMALLEST * GROWTH ** k <= LARGEST * GROWTH)


def bucket_of(ms: float) -> float:
    """The lower edge of the bucket holding `ms` (negative values, which never occur, go to 0.0)."""
    return EDGES[max(0, bisect_right(EDGES, ms) - 1)]


def upper_edge(bucket: float) -> float:
    """The exclusive upper edge of the bucket whose lower edge is `bucket` (infinity for the last)."""
    index = bisect_right(EDGES, bucket)
    return EDGES[index] if index < len(EDGES) else float("inf")
