"""Requests the police make to a third party for information about a victim
(shared.domain.information_requests), each with the written notice the victim is owed.

A request is history: inserted, never changed or deleted (shared.models.append_only).
What was done about the notice is its entitlement's, with that entitlement's history.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.api import ApiClient
from shared.models.staff import StaffMember
from shared.models.types import CleanLine, CleanText, UTCDateTime, utcnow


class InformationRequest(Model):
    __tablename__ = "information_request"
    __table_args__ = (
        UniqueConstraint("crime_id", "source_ref", name="uq_information_request_source_ref"),
        # A victim's requests, newest first.
        Index("ix_information_request_victim", "crime_victim_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"), index=True)
    crime_victim_id: Mapped[int] = mapped_column(ForeignKey("crime_victim.id"))
    # Who is asked: a kind (shared.domain.information_requests.RECIPIENT_KINDS) and a name.
    recipient_kind: Mapped[str] = mapped_column(String(20))
    recipient_name: Mapped[str] = mapped_column(CleanLine(200))
    # Written for the victim: what is sought, why, and how it will be handled.
    information_sought: Mapped[str] = mapped_column(CleanText)
    purpose: Mapped[str] = mapped_column(CleanText)
    handling: Mapped[str] = mapped_column(CleanText)
    # When the third party was (or is that day) asked.
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # For a victim under 18 on the day of the request: the parent or guardian told.
    guardian_name: Mapped[str | None] = mapped_column(CleanLine(200))
    guardian_relationship: Mapped[str | None] = mapped_column(String(20))
    # For a victim not safe to contact: the safe route the officer chose (SAFE_ROUTES),
    # with its detail for staff (which intermediary, which address). Never shown to the
    # victim.
    safe_route: Mapped[str | None] = mapped_column(String(20))
    safe_route_detail: Mapped[str | None] = mapped_column(CleanLine(200))
    # The duty to tell the victim (or the parent or guardian) in writing.
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlement.id"), unique=True)
    # Who recorded it: a member of staff, or a records system through the API, with the
    # records system's own id for it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    source_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[StaffMember | None] = relationship(lazy="joined")
    api_client: Mapped[ApiClient | None] = relationship(lazy="joined")
