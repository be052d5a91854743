"""The transactional outbox and the worker that empties it.

`enqueue` adds a message in the caller's transaction, so a message exists exactly when
the change that causes it was committed. `deliver_due` (run by `flask send-messages`)
claims a batch of due messages, sends each by its channel and records what happened:

- A claim is a lease: on PostgreSQL the batch is chosen with FOR UPDATE SKIP LOCKED, so
  several workers share the work; a worker that dies mid-batch leaves claims that run
  out, and the messages are sent again. A message is sent at least once and recorded as
  sent once: only the worker holding the claim may record it.
- Temporary failures (timeouts, 5xx, 429, SMTP 4xx) are tried again with exponential
  backoff, up to OUTBOX_MAX_ATTEMPTS; a permanent failure stops at once. A message that
  finally fails is shown to the officer on the crime page: the duty to tell the victim
  remains.
- Whether a message may go, and where, is decided when it is sent: nothing goes to a
  victim marked not safe to contact, and nothing about a case to one who opted out.
"""

import base64
import hashlib
import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import and_, or_, select, update

from shared.clients.senders import Delivery, PermanentFailure, TemporaryFailure
from shared.domain.notification_kinds import KINDS
from shared.extensions import db
from shared.models import CrimeVictim, OutboxAttempt, OutboxMessage, StaffMember, Victim
from shared.models.types import utcnow
from shared.services import audit, entitlements
from shared.services.pager import Latest, fetch_latest
from shared.translation import lazy_gettext as _l

logger = logging.getLogger("trackmycrime.outbox")

# Why a message was not sent, as the officer reads it.
REASONS = {
    # Withheld on purpose.
    "not_safe": _l("They are marked not safe to contact"),
    "opted_out": _l("They asked not to receive updates"),
    "channel": _l("They asked to be contacted by phone or letter"),
    "no_account": _l("They do not use the online service"),
    # Failed.
    "no_address": _l("There is no email address or mobile number to send it to"),
    "no_channel": _l("This service is not set up to send text messages"),
    "address_refused": _l("The email address or mobile number was refused"),
    "refused": _l("The message provider refused it"),
    "gave_up": _l("It could not be sent after several tries"),
    "unreadable": _l("It could not be read: the service’s secret key has changed since it was written"),
}
WITHHELD = frozenset({"not_safe", "opted_out", "channel", "no_account"})


def _fernet() -> Fernet:
    key = hashlib.sha256(b"outbox:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(values: dict) -> str:
    return _fernet().encrypt(json.dumps(values).encode()).decode()


def unseal(sealed: str | None) -> dict | None:
    """The values a message is filled in with, or None if they cannot be read (the
    service's key changed since the message was written)."""
    if not sealed:
        return {}
    try:
        return json.loads(_fernet().decrypt(sealed.encode()))
    except InvalidToken:
        return None


def enqueue(kind: str, *, victim: Victim | None = None, staff: StaffMember | None = None,
            crime_id: int | None = None, values: dict | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; the caller commits. A
    message about a case that is already waiting, unsent, to the same victim is not
    added twice: one "something new" is enough."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    if KINDS[kind].about == "case" and victim is not None:
        waiting = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.kind == kind,
                OutboxMessage.victim_id == victim.id,
                OutboxMessage.crime_id == crime_id,
                OutboxMessage.status == "pending",
                OutboxMessage.attempts == 0,
                OutboxMessage.claimed_by.is_(None),
            ).limit(1)
        )
        if waiting is not None:
            return waiting
    message = OutboxMessage(
        kind=kind,
        victim_id=victim.id if victim is not None else None,
        staff_id=staff.id if staff is not None else None,
        crime_id=crime_id,
        sealed=seal(values) if values else None,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def notify_victims(crime, kind: str = "new_update") -> None:
    """Tell every victim of the crime who uses the service that there is something new,
    in the caller's transaction."""
    for victim in db.session.scalars(
        select(Victim).join(CrimeVictim, CrimeVictim.victim_id == Victim.id).where(
            CrimeVictim.crime_id == crime.id, Victim.activated_at.is_not(None)
        )
    ):
        enqueue(kind, victim=victim, crime_id=crime.id)


def account_withheld_reason(victim: Victim) -> str | None:
    """Why no account message (an invitation, a password reset) may go to this victim:
    'not_safe' when any of their contact plans says it is not safe, else None."""
    links = db.session.scalars(select(CrimeVictim.id).where(CrimeVictim.victim_id == victim.id)).all()
    plans = entitlements.current_plans(links)
    if any(not plan.safe_to_contact for plan in plans.values()):
        return "not_safe"
    return None


@dataclass(frozen=True)
class Route:
    """Where a message goes, or why it does not: `withheld` or `failed` names a reason."""

    channel: str | None = None
    to: str | None = None
    language: str = "en"
    withheld: str | None = None
    failed: str | None = None


def route(message: OutboxMessage, channels: tuple[str, ...]) -> Route:
    """Decide, now, whether the message may go and by which channel, to which address and
    in which language."""
    kind = KINDS[message.kind]
    if kind.audience == "staff":
        member = db.session.get(StaffMember, message.staff_id)
        return Route("email", member.email, "en") if member and member.email else Route(failed="no_address")
    victim = db.session.get(Victim, message.victim_id)
    if kind.about == "account":
        reason = account_withheld_reason(victim)
        if reason:
            return Route(withheld=reason)
        channel, language = "email", victim.preferred_language
    else:
        link = db.session.scalar(
            select(CrimeVictim).where(CrimeVictim.crime_id == message.crime_id, CrimeVictim.victim_id == victim.id)
        )
        plan = entitlements.current_plans([link.id]).get(link.id) if link is not None else None
        if plan is not None and not plan.safe_to_contact:
            return Route(withheld="not_safe")
        if plan is not None and plan.opted_out:
            return Route(withheld="opted_out")
        if link is None or not victim.is_active:
            return Route(withheld="no_account")
        channel = plan.channel if plan is not None else victim.contact_channel
        language = plan.language if plan is not None else victim.preferred_language
        if channel not in ("email", "sms"):
            return Route(withheld="channel")
        if channel == "sms" and "sms" not in channels:
            return Route(channel=channel, failed="no_channel")
    to = victim.email if channel == "email" else victim.phone
    if not to:
        return Route(channel=channel, failed="no_address")
    return Route(channel, to, language)


def _values(message: OutboxMessage) -> dict | None:
    values = unseal(message.sealed)
    if values is None:
        return None
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    # A message about a case links to signing in; the victim's page follows from there.
    values.setdefault("link", base + "/sign-in")
    return values


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:80]


