"""What became of each message GOV.UK Notify took: its delivery receipts (a callback
Notify makes, shared.web.notify_callbacks) and, for messages still unconfirmed after
NOTIFY_POLL_AFTER_MINUTES, asking Notify (`poll_unconfirmed`, run by the worker).

A status only moves forward: created, then sending (or pending), then a final one. A
receipt repeating the status a message already has changes nothing (a late callback
after a poll); one that would move it back, or from one final status to another, is
refused. A message that could not be delivered fails like any other failure: it goes to
the officer's "not sent" list, and the email address or mobile number it went to is
flagged as not working (not for Notify's own technical failure, which says nothing of
the address).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from shared.extensions import db
from shared.models import OutboxMessage, Victim
from shared.models.types import utcnow
from shared.services import audit
from shared.services.unit_of_work import transactional

logger = logging.getLogger("trackmycrime.outbox")

# Notify's statuses for emails and text messages, in the order they come. `sent` is a
# text message sent abroad, for which no receipt comes: final too.
ORDER = {
    "created": 0,
    "sending": 1,
    "pending": 2,
    "sent": 3,
    "delivered": 4,
    "permanent-failure": 4,
    "temporary-failure": 4,
    "technical-failure": 4,
}
FINAL = frozenset(status for status, rank in ORDER.items() if rank >= 3)
# Why the officer is told it failed (shared.services.outbox_failures.REASONS).
FAILURES = {
    "permanent-failure": "undeliverable",
    "temporary-failure": "not_delivered",
    "technical-failure": "provider_failed",
}
# The failures that say the address does not work.
ADDRESS_FAILURES = frozenset({"permanent-failure", "temporary-failure"})


class Backwards(Exception):
    """A receipt that would move a message's status back (or from one final status to
    another): refused, nothing changed."""


def by_notification_id(notification_id: str, reference: str | None = None) -> OutboxMessage | None:
    """The message Notify gave this id, if its reference (when given) is the message's."""
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.provider_ref == notification_id.lower()).limit(1)
    )
    if message is None or (reference is not None and reference != message.reference):
        return None
    return message


@dataclass(frozen=True)
class Receipt:
    changed: bool
    status: str


@transactional
def record(message: OutboxMessage, status: str, now: datetime | None = None) -> Receipt:
    """Record Notify's `status` for the message; commits. Raises Backwards."""
    now = now or utcnow()
    if status not in ORDER:
        raise ValueError(f"unknown Notify status {status!r}")
    current = message.delivery
    if current == status:
        return Receipt(False, status)
    if current is not None and (ORDER[status] <= ORDER.get(current, -1) or current in FINAL):
        raise Backwards(f"{current} cannot become {status}")
    message.delivery = status
    message.delivery_at = now
    if status in FAILURES:
        message.status = "failed"
        message.reason = FAILURES[status]
        message.finished_at = now
        message.dealt_with_at = None
        if status in ADDRESS_FAILURES and message.victim_id is not None:
            victim = db.session.get_one(Victim, message.victim_id)
            if message.channel == "sms":
                victim.phone_failed_at = now
            else:
                victim.email_failed_at = now
        audit.record("message.not_delivered", "outbox_message", message.id, detail=status)
    return Receipt(True, status)


def unconfirmed(now: datetime, limit: int) -> list[int]:
    """Messages Notify took whose status is not final, last heard of more than
    NOTIFY_POLL_AFTER_MINUTES ago: the oldest first, at most `limit`."""
    before = now - timedelta(minutes=current_app.config["NOTIFY_POLL_AFTER_MINUTES"])
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.provider_ref.is_not(None),
                OutboxMessage.delivery.is_not(None),
                OutboxMessage.delivery.not_in(FINAL),
                or_(OutboxMessage.delivery_at.is_(None), OutboxMessage.delivery_at < before),
            )
            .order_by(OutboxMessage.delivery_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def poll_unconfirmed(sender: object, now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Ask Notify the status of one batch of unconfirmed messages and record it: how many
    were asked, and how many changed. A sender that cannot tell (SMTP) is not asked."""
    status_of: Callable[[str], str | None] | None = getattr(sender, "status", None)
    counts = {"asked": 0, "changed": 0}
    if status_of is None:
        return counts
    now = now or utcnow()
    ids = unconfirmed(now, limit or current_app.config["OUTBOX_BATCH"])
    db.session.commit()
    for message_id in ids:
        message = db.session.get_one(OutboxMessage, message_id)
        provider_ref = message.provider_ref or ""
        db.session.commit()
        try:
            status = status_of(provider_ref)
        except Exception as error:  # noqa: BLE001  (Notify unreachable: asked again next time)
            logger.warning("Outbox message %s: status not known (%s)", message_id, type(error).__name__)
            status = None
        counts["asked"] += 1
        message = db.session.get_one(OutboxMessage, message_id)
        try:
            if status in ORDER:
                counts["changed"] += record(message, status, now).changed
            if status not in FINAL:
                _heard(message_id, now)
        except Backwards:
            logger.warning("Outbox message %s: Notify said %s after %s", message_id, status, message.delivery)
            _heard(message_id, now)
    return counts


@transactional
def _heard(message_id: int, now: datetime) -> None:
    """Asked just now: not asked again for NOTIFY_POLL_AFTER_MINUTES."""
    db.session.get_one(OutboxMessage, message_id).delivery_at = now
