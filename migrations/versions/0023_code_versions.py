"""The Victims' Code as versioned rule sets: each entitlement keeps the version of the
Code it was opened under (every existing one was opened under the 2020 Code), and the
start days a force has scheduled for later Codes.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-10 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TRIGGERED_INCLUDE = ['rule', 'event_kind', 'state', 'due_at', 'met_at']


def upgrade():
    op.create_table('code_version_start',
    sa.Column('version', sa.String(length=10), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['staff_member.id'], name=op.f('fk_code_version_start_set_by_id_staff_member')),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_code_version_start'))
    )
    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_version', sa.String(length=10), server_default='2020', nullable=False))
        # The reports count by version too: the index keeps carrying every column they read.
        batch_op.drop_index('ix_entitlement_triggered')
        batch_op.create_index('ix_entitlement_triggered', ['triggered_at'], unique=False,
                              postgresql_include=[*TRIGGERED_INCLUDE, 'code_version'])


def downgrade():
    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.drop_index('ix_entitlement_triggered')
        batch_op.create_index('ix_entitlement_triggered', ['triggered_at'], unique=False,
                              postgresql_include=TRIGGERED_INCLUDE)
        batch_op.drop_column('code_version')

    op.drop_table('code_version_start')
