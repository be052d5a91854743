"""Sign-in sessions, kept on the server so that signing out, a password change or a
disabled account ends them whatever copy of the cookie exists."""

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import Model
from shared.models.types import UTCDateTime, utcnow


class UserSession(Model):
    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user", "user_type", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The cookie carries a random token; only its SHA-256 is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_type: Mapped[str] = mapped_column(String(10))  # staff or victim
    user_id: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))  # password+totp, sso, password, onelogin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(30))
