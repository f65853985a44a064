"""rooms for a class: late join, penalties, kicks, questions, presence across processes

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_join_s', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('wrong_penalty', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('hint_penalty', sa.Float(), nullable=False, server_default='0'))
    op.create_table(
        'room_kicks',
        sa.Column('room_id', sa.Integer(), sa.ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.PrimaryKeyConstraint('room_id', 'user_id'),
    )
    op.create_table(
        'room_questions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('room_id', sa.Integer(), sa.ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index('ix_room_questions_room_user', 'room_questions', ['room_id', 'user_id', 'asked_at'])
    op.create_table(
        'room_presence',
        sa.Column('room_id', sa.Integer(), sa.ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
        sa.Column('sid', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('process', sa.String(length=80), nullable=False),
        sa.Column('since', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('room_id', 'sid'),
    )
    op.create_index('ix_room_presence_user', 'room_presence', ['room_id', 'user_id'])
    op.create_index('ix_room_presence_sid', 'room_presence', ['sid'])


def downgrade():
    op.drop_index('ix_room_presence_sid', table_name='room_presence')
    op.drop_index('ix_room_presence_user', table_name='room_presence')
    op.drop_table('room_presence')
    op.drop_index('ix_room_questions_room_user', table_name='room_questions')
    op.drop_table('room_questions')
    op.drop_table('room_kicks')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('hint_penalty')
        batch_op.drop_column('wrong_penalty')
        batch_op.drop_column('late_join_s')
