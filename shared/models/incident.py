"""Incidents: what was reported, before any crime is recorded (victims-code.md section 6).

An incident is the record the crime data integrity audit samples from. Either crimes are
recorded from it (`crime.incident_id`), or a decision not to record is kept with its
written reason and who made it. The two exclusions of May 2023 wait for a supervisor's
sign-off. A rape report not immediately recorded as rape is flagged N100, with how it
was resolved.

The audit draws at random within a stratum over millions of incidents: the draw reads an
index on (offence group, received time) or (route, received time), and N100 records by a
partial index.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.staff import StaffMember, Team
from shared.models.types import CleanLine, CleanText, UTCDateTime, utcnow


class Incident(Model):
    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_received", "received_at", "id"),
        Index("ix_incident_group_received", "offence_group", "received_at", "id"),
        Index("ix_incident_route_received", "route", "received_at", "id"),
        Index("ix_incident_team_received", "team_id", "received_at", "id"),
        Index(
            "ix_incident_n100",
            "received_at",
            postgresql_where=text("n100"),
            sqlite_where=text("n100"),
        ),
        # Exclusions not yet signed off: few, found by a partial index.
        Index(
            "ix_incident_awaiting_sign_off",
            "not_recorded_at",
            postgresql_where=text("needs_sign_off AND signed_off_at IS NULL"),
            sqlite_where=text("needs_sign_off AND signed_off_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # shared.domain.incident_reference.INCIDENT_ROUTES
    route: Mapped[str] = mapped_column(String(20))
    disclosed_crime: Mapped[bool] = mapped_column(Boolean, default=False)
    # The offence group of what the incident disclosed (of its principal crime, once
    # recorded): the audit's stratum.
    offence_group: Mapped[str | None] = mapped_column(String(40))
    # What the caller or reporter described.
    summary: Mapped[str | None] = mapped_column(CleanText)
    # CLOSING_CODES
    closing_code: Mapped[str | None] = mapped_column(String(30))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))

    # The decision not to record a crime (NOT_RECORDED_REASONS), its written reason, and
    # who made it: a member of staff, or the name and collar number the records system
    # pushed when it knows no such member.
    not_recorded_reason: Mapped[str | None] = mapped_column(String(30))
    not_recorded_note: Mapped[str | None] = mapped_column(CleanText)
    not_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    not_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    not_recorded_by_name: Mapped[str | None] = mapped_column(CleanLine(200))
    not_recorded_by_collar: Mapped[str | None] = mapped_column(String(20))
    # A May 2023 exclusion: a supervisor of the incident's team signs it off.
    needs_sign_off: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    # A rape report not immediately recorded as rape, and how it was resolved
    # (N100_RESOLUTIONS).
    n100: Mapped[bool] = mapped_column(Boolean, default=False)
    n100_resolution: Mapped[str | None] = mapped_column(String(40))
    n100_resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # When the records system last changed the incident: an older version is ignored.
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship(lazy="joined")
    not_recorded_by: Mapped[StaffMember | None] = relationship(foreign_keys=[not_recorded_by_id])
    signed_off_by: Mapped[StaffMember | None] = relationship(foreign_keys=[signed_off_by_id])

    @property
    def awaiting_sign_off(self) -> bool:
        return self.needs_sign_off and self.signed_off_at is None
