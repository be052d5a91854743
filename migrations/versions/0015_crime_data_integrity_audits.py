"""Crime data integrity audits: the plan, its strata, the records drawn, and each
record's append-only judgements.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 23:05:39.148370

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cdi_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('frame_fingerprint', sa.String(length=1000), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['staff_member.id'], name=op.f('fk_cdi_audit_drawn_by_id_staff_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdi_audit'))
    )
    op.create_table('cdi_audit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['cdi_audit.id'], name=op.f('fk_cdi_audit_record_audit_id_cdi_audit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdi_audit_record')),
    sa.UniqueConstraint('audit_id', 'position', name='uq_cdi_audit_record_position'),
    sa.UniqueConstraint('audit_id', 'stratum', 'kind', 'record_id', name='uq_cdi_audit_record_once')
    )
    op.create_table('cdi_audit_stratum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('frame_size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['cdi_audit.id'], name=op.f('fk_cdi_audit_stratum_audit_id_cdi_audit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdi_audit_stratum')),
    sa.UniqueConstraint('audit_id', 'stratum', name=op.f('uq_cdi_audit_stratum_audit_id'))
    )
    op.create_table('cdi_judgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_record_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('compliant', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_record_id'], ['cdi_audit_record.id'], name=op.f('fk_cdi_judgement_audit_record_id_cdi_audit_record')),
    sa.ForeignKeyConstraint(['by_id'], ['staff_member.id'], name=op.f('fk_cdi_judgement_by_id_staff_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdi_judgement'))
    )
    with op.batch_alter_table('cdi_judgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cdi_judgement_audit_record_id'), ['audit_record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('cdi_judgement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cdi_judgement_audit_record_id'))

    op.drop_table('cdi_judgement')
    op.drop_table('cdi_audit_stratum')
    op.drop_table('cdi_audit_record')
    op.drop_table('cdi_audit')
