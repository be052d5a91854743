"""Victims' feedback, kept in two tables that do not point at each other.

`FeedbackInvitation` says that a victim closed the survey at one point of their case
(answered it or dismissed it): one row per victim per point, which is what refuses a
second answer. `FeedbackAnswer` holds the answers with only what the compliance report
groups them by (the day, the team and the offence group at the time): no victim, no
crime, no link, and a random id, so that neither a staff page nor the order of the rows
ties an answer to the victim who gave it. Both are history (shared.models.append_only).
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import Model
from shared.models.types import CleanText, UTCDateTime, utcnow

# How a victim closed the survey at a point.
CLOSED_BY = ("answered", "dismissed")


class FeedbackInvitation(Model):
    __tablename__ = "feedback_invitation"
    __table_args__ = (UniqueConstraint("crime_victim_id", "point", name="uq_feedback_invitation_point"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_victim_id: Mapped[int] = mapped_column(ForeignKey("crime_victim.id"), index=True)
    # shared.domain.feedback.POINTS
    point: Mapped[str] = mapped_column(String(20))
    closed_by: Mapped[str] = mapped_column(String(10))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackAnswer(Model):
    __tablename__ = "feedback_answer"

    # Random (uuid4 hex): a counter would follow the order the invitations were closed in.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    point: Mapped[str] = mapped_column(String(20))
    # The local date it was given on: no time of day.
    answered_on: Mapped[date] = mapped_column(Date, index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    offence_group: Mapped[str] = mapped_column(String(40))
    # 1 (very dissatisfied) to 5 (very satisfied); None: "prefer not to say".
    informed: Mapped[int | None] = mapped_column(SmallInteger)
    respect: Mapped[int | None] = mapped_column(SmallInteger)
    rights: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(CleanText)
