"""A cancellation keeps the gravity band of the offence and the rule of the force's matrix
that allowed its authoriser, so an audit can judge whether it was authorised at the right
level.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancellation_gravity', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('cancellation_rule', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.drop_column('cancellation_rule')
        batch_op.drop_column('cancellation_gravity')
