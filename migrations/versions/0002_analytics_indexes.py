"""covering indexes for analytics

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_analytics', ['challenge_id', 'created_at', 'status', 'verdict',
                                                        'user_id', 'execution_ms'], unique=False)
    with op.batch_alter_table('attempt_cases', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_cases_case_verdict', ['test_case_id', 'verdict', 'attempt_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('attempt_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_cases_case_verdict')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_analytics')
