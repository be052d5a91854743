"""Crime data integrity audits: the plan (period, seed, the frame's fingerprint, who drew
it and when), its strata with the size asked of each, the records drawn, and each
record's judgements. Judgements are history: inserted, never changed
(shared.models.append_only); the newest of a record is the one that stands. The Force
Crime Registrar's ruling on a dispute is a judgement too, marked `ruling`, and the last:
nothing is judged after it (shared.services.cdi_rulings)."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.staff import StaffMember
from shared.models.types import CleanLine, CleanText, UTCDateTime, utcnow


class CdiAudit(Model):
    __tablename__ = "cdi_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(CleanLine(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer)
    # shared.services.sampling.fingerprint of the whole frame when it was drawn.
    frame_fingerprint: Mapped[str] = mapped_column(String(1000))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))

    drawn_by: Mapped[StaffMember] = relationship(lazy="joined")


class CdiAuditStratum(Model):
    """A stratum of an audit: how many records were asked of it, of how many in the frame."""

    __tablename__ = "cdi_audit_stratum"
    __table_args__ = (UniqueConstraint("audit_id", "stratum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("cdi_audit.id"))
    stratum: Mapped[str] = mapped_column(String(20))  # shared.domain.cdi_audit.STRATA
    size: Mapped[int] = mapped_column(Integer)
    frame_size: Mapped[int] = mapped_column(Integer)


class CdiAuditRecord(Model):
    """A record drawn: an incident or a crime, its stratum, and its place in the audit
    (`position`, 1 to the sample's size, strata in the order of STRATA)."""

    __tablename__ = "cdi_audit_record"
    __table_args__ = (
        UniqueConstraint("audit_id", "position", name="uq_cdi_audit_record_position"),
        UniqueConstraint("audit_id", "stratum", "kind", "record_id", name="uq_cdi_audit_record_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("cdi_audit.id"))
    kind: Mapped[str] = mapped_column(String(10))  # incident or crime
    record_id: Mapped[int] = mapped_column(Integer)
    stratum: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)


class CdiJudgement(Model):
    """A judgement of a record: each checklist answer (yes, no, not_applicable), whether
    it is compliant overall, and the auditor's note. A later one supersedes it, unless it
    is the registrar's ruling on a dispute (`ruling`), which is final."""

    __tablename__ = "cdi_judgement"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_record_id: Mapped[int] = mapped_column(ForeignKey("cdi_audit_record.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON)
    compliant: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(CleanText)
    by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ruling: Mapped[bool] = mapped_column(Boolean, default=False)

    by: Mapped[StaffMember] = relationship(lazy="joined")
