"""Crime data integrity audits: disputes of failed judgements, the registrar's final
ruling (a judgement marked `ruling`), and putting findings right.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 01:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cdi_judgement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ruling', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('cdi_dispute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_record_id', sa.Integer(), nullable=False),
    sa.Column('judgement_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_record_id'], ['cdi_audit_record.id'], name=op.f('fk_cdi_dispute_audit_record_id_cdi_audit_record')),
    sa.ForeignKeyConstraint(['by_id'], ['staff_member.id'], name=op.f('fk_cdi_dispute_by_id_staff_member')),
    sa.ForeignKeyConstraint(['judgement_id'], ['cdi_judgement.id'], name=op.f('fk_cdi_dispute_judgement_id_cdi_judgement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdi_dispute')),
    sa.UniqueConstraint('audit_record_id', name=op.f('uq_cdi_dispute_audit_record_id')),
    sa.UniqueConstraint('judgement_id', name=op.f('uq_cdi_dispute_judgement_id'))
    )
    op.create_table('cdi_put_right',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('judgement_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['staff_member.id'], name=op.f('fk_cdi_put_right_by_id_staff_member')),
    sa.ForeignKeyConstraint(['judgement_id'], ['cdi_judgement.id'], name=op.f('fk_cdi_put_right_judgement_id_cdi_judgement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdi_put_right'))
    )
    with op.batch_alter_table('cdi_put_right', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cdi_put_right_judgement_id'), ['judgement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cdi_put_right', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cdi_put_right_judgement_id'))

    op.drop_table('cdi_put_right')
    op.drop_table('cdi_dispute')
    with op.batch_alter_table('cdi_judgement', schema=None) as batch_op:
        batch_op.drop_column('ruling')
