"""A victim already known elsewhere is linked only when she confirms: a record made for
an email address another record holds keeps it beside that record (`same_as_id`) until
the owner of the address confirms the case (`merged_at`) or declines it (`declined_at`).
The address is unique among the records that hold one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('same_as_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_victim_same_as_id_victim'), 'victim', ['same_as_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_victim_same_as_id'), ['same_as_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('uq_victim_email'), type_='unique')
        batch_op.create_index('uq_victim_email_held', ['email'], unique=True,
                              postgresql_where=sa.text('same_as_id IS NULL'),
                              sqlite_where=sa.text('same_as_id IS NULL'))


def downgrade():
    # Records still waiting for a confirmation share their address: they lose it.
    op.execute("UPDATE victim SET email = NULL WHERE same_as_id IS NOT NULL AND merged_at IS NULL")
    op.execute("UPDATE victim SET email = NULL WHERE merged_at IS NOT NULL")
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.drop_index('uq_victim_email_held')
        batch_op.create_unique_constraint(batch_op.f('uq_victim_email'), ['email'])
        batch_op.drop_index(batch_op.f('ix_victim_same_as_id'))
        batch_op.drop_constraint(batch_op.f('fk_victim_same_as_id_victim'), type_='foreignkey')
        batch_op.drop_column('merged_at')
        batch_op.drop_column('declined_at')
        batch_op.drop_column('same_as_id')
