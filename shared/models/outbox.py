"""The outbox: every message that must reach someone, written in the same transaction as
the change that causes it, then sent by the worker (shared.services.outbox_worker)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import Model
from shared.models.types import UTCDateTime, utcnow

# pending: waiting to be sent (or to be tried again); sent; failed: will not be tried
# again; withheld: not sent on purpose (not safe to contact, opted out, no way to reach).
OUTBOX_STATUSES = ("pending", "sent", "failed", "withheld")


class OutboxMessage(Model):
    """One message to one person. It names who it is for, not their address: the worker
    looks up the address, channel, language and whether it is safe to send at the moment
    it sends, so a change made meanwhile (not safe to contact, say) still counts."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("victim.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # The crime it is about, for messages about a case; empty for account messages.
    crime_id: Mapped[int | None] = mapped_column(ForeignKey("crime.id"), index=True)
    # What the message is filled in with (a single-use link, say), encrypted with the
    # service's key; emptied once the message is sent or has finally failed.
    sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker's claim: nobody else takes the message until the claim runs out, and a
    # worker that died mid-send leaves a claim that runs out, so the message is sent again.
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The channel of the last attempt (email or sms) and, for failed or withheld
    # messages, why (shared.services.outbox_failures.REASONS).
    channel: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A failed message stays in front of the officer until someone says it is dealt with.
    dealt_with_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    dealt_with_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What GOV.UK Notify says became of a message it took (shared.services.outbox_delivery):
    # its id for it, its status (`sending`, `delivered`, `permanent-failure`...) and when
    # the service last asked or was told.
    provider_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    delivery: Mapped[str | None] = mapped_column(String(20))
    delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def reference(self) -> str:
        """The reference given to the provider: it ties their records to this row."""
        return f"tmc-{self.id}"


class OutboxAttempt(Model):
    """One try at sending a message and what came of it. Append-only."""

    __tablename__ = "outbox_attempt"
    # Attempts the provider refused or failed: counted for the metrics at every scrape,
    # so the index holds those few rows, not every message ever sent.
    __table_args__ = (
        Index(
            "ix_outbox_attempt_provider_errors",
            "outcome",
            postgresql_where=text("detail IS NOT NULL"),
            sqlite_where=text("detail IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # sent, retry (a temporary failure), failed (permanent) or withheld.
    outcome: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str | None] = mapped_column(String(10))
    # What the provider said: a status code and error name, never the message itself.
    detail: Mapped[str | None] = mapped_column(String(300))
    # The provider's id for what it accepted (GOV.UK Notify's notification id).
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    worker: Mapped[str | None] = mapped_column(String(80))
