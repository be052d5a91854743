"""Out-of-court disposals: what was captured when one was recorded, and the scrutiny
samples a panel grades. Captures, grades, findings and the force's responses are
history: inserted, never changed (shared.models.append_only)."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.crime import Crime
from shared.models.staff import StaffMember
from shared.models.types import CleanText, UTCDateTime, utcnow


class OutOfCourtCapture(Model):
    """What the officer recorded with an out-of-court disposal. The newest row of a
    crime is the one that stands."""

    __tablename__ = "out_of_court_capture"

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"), index=True)
    outcome: Mapped[int] = mapped_column(Integer)
    views_sought: Mapped[bool] = mapped_column(Boolean)
    # What the victim said, or why their views were not sought.
    victim_views: Mapped[str | None] = mapped_column(CleanText)
    views_not_sought_reason: Mapped[str | None] = mapped_column(CleanText)
    history_checked: Mapped[bool] = mapped_column(Boolean)
    history_summary: Mapped[str | None] = mapped_column(CleanText)
    admission: Mapped[str] = mapped_column(String(12))  # shared.domain.scrutiny.ADMISSIONS
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    approved_by: Mapped[StaffMember] = relationship(lazy="joined", foreign_keys=[approved_by_id])


class ScrutinySample(Model):
    """A random sample of the out-of-court disposals of a period, drawn by the Force
    Crime Registrar's team for the scrutiny panel: the seed and the frame's fingerprint
    let the draw be repeated, and tell when the frame has changed since."""

    __tablename__ = "scrutiny_sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    size: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    frame_size: Mapped[int] = mapped_column(Integer)
    frame_fingerprint: Mapped[str] = mapped_column(String(200))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))


class ScrutinyCase(Model):
    """A disposal in a sample. The panel knows it only by `case_key`, random and of the
    sample alone; its free text is shown to the panel once the registrar's team has
    read it for names and released it."""

    __tablename__ = "scrutiny_case"
    __table_args__ = (UniqueConstraint("sample_id", "crime_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("scrutiny_sample.id"), index=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id"))
    case_key: Mapped[str] = mapped_column(String(16), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    text_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    text_released_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    crime: Mapped[Crime] = relationship()


class ScrutinyGrade(Model):
    """The panel's grade of a case: one per case, given once (a panel that cannot agree
    grades 4)."""

    __tablename__ = "scrutiny_grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("scrutiny_case.id"), unique=True)
    grade: Mapped[int] = mapped_column(Integer)
    comments: Mapped[str | None] = mapped_column(CleanText)
    graded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScrutinyFinding(Model):
    """The grade's finding against one criterion: met, not met or cannot tell."""

    __tablename__ = "scrutiny_finding"
    __table_args__ = (UniqueConstraint("grade_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("scrutiny_grade.id"))
    criterion: Mapped[str] = mapped_column(String(30))
    finding: Mapped[str] = mapped_column(String(12))


class ScrutinyResponse(Model):
    """The force's response to a sample's results, recorded by the registrar's team; the
    newest one stands."""

    __tablename__ = "scrutiny_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("scrutiny_sample.id"), index=True)
    response: Mapped[str] = mapped_column(CleanText)
    responded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[StaffMember] = relationship(lazy="joined")
