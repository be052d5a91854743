"""Police staff, their teams and roles."""

from datetime import datetime
from typing import cast

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.domain.permissions import ROLE_PERMISSIONS
from shared.extensions import Model
from shared.models.types import CleanLine, UTCDateTime, utcnow

ROLES = tuple(ROLE_PERMISSIONS)


class Team(Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(CleanLine(120), unique=True)


class StaffMember(Model):
    __tablename__ = "staff_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(CleanLine(200))
    collar_number: Mapped[str] = mapped_column(String(20), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # The second factor of a local account: a base32 TOTP secret, set once enrolled and
    # kept sealed (shared.services.totp opens it), and the last time step accepted, so
    # that no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The `sub` of the force's single sign-on identity, once linked.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined")
    # Loaded with the signed-in user (shared.web.login.load_user), not with every officer
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

    # The token of the sign-in session this object was loaded for (shared.web.sessions).
    session_token = cast("str | None", None)  # not a column: an attribute of the loaded object

    def get_id(self) -> str | None:
        return self.session_token


class StaffRole(Model):
    __tablename__ = "staff_role"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class RecoveryCode(Model):
    """A single-use code that stands in for the TOTP code once. Only a hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
