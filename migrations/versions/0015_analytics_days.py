"""per-day analytics rollups (time-windowed analytics without reading attempts) and time histograms, backfilled

Revision ID: 0015
Revises: 0012
"""
from collections import Counter

import sqlalchemy as sa
from alembic import op

from app.services.time_buckets import bucket_of   # a pure table of fixed edges, shared with the app

revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def _challenge_day(name, *columns):
    op.create_table(
        name,
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('day', sa.Date(), primary_key=True),
        *columns,
    )


def upgrade():
    _challenge_day('challenge_day_stats', sa.Column('attempts', sa.Integer(), nullable=False))
    _challenge_day('challenge_day_verdicts', sa.Column('verdict', sa.String(length=24), primary_key=True),
                   sa.Column('count', sa.Integer(), nullable=False))
    _challenge_day('challenge_user_days',
                   sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), primary_key=True),
                   sa.Column('accepted', sa.Boolean(), nullable=False))
    _challenge_day('challenge_day_times', sa.Column('bucket', sa.Float(), primary_key=True),
                   sa.Column('count', sa.Integer(), nullable=False))
    op.create_table(
        'challenge_times',
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('bucket', sa.Float(), primary_key=True),
        sa.Column('count', sa.Integer(), nullable=False),
    )
    op.create_table(
        'test_case_day_stats',
        sa.Column('test_case_id', sa.Integer(), sa.ForeignKey('test_cases.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('day', sa.Date(), primary_key=True),
        sa.Column('judged', sa.Integer(), nullable=False),
        sa.Column('accepted', sa.Integer(), nullable=False),
    )
    # The median's last step reads one time bucket of a challenge inside a window from this index alone.
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_challenge_status_ms')
        batch_op.create_index('ix_attempts_challenge_status_ms', ['challenge_id', 'status', 'execution_ms', 'created_at'],
                              unique=False)
    bind = op.get_bind()
    day = "CAST({0} AS DATE)" if bind.dialect.name == "postgresql" else "date({0})"
    a_day, c_day = day.format("created_at"), day.format("a.created_at")
    op.execute(f"""INSERT INTO challenge_day_stats (challenge_id, day, attempts)
                   SELECT challenge_id, {a_day}, COUNT(*) FROM attempts GROUP BY challenge_id, {a_day}""")
    op.execute(f"""INSERT INTO challenge_day_verdicts (challenge_id, day, verdict, count)
                   SELECT challenge_id, {a_day}, verdict, COUNT(*) FROM attempts
                   WHERE status = 'COMPLETED' AND verdict IS NOT NULL GROUP BY challenge_id, {a_day}, verdict""")
    op.execute(f"""INSERT INTO challenge_user_days (challenge_id, day, user_id, accepted)
                   SELECT challenge_id, {a_day}, user_id, MAX(CASE WHEN verdict = 'ACCEPTED' THEN 1 ELSE 0 END) = 1
                   FROM attempts GROUP BY challenge_id, {a_day}, user_id""")
    op.execute(f"""INSERT INTO test_case_day_stats (test_case_id, day, judged, accepted)
                   SELECT c.test_case_id, {c_day}, COUNT(*), SUM(CASE WHEN c.verdict = 'ACCEPTED' THEN 1 ELSE 0 END)
                   FROM attempt_cases c JOIN attempts a ON a.id = c.attempt_id GROUP BY c.test_case_id, {c_day}""")
    # The time histogram needs the fixed bucket edges: counted here, one pass over the timed attempts.
    times = Counter()
    for challenge_id, created_day, ms in bind.execute(sa.text(
            f"SELECT challenge_id, {a_day}, execution_ms FROM attempts "
            "WHERE status = 'COMPLETED' AND verdict IS NOT NULL AND execution_ms IS NOT NULL")):
        times[(challenge_id, created_day, bucket_of(ms))] += 1
    table = sa.table('challenge_day_times', sa.column('challenge_id'), sa.column('day', sa.Date()),
                     sa.column('bucket'), sa.column('count'))
    rows = [{"challenge_id": c, "day": d, "bucket": b, "count": n} for (c, d, b), n in times.items()]
    for start in range(0, len(rows), 5000):
        op.bulk_insert(table, rows[start:start + 5000])
    op.execute("""INSERT INTO challenge_times (challenge_id, bucket, count)
                  SELECT challenge_id, bucket, SUM(count) FROM challenge_day_times GROUP BY challenge_id, bucket""")
    # Per-case totals are now the sum of a case's days.
    op.drop_table('test_case_stats')


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_challenge_status_ms')
        batch_op.create_index('ix_attempts_challenge_status_ms', ['challenge_id', 'status', 'execution_ms'], unique=False)
    op.create_table(
        'test_case_stats',
        sa.Column('test_case_id', sa.Integer(), sa.ForeignKey('test_cases.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('judged', sa.Integer(), nullable=False),
        sa.Column('accepted', sa.Integer(), nullable=False),
    )
    op.execute("""INSERT INTO test_case_stats (test_case_id, judged, accepted)
                  SELECT test_case_id, SUM(judged), SUM(accepted) FROM test_case_day_stats GROUP BY test_case_id""")
    for name in ('test_case_day_stats', 'challenge_times', 'challenge_day_times', 'challenge_user_days', 'challenge_day_verdicts',
                 'challenge_day_stats'):
        op.drop_table(name)
