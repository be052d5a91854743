"""Property: items a crime took or damaged, and items the police hold (shared.domain.
property), each belonging to one of the crime's victims or to none of them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import Model
from shared.models.types import CleanLine, CleanText, UTCDateTime, utcnow


class PropertyItem(Model):
    """One item. The victim it belongs to (`crime_victim_id`) sees it in the portal and in
    the letter for her insurer; an item belonging to no victim (the suspect's, or found
    and unclaimed) is seen by staff only, and so is another victim's."""

    __tablename__ = "property_item"
    __table_args__ = (UniqueConstraint("crime_id", "source_ref", name="uq_property_item_source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"), index=True)
    crime_victim_id: Mapped[int | None] = mapped_column(ForeignKey("crime_victim.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(CleanLine(200))
    # What the victim or the officer said it is worth, in pence.
    value_pence: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # When the police took it in (seized, found or recovered), and when it was given back
    # or disposed of.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written for the victim: where and when to collect it, what to bring.
    return_details: Mapped[str | None] = mapped_column(CleanText)
    # Who recorded it: a member of staff, or a records system through the API, with its
    # own id for the item and when it last changed it there.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    source_ref: Mapped[str | None] = mapped_column(String(64))
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PropertyNote(Model):
    """The officer's note on an item, in its own table (as an update's internal note is) so
    that no query made for a victim, nor her insurer's letter, can reach it by accident."""

    __tablename__ = "property_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("property_item.id"), unique=True)
    text: Mapped[str] = mapped_column(CleanText)
