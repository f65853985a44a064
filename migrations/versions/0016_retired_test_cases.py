"""test cases are retired, not deleted, when a challenge's cases change (attempts keep their case rows)

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('test_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))


def downgrade():
    op.execute("DELETE FROM test_cases WHERE retired_at IS NOT NULL")
    with op.batch_alter_table('test_cases', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
