"""A crime at court: its hearings and the events a Witness Care Unit (or the records
system, or staff) reports. The vocabulary is shared.domain.court.

A hearing's status moves on (listed, then adjourned or held); what happened is kept as
court events, which are inserted, never changed (shared.models.append_only), each beside
the update on the crime's timeline that tells the victim of it.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import Model
from shared.models.types import CleanLine, UTCDateTime, utcnow

MAX_COURT_NAME = 120


class CourtHearing(Model):
    __tablename__ = "court_hearing"
    __table_args__ = (
        # The Witness Care Unit's (or records system's) own id for the hearing.
        UniqueConstraint("crime_id", "hearing_ref", name="uq_court_hearing_ref"),
        # A crime's next hearing: the first listed one from now on.
        Index("ix_court_hearing_next", "crime_id", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"))
    hearing_ref: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # shared.domain.court.HEARING_KINDS
    court_name: Mapped[str] = mapped_column(CleanLine(MAX_COURT_NAME))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="listed")
    adjournment_reason: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourtEvent(Model):
    """What happened at court, as reported: a hearing listed (with where and when, as
    listed then), adjourned (with the reason), a trial started, the verdict, the sentence
    (its kind and length in months)."""

    __tablename__ = "court_event"
    __table_args__ = (
        # The reporting system's own id for the event: the same event sent again is known.
        UniqueConstraint("crime_id", "source_ref", name="uq_court_event_source_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"), index=True)
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("court_hearing.id"), index=True)
    # The update on the crime's timeline that tells the victim of it.
    update_id: Mapped[int] = mapped_column(ForeignKey("investigation_update.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(30))  # shared.domain.court.COURT_EVENT_KINDS
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    court_name: Mapped[str | None] = mapped_column(CleanLine(MAX_COURT_NAME))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjournment_reason: Mapped[str | None] = mapped_column(String(30))
    verdict: Mapped[str | None] = mapped_column(String(20))
    sentence_kind: Mapped[str | None] = mapped_column(String(20))
    sentence_months: Mapped[int | None] = mapped_column(Integer)
    source_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
