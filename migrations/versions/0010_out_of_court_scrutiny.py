"""Out-of-court disposals: what recording one captures (the victim's views, the
offender-history check, the admission, the approving sergeant), and the scrutiny samples
a panel grades, with their findings and the force's response.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scrutiny_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('frame_size', sa.Integer(), nullable=False),
    sa.Column('frame_fingerprint', sa.String(length=200), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['staff_member.id'], name=op.f('fk_scrutiny_sample_drawn_by_id_staff_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_sample'))
    )
    op.create_table('out_of_court_capture',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Integer(), nullable=False),
    sa.Column('views_sought', sa.Boolean(), nullable=False),
    sa.Column('victim_views', sa.Text(), nullable=True),
    sa.Column('views_not_sought_reason', sa.Text(), nullable=True),
    sa.Column('history_checked', sa.Boolean(), nullable=False),
    sa.Column('history_summary', sa.Text(), nullable=True),
    sa.Column('admission', sa.String(length=12), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['staff_member.id'], name=op.f('fk_out_of_court_capture_approved_by_id_staff_member')),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_out_of_court_capture_crime_id_crime')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_member.id'], name=op.f('fk_out_of_court_capture_recorded_by_id_staff_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_out_of_court_capture'))
    )
    with op.batch_alter_table('out_of_court_capture', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_out_of_court_capture_crime_id'), ['crime_id'], unique=False)

    op.create_table('scrutiny_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.Column('case_key', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text_released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('text_released_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['crime_id'], ['crime.id'], name=op.f('fk_scrutiny_case_crime_id_crime')),
    sa.ForeignKeyConstraint(['sample_id'], ['scrutiny_sample.id'], name=op.f('fk_scrutiny_case_sample_id_scrutiny_sample')),
    sa.ForeignKeyConstraint(['text_released_by_id'], ['staff_member.id'], name=op.f('fk_scrutiny_case_text_released_by_id_staff_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_case')),
    sa.UniqueConstraint('case_key', name=op.f('uq_scrutiny_case_case_key')),
    sa.UniqueConstraint('sample_id', 'crime_id', name=op.f('uq_scrutiny_case_sample_id'))
    )
    with op.batch_alter_table('scrutiny_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scrutiny_case_sample_id'), ['sample_id'], unique=False)

    op.create_table('scrutiny_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('responded_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_member.id'], name=op.f('fk_scrutiny_response_recorded_by_id_staff_member')),
    sa.ForeignKeyConstraint(['sample_id'], ['scrutiny_sample.id'], name=op.f('fk_scrutiny_response_sample_id_scrutiny_sample')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_response'))
    )
    with op.batch_alter_table('scrutiny_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scrutiny_response_sample_id'), ['sample_id'], unique=False)

    op.create_table('scrutiny_grade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('graded_by_id', sa.Integer(), nullable=False),
    sa.Column('graded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['scrutiny_case.id'], name=op.f('fk_scrutiny_grade_case_id_scrutiny_case')),
    sa.ForeignKeyConstraint(['graded_by_id'], ['staff_member.id'], name=op.f('fk_scrutiny_grade_graded_by_id_staff_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_grade')),
    sa.UniqueConstraint('case_id', name=op.f('uq_scrutiny_grade_case_id'))
    )
    op.create_table('scrutiny_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=30), nullable=False),
    sa.Column('finding', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['grade_id'], ['scrutiny_grade.id'], name=op.f('fk_scrutiny_finding_grade_id_scrutiny_grade')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_finding')),
    sa.UniqueConstraint('grade_id', 'criterion', name=op.f('uq_scrutiny_finding_grade_id'))
    )


def downgrade():
    op.drop_table('scrutiny_finding')
    op.drop_table('scrutiny_grade')
    with op.batch_alter_table('scrutiny_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scrutiny_response_sample_id'))

    op.drop_table('scrutiny_response')
    with op.batch_alter_table('scrutiny_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scrutiny_case_sample_id'))

    op.drop_table('scrutiny_case')
    with op.batch_alter_table('out_of_court_capture', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_out_of_court_capture_crime_id'))

    op.drop_table('out_of_court_capture')
    op.drop_table('scrutiny_sample')
