"""The parent or guardian who receives the rights of a victim under 18, on each crime,
whose portal account may follow the child's case, and whom the police contact.

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-20 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('guardian',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_victim_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('contact', sa.String(length=10), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('api_client_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['victim.id'], name=op.f('fk_guardian_account_id_victim')),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_client.id'], name=op.f('fk_guardian_api_client_id_api_client')),
    sa.ForeignKeyConstraint(['crime_victim_id'], ['crime_victim.id'], name=op.f('fk_guardian_crime_victim_id_crime_victim')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_member.id'], name=op.f('fk_guardian_recorded_by_id_staff_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guardian')),
    sa.UniqueConstraint('crime_victim_id', name=op.f('uq_guardian_crime_victim_id'))
    )
    with op.batch_alter_table('guardian', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guardian_account_id'), ['account_id'], unique=False)


def downgrade():
    with op.batch_alter_table('guardian', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guardian_account_id'))

    op.drop_table('guardian')
