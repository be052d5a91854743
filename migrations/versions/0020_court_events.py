"""Court hearings and the court events a Witness Care Unit reports.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('court_hearing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('hearing_ref', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('court_name', sa.String(length=120), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('adjournment_reason', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_court_hearing_crime_id_crime')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_court_hearing')),
    sa.UniqueConstraint('crime_id', 'hearing_ref', name='uq_court_hearing_ref')
    )
    with op.batch_alter_table('court_hearing', schema=None) as batch_op:
        batch_op.create_index('ix_court_hearing_next', ['crime_id', 'status', 'starts_at'], unique=False)

    op.create_table('court_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('hearing_id', sa.Integer(), nullable=True),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('court_name', sa.String(length=120), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('adjournment_reason', sa.String(length=30), nullable=True),
    sa.Column('verdict', sa.String(length=20), nullable=True),
    sa.Column('sentence_kind', sa.String(length=20), nullable=True),
    sa.Column('sentence_months', sa.Integer(), nullable=True),
    sa.Column('source_ref', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_court_event_crime_id_crime')),
    sa.ForeignKeyConstraint(['hearing_id'], ['court_hearing.id'], name=op.f('fk_court_event_hearing_id_court_hearing')),
    sa.ForeignKeyConstraint(['update_id'], ['investigation_update.id'], name=op.f('fk_court_event_update_id_investigation_update')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_court_event')),
    sa.UniqueConstraint('crime_id', 'source_ref', name='uq_court_event_source_ref'),
    sa.UniqueConstraint('update_id', name=op.f('uq_court_event_update_id'))
    )
    with op.batch_alter_table('court_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_court_event_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_court_event_hearing_id'), ['hearing_id'], unique=False)


def downgrade():
    with op.batch_alter_table('court_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_court_event_hearing_id'))
        batch_op.drop_index(batch_op.f('ix_court_event_crime_id'))

    op.drop_table('court_event')
    with op.batch_alter_table('court_hearing', schema=None) as batch_op:
        batch_op.drop_index('ix_court_hearing_next')

    op.drop_table('court_hearing')
