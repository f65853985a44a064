"""challenge versions: the snapshot judging needs of each version attempts may still be judged on

Revision ID: 0012
Revises: 0011
"""
import json
from datetime import datetime

from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'challenge_versions',
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('snapshot_json', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('challenge_id', 'version'),
    )
    _snapshot_current_versions()


def _snapshot_current_versions():
    """Every existing challenge's current version, so attempts already queued stay re-queueable."""
    conn = op.get_bind()
    cases = {}
    for row in conn.execute(sa.text("SELECT id, challenge_id, data, is_visible FROM test_cases ORDER BY id")):
        cases.setdefault(row.challenge_id, []).append({"id": row.id, "data": row.data,
                                                       "is_visible": bool(row.is_visible)})
    table = sa.table('challenge_versions', sa.column('challenge_id', sa.Integer), sa.column('version', sa.String),
                     sa.column('snapshot_json', sa.Text), sa.column('created_at', sa.DateTime))
    rows = []
    for c in conn.execute(sa.text("SELECT id, version, engine, init, solution, time_limit_ms, check_column_names, "
                                  "updated_at FROM challenges")):
        snapshot = {"engine": c.engine, "init": c.init, "solution": c.solution, "time_limit_ms": c.time_limit_ms,
                    "check_column_names": bool(c.check_column_names), "test_cases": cases.get(c.id, [])}
        rows.append({"challenge_id": c.id, "version": c.version or "", "snapshot_json": json.dumps(snapshot),
                     "created_at": c.updated_at or datetime.utcnow()})
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_table('challenge_versions')
