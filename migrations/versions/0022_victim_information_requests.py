"""Requests to a third party for information about a victim, each with the written
notice the victim (or, under 18, a parent or guardian) is owed.

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-10 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('information_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('crime_victim_id', sa.Integer(), nullable=False),
    sa.Column('recipient_kind', sa.String(length=20), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('information_sought', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('handling', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('guardian_name', sa.String(length=200), nullable=True),
    sa.Column('guardian_relationship', sa.String(length=20), nullable=True),
    sa.Column('safe_route', sa.String(length=20), nullable=True),
    sa.Column('safe_route_detail', sa.String(length=200), nullable=True),
    sa.Column('entitlement_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('api_client_id', sa.Integer(), nullable=True),
    sa.Column('source_ref', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_client.id'], name=op.f('fk_information_request_api_client_id_api_client')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_member.id'], name=op.f('fk_information_request_created_by_id_staff_member')),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_information_request_crime_id_crime')),
    sa.ForeignKeyConstraint(['crime_victim_id'], ['crime_victim.id'], name=op.f('fk_information_request_crime_victim_id_crime_victim')),
    sa.ForeignKeyConstraint(['entitlement_id'], ['entitlement.id'], name=op.f('fk_information_request_entitlement_id_entitlement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_request')),
    sa.UniqueConstraint('crime_id', 'source_ref', name='uq_information_request_source_ref'),
    sa.UniqueConstraint('entitlement_id', name=op.f('uq_information_request_entitlement_id'))
    )
    with op.batch_alter_table('information_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_information_request_crime_id'), ['crime_id'], unique=False)
        batch_op.create_index('ix_information_request_victim', ['crime_victim_id', 'requested_at'], unique=False)


def downgrade():
    with op.batch_alter_table('information_request', schema=None) as batch_op:
        batch_op.drop_index('ix_information_request_victim')
        batch_op.drop_index(batch_op.f('ix_information_request_crime_id'))

    op.drop_table('information_request')
