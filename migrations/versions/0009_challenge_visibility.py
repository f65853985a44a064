"""challenge visibility, release time and learner fields; tags, hint reveals, room challenges

Revision ID: 0009
Revises: 0008
"""
import json

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        # server_default keeps every existing challenge public, as it was.
        batch_op.add_column(sa.Column('visibility', sa.String(length=8), nullable=False, server_default='public'))
        batch_op.add_column(sa.Column('release_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('difficulty', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('hints_json', sa.Text(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('explanation', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_challenges_visibility', ['visibility'], unique=False)
        batch_op.create_index('ix_challenges_release_at', ['release_at'], unique=False)
        batch_op.create_index('ix_challenges_difficulty', ['difficulty'], unique=False)
    op.create_table(
        'challenge_tags',
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), nullable=False),
        sa.Column('tag', sa.String(length=40), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False, server_default='0'),
        sa.PrimaryKeyConstraint('challenge_id', 'tag'),
    )
    op.create_index('ix_challenge_tags_tag', 'challenge_tags', ['tag', 'challenge_id'], unique=False)
    op.create_table(
        'hint_reveals',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), nullable=False),
        sa.Column('hint_index', sa.Integer(), nullable=False),
        sa.Column('revealed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('user_id', 'challenge_id', 'hint_index'),
    )
    op.create_table(
        'room_challenges',
        sa.Column('room_id', sa.Integer(), sa.ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), nullable=False),
        sa.PrimaryKeyConstraint('room_id', 'challenge_id'),
    )
    op.create_index('ix_room_challenges_challenge_id', 'room_challenges', ['challenge_id'], unique=False)
    bind = op.get_bind()
    existing = set(bind.execute(sa.text("SELECT id FROM challenges")).scalars())
    links = [{"room_id": room_id, "challenge_id": cid}
             for room_id, ids in bind.execute(sa.text("SELECT id, challenge_ids_json FROM rooms")).all()
             for cid in dict.fromkeys(json.loads(ids or "[]")) if cid in existing]
    if links:
        bind.execute(sa.text("INSERT INTO room_challenges (room_id, challenge_id) VALUES (:room_id, :challenge_id)"),
                     links)


def downgrade():
    op.drop_index('ix_room_challenges_challenge_id', table_name='room_challenges')
    op.drop_table('room_challenges')
    op.drop_table('hint_reveals')
    op.drop_index('ix_challenge_tags_tag', table_name='challenge_tags')
    op.drop_table('challenge_tags')
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index('ix_challenges_difficulty')
        batch_op.drop_index('ix_challenges_release_at')
        batch_op.drop_index('ix_challenges_visibility')
        batch_op.drop_column('explanation')
        batch_op.drop_column('hints_json')
        batch_op.drop_column('difficulty')
        batch_op.drop_column('release_at')
        batch_op.drop_column('visibility')
