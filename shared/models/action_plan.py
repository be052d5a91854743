"""The force's action plan: recommendations, the actions answering them, the force's own
themes, and each action's history.

An `Action` holds its current status, owner and due date so that the board counts and
orders in SQL; every change to them is an `ActionEvent` (who, when, from, to, and the
comment), inserted and never changed."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.staff import StaffMember
from shared.models.types import CleanLine, CleanText, UTCDateTime, utcnow


class Recommendation(Model):
    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    # inspection, internal_audit or other (shared.domain.action_plan.SOURCES)
    source: Mapped[str] = mapped_column(String(20))
    # The report it comes from, e.g. "Crime data integrity inspection 2014".
    source_title: Mapped[str] = mapped_column(CleanLine(200))
    source_date: Mapped[date] = mapped_column(Date)
    # Where the report numbers it, e.g. "Recommendation 3".
    reference: Mapped[str | None] = mapped_column(CleanLine(60))
    text: Mapped[str] = mapped_column(CleanText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionTheme(Model):
    """A theme of the force's own, beside the five built in."""

    __tablename__ = "action_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(CleanLine(80), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Action(Model):
    __tablename__ = "action"
    __table_args__ = (
        # A built-in theme or one of the force's own, never both or neither.
        CheckConstraint(
            "(theme IS NULL) <> (own_theme_id IS NULL)",
            name="one_theme",
        ),
        # The board: open actions by due date, overdue first.
        Index("ix_action_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    title: Mapped[str] = mapped_column(CleanLine(200))
    description: Mapped[str | None] = mapped_column(CleanText)
    # A built-in theme's code (shared.domain.action_plan.THEMES) or the force's own.
    theme: Mapped[str | None] = mapped_column(String(20))
    own_theme_id: Mapped[int | None] = mapped_column(ForeignKey("action_theme.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(lazy="joined")
    own_theme: Mapped[ActionTheme | None] = relationship(lazy="joined")
    owner: Mapped[StaffMember] = relationship(lazy="joined")


class ActionEvent(Model):
    """One change to an action: created, status, owner or due date, from what to what,
    with the comment that explains it. Owners are kept by staff id, dates as ISO text."""

    __tablename__ = "action_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_value: Mapped[str | None] = mapped_column(String(40))
    to_value: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(CleanText)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
