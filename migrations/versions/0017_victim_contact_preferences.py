"""A victim changes her contact preferences on the portal: the contact plan's row says so
(by_victim) and when the officer in charge saw it (seen_at); a plan may go through an
intermediary the officer names (an ISVA, an IDVA), and note another language read through
an interpreter. The channel's column widens for "intermediary".

Revision ID: 0017
Revises: 0016 (to be re-chained to 0016 when that lands)
Create Date: 2026-12-06 01:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_plan', schema=None) as batch_op:
        batch_op.alter_column('channel', existing_type=sa.String(length=10), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('interpreter_language', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('intermediary_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('intermediary_role', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('intermediary_contact', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('by_victim', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # A plan through an intermediary is done by the officer, as a phone call is.
    op.execute("UPDATE contact_plan SET channel = 'phone' WHERE channel = 'intermediary'")
    with op.batch_alter_table('contact_plan', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
        batch_op.drop_column('by_victim')
        batch_op.drop_column('intermediary_contact')
        batch_op.drop_column('intermediary_role')
        batch_op.drop_column('intermediary_name')
        batch_op.drop_column('interpreter_language')
        batch_op.alter_column('channel', existing_type=sa.String(length=20), type_=sa.String(length=10),
                              existing_nullable=False)
