"""Idle query connections per dataset database, so a run costs the query, not a login.

A connection is reset (`DISCARD ALL`: settings, session authorization, cursors, prepared
statements, listens) when it comes back, so nothing one attempt did to its session reaches the
next attempt that uses it (SPEC 9.7), even if a statement ever got past the single-statement walls.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any, Callable

import psycopg
from psycopg.pq import TransactionStatus

from app.judge.engines.postgres.provisioning import close_quietly

log = logging.getLogger("sqlarena.judge.postgres")

IDLE_PER_DATASET = 4               # pooled idle query connections per dataset
IDLE_TOTAL = 16                    # pooled idle query connections in all


class QueryPool:
    """Checkout takes an idle connection of the dataset or opens one; checkin keeps it for the next run."""

    def __init__(self, connect: Callable[[str], Any]):
        self._connect = connect
        self._lock = threading.Lock()
        self._idle: "OrderedDict[str, list[Any]]" = OrderedDict()  # database -> idle connections (LRU)

    def checkout(self, dbname: str):
        with self._lock:
            idle = self._idle.get(dbname)
            if idle:
                self._idle.move_to_end(dbname)
                return idle.pop()
        return self._connect(dbname)

    def checkin(self, dbname: str, conn, wanted: bool = True) -> None:
        """Resets and keeps a healthy connection unless its dataset is no longer `wanted` or the pool is full."""
        if not reset(conn):
            close_quietly(conn)
            return
        surplus = []
        with self._lock:
            if not wanted and dbname not in self._idle:
                surplus.append(conn)
            else:
                idle = self._idle.setdefault(dbname, [])
                self._idle.move_to_end(dbname)
                if len(idle) >= IDLE_PER_DATASET:
                    surplus.append(conn)
                else:
                    idle.append(conn)
                while sum(len(v) for v in self._idle.values()) > IDLE_TOTAL:
                    oldest, conns = next(iter(self._idle.items()))
                    surplus.append(conns.pop(0))
                    if not conns:
                        del self._idle[oldest]
        for extra in surplus:
            close_quietly(extra)

    def forget(self, dbname: str) -> None:
        """Closes the dataset's idle connections (evicted, dropped or gone stale)."""
        with self._lock:
            idle = self._idle.pop(dbname, [])
        for conn in idle:
            close_quietly(conn)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {dbname: len(conns) for dbname, conns in self._idle.items() if conns}

    def close(self) -> None:
        with self._lock:
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in idle:
            close_quietly(conn)


def reset(conn: psycopg.Connection) -> bool:
    """Ends any transaction and returns the session to its login state; False if it is unusable."""
    if conn.closed or conn.broken:
        return False
    try:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        conn.execute("DISCARD ALL")
    except psycopg.Error as exc:
        log.debug("resetting a sandbox connection failed: %s", exc)
        return False
    return True

