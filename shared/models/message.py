"""Secure messages between a victim and the officer in charge of their case."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.staff import StaffMember
from shared.models.types import CleanText, UTCDateTime, utcnow

SENDERS = ("victim", "staff")


class SecureMessage(Model):
    """One message in the thread between a victim and the police about one crime (the
    thread is the victim's link to the crime). Plain text. Only `read_at` ever changes
    (shared.models.append_only)."""

    __tablename__ = "secure_message"
    # Victims' messages not yet read, per crime: the count on every page an officer sees.
    __table_args__ = (
        Index(
            "ix_secure_message_unread_from_victims",
            "crime_id",
            postgresql_where=text("read_at IS NULL AND sender = 'victim'"),
            sqlite_where=text("read_at IS NULL AND sender = 'victim'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_victim_id: Mapped[int] = mapped_column(ForeignKey("crime_victim.id"), index=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"), index=True)
    sender: Mapped[str] = mapped_column(String(6))
    # The member of staff who wrote it, for a message from the police.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # The officer in charge when the victim sent it: who it went to.
    to_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    body: Mapped[str] = mapped_column(CleanText)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When the other side marked it read.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[StaffMember | None] = relationship(lazy="joined", foreign_keys=[author_id])
