"""Property: items a crime took or damaged and items the police hold, with the officer's
notes on them in a table of their own.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-06 04:11:31.327115

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "property_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crime_id", sa.Integer(), nullable=False),
        sa.Column("crime_victim_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("value_pence", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_details", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("api_client_id", sa.Integer(), nullable=True),
        sa.Column("source_ref", sa.String(length=64), nullable=True),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"], ["api_client.id"], name=op.f("fk_property_item_api_client_id_api_client")
        ),
        sa.ForeignKeyConstraint(["crime_id"], ["crime.id"], name=op.f("fk_property_item_crime_id_crime")),
        sa.ForeignKeyConstraint(
            ["crime_victim_id"],
            ["crime_victim.id"],
            name=op.f("fk_property_item_crime_victim_id_crime_victim"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff_member.id"], name=op.f("fk_property_item_recorded_by_id_staff_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_item")),
        sa.UniqueConstraint("crime_id", "source_ref", name="uq_property_item_source_ref"),
    )
    with op.batch_alter_table("property_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_property_item_crime_id"), ["crime_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_property_item_crime_victim_id"), ["crime_victim_id"], unique=False
        )

    op.create_table(
        "property_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["property_item.id"], name=op.f("fk_property_note_item_id_property_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_note")),
        sa.UniqueConstraint("item_id", name=op.f("uq_property_note_item_id")),
    )


def downgrade():
    op.drop_table("property_note")
    with op.batch_alter_table("property_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_property_item_crime_victim_id"))
        batch_op.drop_index(batch_op.f("ix_property_item_crime_id"))

    op.drop_table("property_item")
