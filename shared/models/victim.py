"""Victims, and the activation links that let them set up an account."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import db
from shared.models.types import UTCDateTime, utcnow

LANGUAGES = ("en", "cy")
CONTACT_CHANNELS = ("email", "sms", "phone", "letter")


class Victim(db.Model):
    __tablename__ = "victim"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str] = mapped_column(String(2), default="en")
    contact_channel: Mapped[str] = mapped_column(String(10), default="email")
    interpreter_language: Mapped[str | None] = mapped_column(String(100))
    communication_needs: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Flask-Login
    is_authenticated = True
    is_anonymous = False
    kind = "victim"

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None

    def get_id(self) -> str:
        return f"victim:{self.id}"


class ActivationToken(db.Model):
    """A single-use link to set a password. Only the SHA-256 of the token is kept."""

    __tablename__ = "activation_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
