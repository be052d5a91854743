"""Victims, and the single-use links that let people set up or reset an account."""

from datetime import date, datetime
from typing import cast

from sqlalchemy import Date, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.reference_data import DEFAULT_LANGUAGE, LANGUAGES  # noqa: F401  (LANGUAGES: the ones a victim may prefer)
from shared.extensions import Model
from shared.models.types import CleanLine, CleanText, UTCDateTime, utcnow

CONTACT_CHANNELS = ("email", "sms", "phone", "letter")


class Victim(Model):
    """A person recorded as a victim. One person, one email address, one account: the
    record that holds an address is the one its owner signs in as. A record made for an
    address another record already holds (`same_as_id`) is a person of its own, with its
    own crimes, until the owner of the address, signed in, confirms the case is hers
    (shared.services.victims): so nobody learns from adding a victim whether the address
    is known, and no crime reaches someone's portal on a guess."""

    __tablename__ = "victim"
    __table_args__ = (
        Index(
            "uq_victim_email_held",
            "email",
            unique=True,
            postgresql_where=text("same_as_id IS NULL"),
            sqlite_where=text("same_as_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(CleanLine(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(320))
    # The record that held this email address when this one was made; None once the
    # address is this record's own. Kept after she confirms or declines, for the trail.
    same_as_id: Mapped[int | None] = mapped_column(ForeignKey("victim.id"), index=True)
    # When the owner of the address said the case is not hers: nothing more is sent.
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the owner of the address confirmed the case is hers and it joined her record.
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone: Mapped[str | None] = mapped_column(String(40))
    # When a message to the email address or mobile number could not be delivered (GOV.UK
    # Notify's receipt): shown to the officer as not working, forgotten when it changes.
    email_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preferred_language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE)
    contact_channel: Mapped[str] = mapped_column(String(10), default="email")
    interpreter_language: Mapped[str | None] = mapped_column(CleanLine(100))
    communication_needs: Mapped[str | None] = mapped_column(CleanText)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # The GOV.UK One Login `sub`, linked only through an invitation link.
    onelogin_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Flask-Login
    is_authenticated = True
    is_anonymous = False
    kind = "victim"

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None

    # The token of the sign-in session this object was loaded for (shared.web.sessions).
    session_token = cast("str | None", None)  # not a column: an attribute of the loaded object

    def get_id(self) -> str | None:
        return self.session_token


LINK_PURPOSES = ("activation", "reset", "staff_setup")


class AccountLink(Model):
    """A single-use link sent by email: a victim's invitation (`activation`), a
    password reset (`reset`) or a new member of staff's set-up link (`staff_setup`).
    Only the SHA-256 of the token is kept."""

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("victim.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(Victim.email, "set")
def _email_changed(victim: Victim, value, old, initiator) -> None:
    """A new email address has not failed yet."""
    if value != old:
        victim.email_failed_at = None


@event.listens_for(Victim.phone, "set")
def _phone_changed(victim: Victim, value, old, initiator) -> None:
    """A new mobile number has not failed yet."""
    if value != old:
        victim.phone_failed_at = None
