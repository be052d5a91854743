"""Police staff, their teams and roles."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import db
from shared.models.types import UTCDateTime, utcnow

ROLES = ("officer", "supervisor", "ddm", "fcr", "analyst", "admin")


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class StaffMember(db.Model):
    __tablename__ = "staff_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    collar_number: Mapped[str] = mapped_column(String(20), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined")
    # Loaded with the signed-in user (shared.auth.load_user), not with every officer
    # named on a page.
    role_rows: Mapped[list["StaffRole"]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    # Flask-Login
    is_authenticated = True
    is_anonymous = False
    kind = "staff"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"staff:{self.id}"


class StaffRole(db.Model):
    __tablename__ = "staff_role"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
