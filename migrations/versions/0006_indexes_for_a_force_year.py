"""Indexes for a force's year of crimes: case lists newest first per officer, team and
force; open entitlements per crime (partial); entitlements by trigger time carrying the
columns the reports count (covering, on PostgreSQL); unread messages (partial); each
crime's timeline; reference prefixes. The composite indexes replace the single-column
ones they start with.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.drop_index('ix_crime_officer_in_charge_id')
        batch_op.drop_index('ix_crime_team_id')
        batch_op.create_index('ix_crime_officer_recorded', ['officer_in_charge_id', 'team_id', 'recorded_at', 'id'], unique=False)
        batch_op.create_index('ix_crime_team_recorded', ['team_id', 'recorded_at', 'id'], unique=False)
        batch_op.create_index('ix_crime_recorded', ['recorded_at', 'id'], unique=False)
        batch_op.create_index('ix_crime_cancelled_at', ['cancelled_at'], unique=False,
                              postgresql_where=sa.text('cancelled_at IS NOT NULL'),
                              sqlite_where=sa.text('cancelled_at IS NOT NULL'))
        batch_op.create_index('ix_crime_reference_prefix', ['reference'], unique=False,
                              postgresql_ops={'reference': 'varchar_pattern_ops'})

    with op.batch_alter_table('investigation_update', schema=None) as batch_op:
        batch_op.drop_index('ix_investigation_update_crime_id')
        batch_op.create_index('ix_investigation_update_timeline', ['crime_id', 'created_at', 'id'], unique=False)

    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.drop_index('ix_entitlement_triggered_at')
        batch_op.create_index('ix_entitlement_open_due', ['crime_id', 'due_at'], unique=False,
                              postgresql_where=sa.text("state = 'open'"),
                              sqlite_where=sa.text("state = 'open'"))
        batch_op.create_index('ix_entitlement_triggered', ['triggered_at'], unique=False,
                              postgresql_include=['rule', 'event_kind', 'state', 'due_at', 'met_at'])

    with op.batch_alter_table('secure_message', schema=None) as batch_op:
        batch_op.create_index('ix_secure_message_unread_from_victims', ['crime_id'], unique=False,
                              postgresql_where=sa.text("read_at IS NULL AND sender = 'victim'"),
                              sqlite_where=sa.text("read_at IS NULL AND sender = 'victim'"))

    if op.get_bind().dialect.name == 'postgresql':
        # A crime's team is its officer's: told so, the planner counts an officer's cases
        # from their index instead of combining it with the team's.
        op.execute('CREATE STATISTICS st_crime_officer_team (dependencies) ON officer_in_charge_id, team_id FROM crime')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS IF EXISTS st_crime_officer_team')

    with op.batch_alter_table('secure_message', schema=None) as batch_op:
        batch_op.drop_index('ix_secure_message_unread_from_victims')

    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.drop_index('ix_entitlement_triggered')
        batch_op.drop_index('ix_entitlement_open_due')
        batch_op.create_index('ix_entitlement_triggered_at', ['triggered_at'], unique=False)

    with op.batch_alter_table('investigation_update', schema=None) as batch_op:
        batch_op.drop_index('ix_investigation_update_timeline')
        batch_op.create_index('ix_investigation_update_crime_id', ['crime_id'], unique=False)

    with op.batch_alter_table('crime', schema=None) as batch_op:
        batch_op.drop_index('ix_crime_reference_prefix')
        batch_op.drop_index('ix_crime_cancelled_at')
        batch_op.drop_index('ix_crime_recorded')
        batch_op.drop_index('ix_crime_team_recorded')
        batch_op.drop_index('ix_crime_officer_recorded')
        batch_op.create_index('ix_crime_team_id', ['team_id'], unique=False)
        batch_op.create_index('ix_crime_officer_in_charge_id', ['officer_in_charge_id'], unique=False)
