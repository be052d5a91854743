"""What follows a failed judgement of a crime data integrity audit: the dispute the
officer or team whose record failed may raise once, for the Force Crime Registrar to rule
on (the ruling is a judgement, shared.models.cdi_audit), and the history of putting the
finding right. Both are history: inserted, never changed (shared.models.append_only)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.staff import StaffMember
from shared.models.types import CleanText, UTCDateTime, utcnow


class CdiDispute(Model):
    """A dispute of a failed judgement, with its written reason. A record is disputed at
    most once: the registrar's ruling on it is final."""

    __tablename__ = "cdi_dispute"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_record_id: Mapped[int] = mapped_column(ForeignKey("cdi_audit_record.id"), unique=True)
    judgement_id: Mapped[int] = mapped_column(ForeignKey("cdi_judgement.id"), unique=True)
    reason: Mapped[str] = mapped_column(CleanText)
    by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[StaffMember] = relationship(lazy="joined")


class CdiPutRight(Model):
    """A step in putting a finding right: the status it reached (shared.domain.cdi_findings
    .PUT_RIGHT_STATUSES), with a dated comment. The finding is the failed judgement that
    stands; the newest step is its status."""

    __tablename__ = "cdi_put_right"

    id: Mapped[int] = mapped_column(primary_key=True)
    judgement_id: Mapped[int] = mapped_column(ForeignKey("cdi_judgement.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(CleanText)
    by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[StaffMember] = relationship(lazy="joined")
