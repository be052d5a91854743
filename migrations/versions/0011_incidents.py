"""Incidents as records: what was reported before any crime is recorded, the decision
not to record (with a supervisor's sign-off for the May 2023 exclusions), N100 records,
and crimes linked to their incident and to its principal crime.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'incident',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=30), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('route', sa.String(length=20), nullable=False),
        sa.Column('disclosed_crime', sa.Boolean(), nullable=False),
        sa.Column('offence_group', sa.String(length=40), nullable=True),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('closing_code', sa.String(length=30), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('not_recorded_reason', sa.String(length=30), nullable=True),
        sa.Column('not_recorded_note', sa.Text(), nullable=True),
        sa.Column('not_recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('not_recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('not_recorded_by_name', sa.String(length=200), nullable=True),
        sa.Column('not_recorded_by_collar', sa.String(length=20), nullable=True),
        sa.Column('needs_sign_off', sa.Boolean(), nullable=False),
        sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
        sa.Column('n100', sa.Boolean(), nullable=False),
        sa.Column('n100_resolution', sa.String(length=40), nullable=True),
        sa.Column('n100_resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('source_updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_incident_team_id_team')),
        sa.ForeignKeyConstraint(['not_recorded_by_id'], ['staff_member.id'],
                                name=op.f('fk_incident_not_recorded_by_id_staff_member')),
        sa.ForeignKeyConstraint(['signed_off_by_id'], ['staff_member.id'],
                                name=op.f('fk_incident_signed_off_by_id_staff_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
        sa.UniqueConstraint('reference', name=op.f('uq_incident_reference')),
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_received', ['received_at', 'id'], unique=False)
        batch_op.create_index('ix_incident_group_received', ['offence_group', 'received_at', 'id'], unique=False)
        batch_op.create_index('ix_incident_route_received', ['route', 'received_at', 'id'], unique=False)
        batch_op.create_index('ix_incident_team_received', ['team_id', 'received_at', 'id'], unique=False)
        batch_op.create_index('ix_incident_n100', ['received_at'], unique=False,
                              postgresql_where=sa.text('n100'), sqlite_where=sa.text('n100'))
        batch_op.create_index('ix_incident_awaiting_sign_off', ['not_recorded_at'], unique=False,
                              postgresql_where=sa.text('needs_sign_off AND signed_off_at IS NULL'),
                              sqlite_where=sa.text('needs_sign_off AND signed_off_at IS NULL'))
    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('principal_crime_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_crime_incident_id_incident'), 'incident', ['incident_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_crime_principal_crime_id_crime'), 'crime',
                                    ['principal_crime_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_crime_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crime_principal_crime_id'), ['principal_crime_id'], unique=False)


def downgrade():
    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crime_principal_crime_id'))
        batch_op.drop_index(batch_op.f('ix_crime_incident_id'))
        batch_op.drop_constraint(batch_op.f('fk_crime_principal_crime_id_crime'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_crime_incident_id_incident'), type_='foreignkey')
        batch_op.drop_column('principal_crime_id')
        batch_op.drop_column('incident_id')
    op.drop_table('incident')
