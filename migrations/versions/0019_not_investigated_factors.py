"""The factors a decision not to investigate further rests on; one open request for an
update per case, held by the database.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 01:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

OPEN_REQUEST = "rule = 'update_request' AND state = 'open'"


def upgrade():
    op.create_table('decision_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('factor', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['investigation_update.id'], name=op.f('fk_decision_factor_update_id_investigation_update')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_factor')),
    sa.UniqueConstraint('update_id', 'factor', name='uq_decision_factor_once')
    )
    with op.batch_alter_table('decision_factor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_factor_update_id'), ['update_id'], unique=False)

    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.create_index(
            'uq_entitlement_one_open_update_request',
            ['crime_victim_id'],
            unique=True,
            postgresql_where=sa.text(OPEN_REQUEST),
            sqlite_where=sa.text(OPEN_REQUEST),
        )


def downgrade():
    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.drop_index(
            'uq_entitlement_one_open_update_request',
            postgresql_where=sa.text(OPEN_REQUEST),
            sqlite_where=sa.text(OPEN_REQUEST),
        )

    with op.batch_alter_table('decision_factor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_factor_update_id'))

    op.drop_table('decision_factor')
