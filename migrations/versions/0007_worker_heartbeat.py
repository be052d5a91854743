"""Worker heartbeats, for the readiness check and the metrics; an index of the attempts a
provider refused or failed (partial), which the metrics count at every scrape.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeat',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeat'))
    )
    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_attempt_provider_errors', ['outcome'], unique=False,
                              postgresql_where=sa.text('detail IS NOT NULL'),
                              sqlite_where=sa.text('detail IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_attempt_provider_errors')

    op.drop_table('worker_heartbeat')
