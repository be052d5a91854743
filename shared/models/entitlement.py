"""What the Victims' Code owes each victim of a crime, and its history.

An `Entitlement` holds the current state of one duty (written acknowledgement, "victim
told of the arrest", ...) so that queues and reports can count it in SQL; every change to
it is an `EntitlementEvent`, inserted and never changed. Enhanced rights and contact plans
are kept as successive rows too: the newest row for a victim (and category) is the
current one, the older rows are its history.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.api import ApiClient
from shared.models.staff import StaffMember
from shared.models.types import CleanLine, CleanText, UTCDateTime, utcnow

# An entitlement's stored state; "pending", "overdue", "met on time" and "met late" are
# worked out from it and the time (shared.services.entitlements.status_expression).
STATES = ("open", "met", "declined", "not_applicable")


class Entitlement(Model):
    __tablename__ = "entitlement"
    __table_args__ = (
        Index("ix_entitlement_state_due", "state", "due_at"),
        # The queues read only open entitlements, a small share of them all: per crime,
        # by when they are due.
        Index(
            "ix_entitlement_open_due",
            "crime_id",
            "due_at",
            postgresql_where=text("state = 'open'"),
            sqlite_where=text("state = 'open'"),
        ),
        # A victim has one request for an update open on a case at a time: a second one,
        # even sent at the same moment as the first, is refused by the database.
        Index(
            "uq_entitlement_one_open_update_request",
            "crime_victim_id",
            unique=True,
            postgresql_where=text("rule = 'update_request' AND state = 'open'"),
            sqlite_where=text("rule = 'update_request' AND state = 'open'"),
        ),
        # The reports count the entitlements triggered in a period by rule and status:
        # on PostgreSQL the index carries every column they read (an index-only scan).
        Index(
            "ix_entitlement_triggered",
            "triggered_at",
            postgresql_include=["rule", "event_kind", "state", "due_at", "met_at", "code_version"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"), index=True)
    crime_victim_id: Mapped[int] = mapped_column(ForeignKey("crime_victim.id"), index=True)
    rule: Mapped[str] = mapped_column(String(30), index=True)
    # The version of the Victims' Code it was opened under (shared.domain.code_versions):
    # its rule, timescale and status follow that Code for good.
    code_version: Mapped[str] = mapped_column(String(10), default="2020", server_default="2020")
    # For "victim told": the key event it is about, and the update that recorded it.
    event_kind: Mapped[str | None] = mapped_column(String(30))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("investigation_update.id"))
    triggered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Empty while there is no deadline yet (the VPS offer is due by the charge).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enhanced: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="open")
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    way: Mapped[str | None] = mapped_column(String(30))
    # Which support service (referrals); a complaint's or review's subject for staff.
    detail: Mapped[str | None] = mapped_column(CleanLine(200))
    reason: Mapped[str | None] = mapped_column(CleanText)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntitlementEvent(Model):
    """One change to an entitlement: created, due date changed, met, declined, does not
    apply. `by_id` is empty when the service made the change itself."""

    __tablename__ = "entitlement_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlement.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    way: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(CleanLine(200))
    reason: Mapped[str | None] = mapped_column(CleanText)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[StaffMember | None] = relationship(lazy="joined")


class EnhancedRight(Model):
    """An enhanced-rights category for a victim of a crime, as derived or assessed. The
    newest row per victim and category says whether it applies now."""

    __tablename__ = "enhanced_right"

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_victim_id: Mapped[int] = mapped_column(ForeignKey("crime_victim.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(30))
    applies: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(CleanText)
    # Empty when derived by the service (age, offence).
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the records system sent the assessment through the API.
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))

    assessed_by: Mapped[StaffMember | None] = relationship(lazy="joined")
    api_client: Mapped[ApiClient | None] = relationship(lazy="joined")


class ContactPlan(Model):
    """How and how often a victim of a crime is kept up to date. The newest row is the
    plan; each change is a new row with who made it and when: a member of staff, a
    records system, or the victim herself on the portal (`by_victim`). Only `seen_at`
    ever changes (shared.models.append_only)."""

    __tablename__ = "contact_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_victim_id: Mapped[int] = mapped_column(ForeignKey("crime_victim.id"), index=True)
    frequency_days: Mapped[int] = mapped_column(Integer)
    # shared.domain.reference_data.PLAN_CHANNEL_LABELS: a contact channel, or "intermediary".
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    # Another language the victim reads and speaks, through an interpreter.
    interpreter_language: Mapped[str | None] = mapped_column(CleanLine(100))
    # The intermediary (an ISVA, an IDVA, ...) the officer named, whom the victim may
    # choose to be contacted through.
    intermediary_name: Mapped[str | None] = mapped_column(CleanLine(200))
    intermediary_role: Mapped[str | None] = mapped_column(String(10))
    intermediary_contact: Mapped[str | None] = mapped_column(CleanLine(200))
    # Police only: never shown to the victim, never changed by her.
    safe_to_contact: Mapped[bool] = mapped_column(Boolean, default=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(CleanText)
    # Empty for the plan the service starts with when the victim is added, and for the
    # victim's own changes.
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the victim changed her preferences on the portal, and when the officer in
    # charge then saw the change (until then it is on their task list).
    by_victim: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the records system sent the plan through the API.
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))

    changed_by: Mapped[StaffMember | None] = relationship(lazy="joined")
    api_client: Mapped[ApiClient | None] = relationship(lazy="joined")
