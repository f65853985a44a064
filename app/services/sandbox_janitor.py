"""Drops PostgreSQL sandbox databases that no stored challenge uses any more (SPEC 9.7).

A dataset database is named by its content, so the set in use is computed from the app database:
every test case of every PostgreSQL challenge. Pending (QUEUED/RUNNING) attempts belong to those
challenges; one judged against an older version of its challenge may find its dataset gone and the
engine rebuilds it, and the grace period keeps a just-replaced dataset for the attempts in flight.
The engine drops only databases nobody is connected to, so several app databases may share one
sandbox cluster without dropping each other's datasets from under a running query.
"""
from __future__ import annotations

import logging
from typing import Mapping

from app.concurrency import run_blocking
from app.extensions import db
from app.judge.engines.common import dataset_memo
from app.models import Challenge

log = logging.getLogger("sqlarena.sandbox_janitor")

GRACE_S = 15 * 60          # a dataset loaded less than this long ago is kept (attempts in flight)
ENGINE = "postgresql"


def sweep(engines: Mapping, grace_s: float = GRACE_S) -> list[str]:
    """Drops the unused dataset databases; returns their names (none without a PostgreSQL sandbox)."""
    engine = engines.get(ENGINE)
    if engine is None:
        return []
    contents = _dataset_contents()
    return run_blocking(_drop_unused, engine, contents, grace_s)


def _dataset_contents() -> list[tuple]:
    """(version, init, case) of every PostgreSQL test case stored."""
    challenges = db.session.execute(db.select(Challenge).where(Challenge.engine == ENGINE)).scalars()
    return [(challenge.version, challenge.init, case) for challenge in challenges for case in challenge.test_cases]


def _drop_unused(engine, contents: list[tuple], grace_s: float) -> list[str]:
    """Off the event loop: hashing every dataset's content costs CPU (remembered per version and case)."""
    in_use = {engine.dataset_name(init, case.data, dataset_memo(version, init, case))
              for version, init, case in contents}
    return engine.drop_unused_datasets(in_use, grace_s)