def claim(worker: str, limit: int, now: datetime) -> list[int]:
    """Take up to `limit` due messages for this worker, for OUTBOX_LEASE_SECONDS, and
    commit. Skips messages another worker holds (SKIP LOCKED while choosing, then the
    claim itself only where nobody holds a live one)."""
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    due = and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now, free)
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        db.session.commit()
        return []
    until = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due)
        .values(claimed_by=worker, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker, OutboxMessage.claimed_until == until)
            .order_by(OutboxMessage.id)
        )
    )


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`th failed try: doubling from
    OUTBOX_BACKOFF_SECONDS, at most OUTBOX_BACKOFF_MAX_SECONDS, less up to a quarter at
    random so that retries spread out."""
    config = current_app.config
    seconds = min(config["OUTBOX_BACKOFF_MAX_SECONDS"], config["OUTBOX_BACKOFF_SECONDS"] * 2 ** (attempts - 1))
    return timedelta(seconds=seconds * (1 - secrets.randbelow(250) / 1000))


def _finish(message_id: int, worker: str, outcome: str, *, channel=None, detail=None, provider_ref=None,
            reason=None, retry_at: datetime | None = None, now: datetime) -> bool:
    """Record an attempt, if this worker still holds the message, and commit. False when
    it does not (its claim ran out and another worker took the message)."""
    values = {"claimed_by": None, "claimed_until": None, "attempts": OutboxMessage.attempts + 1, "channel": channel}
    if outcome == "retry":
        values.update(next_attempt_at=retry_at)
    else:
        values.update(
            status={"sent": "sent", "failed": "failed", "withheld": "withheld"}[outcome],
            reason=reason,
            finished_at=now,
            sealed=None,
        )
    done = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        logger.warning("Outbox message %s: claim lost before recording %s", message_id, outcome)
        return False
    number = db.session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id))
    db.session.add(
        OutboxAttempt(
            message_id=message_id, number=number, at=now, outcome=outcome, channel=channel,
            detail=detail, provider_ref=provider_ref, worker=worker,
        )
    )
    db.session.commit()
    return True


def send_one(message_id: int, worker: str, sender, now: datetime | None = None) -> str:
    """Send one claimed message and record the outcome: sent, retry, failed or withheld
    ('lost' when this worker's claim ran out first and another worker has the message)."""
    # The session keeps what it loaded after a commit, and a worker's session lives from
    # batch to batch: read the message, the person and their plan as they are now.
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    if message.claimed_by != worker or message.status != "pending":
        # The claim ran out and another worker took the message: it is theirs now.
        db.session.commit()
        return "lost"
    found = route(message, sender.channels)
    values = _values(message)
    reference = message.reference
    attempts = message.attempts
    kind = KINDS[message.kind]
    db.session.commit()  # no transaction stays open while the provider is called
    now = now or utcnow()
    if found.withheld:
        _finish(message_id, worker, "withheld", reason=found.withheld, now=now)
        return "withheld"
    if found.failed or values is None:
        reason = found.failed or "unreadable"
        detail = None
        _finish(message_id, worker, "failed", channel=found.channel, reason=reason, detail=detail, now=now)
        return "failed"
    delivery = Delivery(reference, kind, found.channel, found.to, found.language, values)
    try:
        provider_ref = sender.send(delivery)
    except PermanentFailure as failure:
        _finish(message_id, worker, "failed", channel=found.channel, reason=failure.reason, detail=failure.detail, now=now)
        return "failed"
    except Exception as error:  # noqa: BLE001  (a provider's unexpected error must not stop the worker)
        if not isinstance(error, TemporaryFailure):
            # Tried again like any temporary failure, so a fault never loses a message
            # and never blocks the queue: after OUTBOX_MAX_ATTEMPTS it has failed.
            logger.error("Outbox message %s: %s while sending", message_id, type(error).__name__)
            error = TemporaryFailure(f"unexpected {type(error).__name__}")
        failure = error
        if attempts + 1 >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            _finish(message_id, worker, "failed", channel=found.channel, reason="gave_up", detail=failure.detail, now=now)
            return "failed"
        retry_at = now + backoff(attempts + 1)
        _finish(message_id, worker, "retry", channel=found.channel, detail=failure.detail, retry_at=retry_at, now=now)
        return "retry"
    recorded = _finish(message_id, worker, "sent", channel=found.channel, provider_ref=provider_ref, now=utcnow())
    return "sent" if recorded else "lost"


def deliver_due(worker: str | None = None, now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Claim one batch of due messages and send them; how many ended each way."""
    worker = worker or worker_name()
    sender = current_app.extensions["message_sender"]
    counts = {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
    for message_id in claim(worker, limit or current_app.config["OUTBOX_BATCH"], now or utcnow()):
        outcome = send_one(message_id, worker, sender, now)
        if outcome in counts:  # not one another worker took over ('lost')
            counts[outcome] += 1
    return counts


def drain(worker: str | None = None, now: datetime | None = None) -> dict[str, int]:
    """Send everything due now, batch after batch, until nothing due is left."""
    worker = worker or worker_name()
    total = {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
    while True:
        counts = deliver_due(worker, now)
        if not any(counts.values()):
            return total
        for key, value in counts.items():
            total[key] += value


def failed_for_crime(crime, victim_ids) -> list[OutboxMessage]:
    """Messages to the crime's victims that finally failed and nobody has dealt with:
    those about this crime, and account messages (an invitation, say). One query."""
    if not victim_ids:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "failed",
                OutboxMessage.dealt_with_at.is_(None),
                OutboxMessage.victim_id.in_(victim_ids),
                or_(OutboxMessage.crime_id == crime.id, OutboxMessage.crime_id.is_(None)),
            )
            .order_by(OutboxMessage.finished_at.desc())
        )
    )


def latest_failed_on_crime(crime, limit: int) -> Latest:
    """What failed_for_crime gives for every victim of the crime, newest first, at most
    `limit`, each as a row of (message, its victim), and whether older ones are left out.
    One query, whatever the number of victims."""
    return fetch_latest(
        select(OutboxMessage, Victim)
        .join(Victim, Victim.id == OutboxMessage.victim_id)
        .where(
            OutboxMessage.status == "failed",
            OutboxMessage.dealt_with_at.is_(None),
            OutboxMessage.victim_id.in_(select(CrimeVictim.victim_id).where(CrimeVictim.crime_id == crime.id)),
            or_(OutboxMessage.crime_id == crime.id, OutboxMessage.crime_id.is_(None)),
        )
        .order_by(OutboxMessage.finished_at.desc(), OutboxMessage.id.desc()),
        limit,
        rows=True,
    )


def failed_message(crime, message_id: int) -> OutboxMessage | None:
    """A failed, not yet dealt with message to one of the crime's victims, or None."""
    return next((m for m in failed_for_crime(crime, _victim_ids(crime)) if m.id == message_id), None)


def _victim_ids(crime) -> list[int]:
    return list(db.session.scalars(select(CrimeVictim.victim_id).where(CrimeVictim.crime_id == crime.id)))


def mark_dealt_with(message: OutboxMessage, by: StaffMember) -> None:
    """The officer has reached the victim another way (or decided nothing more is
    needed): the failed message leaves the crime page. Commits."""
    message.dealt_with_at = utcnow()
    message.dealt_with_by_id = by.id
    audit.record("message.failure_dealt_with", "outbox_message", message.id, actor=by)
    db.session.commit()
