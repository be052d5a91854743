"""The investigation's history: updates, key events, stage changes and outcomes.

Rows here are inserted, never changed or deleted (see shared.models.append_only).
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.api import ApiClient
from shared.models.staff import StaffMember
from shared.models.types import CleanText, UTCDateTime, utcnow


class InvestigationUpdate(Model):
    __tablename__ = "investigation_update"
    __table_args__ = (
        UniqueConstraint("crime_id", "source_ref", name="uq_investigation_update_source_ref"),
        # A crime's timeline, newest first, a page at a time.
        Index("ix_investigation_update_timeline", "crime_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"))
    kind: Mapped[str] = mapped_column(String(30))
    # Written for the victim, in plain words. Empty for a change with nothing to say.
    victim_text: Mapped[str | None] = mapped_column(CleanText)
    visible_to_victim: Mapped[bool] = mapped_column(Boolean, default=False)
    # For stage changes and outcomes: the value the crime moved to.
    new_stage: Mapped[str | None] = mapped_column(String(30))
    new_outcome: Mapped[int | None] = mapped_column(Integer)
    # When a key event happened, if not when it was posted: the Victims' Code duty to
    # tell the victim runs from the event.
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who wrote it: a member of staff, or a records system through the API.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    # The records system's own id for the event it pushed: the same event pushed again
    # is recognised.
    source_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    author: Mapped[StaffMember | None] = relationship(lazy="joined")
    api_client: Mapped[ApiClient | None] = relationship(lazy="joined")


class InternalNote(Model):
    """An internal note on an update, in its own table so that no query made for a
    victim can reach it by accident."""

    __tablename__ = "internal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("investigation_update.id"), unique=True)
    text: Mapped[str] = mapped_column(CleanText)


class DecisionFactor(Model):
    """One of the force's factors a decision not to investigate further rests on
    (shared.domain.investigation_factors), for the update that recorded the decision."""

    __tablename__ = "decision_factor"
    __table_args__ = (UniqueConstraint("update_id", "factor", name="uq_decision_factor_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("investigation_update.id"), index=True)
    factor: Mapped[str] = mapped_column(String(30))
