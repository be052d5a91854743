"""What GOV.UK Notify says became of each message (its id, its delivery status, when),
and a victim's email address or mobile number flagged when a message to it failed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 22:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_ref', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('delivery', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('delivery_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_provider_ref'), ['provider_ref'], unique=False)
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('phone_failed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.drop_column('phone_failed_at')
        batch_op.drop_column('email_failed_at')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_provider_ref'))
        batch_op.drop_column('delivery_at')
        batch_op.drop_column('delivery')
        batch_op.drop_column('provider_ref')
