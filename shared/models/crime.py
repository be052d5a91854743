"""Crimes and the people who are victims of them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.staff import StaffMember, Team
from shared.models.types import CleanText, UTCDateTime, utcnow
from shared.models.victim import Victim


class Crime(Model):
    __tablename__ = "crime"
    # Newest first, for an officer, a team or the force: the case lists read the first
    # page straight from an index. Cancellations are few: the reports find them by a
    # partial index.
    __table_args__ = (
        # The team too: an officer's cases are counted within what their team may see,
        # from the index alone.
        Index("ix_crime_officer_recorded", "officer_in_charge_id", "team_id", "recorded_at", "id"),
        Index("ix_crime_team_recorded", "team_id", "recorded_at", "id"),
        Index("ix_crime_recorded", "recorded_at", "id"),
        Index(
            "ix_crime_cancelled_at",
            "cancelled_at",
            postgresql_where=text("cancelled_at IS NOT NULL"),
            sqlite_where=text("cancelled_at IS NOT NULL"),
        ),
        # A search by the start of a reference (LIKE 'AB12%'), whatever the database's
        # collation.
        Index("ix_crime_reference_prefix", "reference", postgresql_ops={"reference": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    offence: Mapped[str] = mapped_column(String(40))
    offence_group: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stage: Mapped[str] = mapped_column(String(30))
    officer_in_charge_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    # Home Office outcome type, 1 to 22; empty while the investigation is open.
    outcome: Mapped[int | None] = mapped_column(Integer)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A cancelled crime record (victims-code.md section 6): C1 to C4, the evidence, and
    # the Designated Decision Maker or Force Crime Registrar who authorised it.
    cancellation_reason: Mapped[str | None] = mapped_column(String(2))
    cancellation_note: Mapped[str | None] = mapped_column(CleanText)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    cancelled_by_role: Mapped[str | None] = mapped_column(String(20))
    # The gravity band of the offence when it was cancelled, and the rule of the force's
    # matrix that allowed the authoriser (`serious:C2=fcr`): what an audit needs to judge
    # "authorised at the right level" (shared.domain.cancellation_authority). Empty for
    # cancellations made before the matrix.
    cancellation_gravity: Mapped[str | None] = mapped_column(String(20))
    cancellation_rule: Mapped[str | None] = mapped_column(String(100))
    # When the records system last changed the crime, for crimes it pushes: an older
    # version arriving late is ignored.
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The incident the crime was recorded from, and (May 2023 rules) the principal crime
    # of that incident when this one is not it: linked and still investigated, but not
    # counted again (shared.services.reports counts principal crimes only).
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    principal_crime_id: Mapped[int | None] = mapped_column(ForeignKey("crime.id"), index=True)

    officer_in_charge: Mapped[StaffMember] = relationship(lazy="joined", foreign_keys=[officer_in_charge_id])
    team: Mapped[Team] = relationship(lazy="joined")


class CrimeVictim(Model):
    """A victim of a crime. `public_id` is the random id in the victim's URLs, so a
    URL carries no crime reference and cannot be guessed."""

    __tablename__ = "crime_victim"
    __table_args__ = (
        UniqueConstraint("crime_id", "victim_id"),
        UniqueConstraint("crime_id", "source_ref", name="uq_crime_victim_source_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"), index=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # The records system's own id for this victim of this crime, and when it last
    # changed them there.
    source_ref: Mapped[str | None] = mapped_column(String(64))
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    crime: Mapped[Crime] = relationship(lazy="joined")
    victim: Mapped[Victim] = relationship(lazy="joined")
