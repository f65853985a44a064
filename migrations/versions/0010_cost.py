"""deterministic cost (SPEC 9.5) on attempt cases, attempts and the per-user bests

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ('attempt_cases', 'attempts', 'challenge_bests')


def upgrade():
    # Nullable: rows judged before this revision have no cost and sort last among equal scores.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('cost', sa.BigInteger(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('cost')
