"""running totals for analytics, backfilled from existing attempts

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'challenge_stats',
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('unique_users', sa.Integer(), nullable=False),
        sa.Column('accepted_users', sa.Integer(), nullable=False),
        sa.Column('accepted_attempts', sa.Integer(), nullable=False),
    )
    op.create_table(
        'challenge_verdict_stats',
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('verdict', sa.String(length=24), primary_key=True),
        sa.Column('count', sa.Integer(), nullable=False),
    )
    op.create_table(
        'challenge_user_stats',
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('accepted', sa.Boolean(), nullable=False),
    )
    op.create_table(
        'test_case_stats',
        sa.Column('test_case_id', sa.Integer(), sa.ForeignKey('test_cases.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('judged', sa.Integer(), nullable=False),
        sa.Column('accepted', sa.Integer(), nullable=False),
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_challenge_status_ms', ['challenge_id', 'status', 'execution_ms'],
                              unique=False)
    # Backfill from what is already stored (the same definitions the app keeps up to date).
    op.execute("""
        INSERT INTO challenge_user_stats (challenge_id, user_id, accepted)
        SELECT challenge_id, user_id, MAX(CASE WHEN verdict = 'ACCEPTED' THEN 1 ELSE 0 END) = 1
        FROM attempts GROUP BY challenge_id, user_id""")
    op.execute("""
        INSERT INTO challenge_stats (challenge_id, attempts, unique_users, accepted_users, accepted_attempts)
        SELECT challenge_id, COUNT(*), COUNT(DISTINCT user_id),
               COUNT(DISTINCT CASE WHEN verdict = 'ACCEPTED' THEN user_id END),
               SUM(CASE WHEN verdict = 'ACCEPTED' THEN 1 ELSE 0 END)
        FROM attempts GROUP BY challenge_id""")
    op.execute("""
        INSERT INTO challenge_verdict_stats (challenge_id, verdict, count)
        SELECT challenge_id, verdict, COUNT(*) FROM attempts
        WHERE status = 'COMPLETED' AND verdict IS NOT NULL GROUP BY challenge_id, verdict""")
    op.execute("""
        INSERT INTO test_case_stats (test_case_id, judged, accepted)
        SELECT test_case_id, COUNT(*), SUM(CASE WHEN verdict = 'ACCEPTED' THEN 1 ELSE 0 END)
        FROM attempt_cases GROUP BY test_case_id""")


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_challenge_status_ms')
    for table in ('test_case_stats', 'challenge_user_stats', 'challenge_verdict_stats', 'challenge_stats'):
        op.drop_table(table)
