"""Victims' feedback: who closed the survey at which point of their case, and the
answers, kept apart with nothing that ties them together.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 01:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_victim_id', sa.Integer(), nullable=False),
    sa.Column('point', sa.String(length=20), nullable=False),
    sa.Column('closed_by', sa.String(length=10), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crime_victim_id'], ['crime_victim.id'], name=op.f('fk_feedback_invitation_crime_victim_id_crime_victim')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_invitation')),
    sa.UniqueConstraint('crime_victim_id', 'point', name='uq_feedback_invitation_point')
    )
    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_invitation_crime_victim_id'), ['crime_victim_id'], unique=False)

    op.create_table('feedback_answer',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('point', sa.String(length=20), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('offence_group', sa.String(length=40), nullable=False),
    sa.Column('informed', sa.SmallInteger(), nullable=True),
    sa.Column('respect', sa.SmallInteger(), nullable=True),
    sa.Column('rights', sa.SmallInteger(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_feedback_answer_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_answer'))
    )
    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_answer_answered_on'), ['answered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_answer_team_id'), ['team_id'], unique=False)


def downgrade():
    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_answer_team_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_answer_answered_on'))
    op.drop_table('feedback_answer')
    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_invitation_crime_victim_id'))
    op.drop_table('feedback_invitation')
