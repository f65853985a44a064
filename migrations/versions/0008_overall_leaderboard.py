"""first accepted time per user and challenge, for the overall leaderboard

Revision ID: 0008
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('challenge_bests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_accepted_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_challenge_bests_user', ['user_id', 'score', 'first_accepted_at'], unique=False)
    op.execute(
        "UPDATE challenge_bests SET first_accepted_at = ("
        " SELECT MIN(a.created_at) FROM attempts a WHERE a.user_id = challenge_bests.user_id"
        " AND a.challenge_id = challenge_bests.challenge_id AND a.status = 'COMPLETED' AND a.verdict = 'ACCEPTED')")


def downgrade():
    with op.batch_alter_table('challenge_bests', schema=None) as batch_op:
        batch_op.drop_index('ix_challenge_bests_user')
        batch_op.drop_column('first_accepted_at')
