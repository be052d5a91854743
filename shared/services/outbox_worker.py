"""The worker that empties the outbox (`flask send-notifications`).

`deliver_due` claims a batch of due notifications, sends each by its channel and records
what happened:

- A claim is a lease: on PostgreSQL the batch is chosen with FOR UPDATE SKIP LOCKED, so
  several workers share the work; a worker that dies mid-batch leaves claims that run
  out, and the notifications are sent again. One is sent at least once and recorded as
  sent once: only the worker holding the claim may record it.
- Temporary failures (timeouts, 5xx, 429, SMTP 4xx) are tried again with exponential
  backoff, up to OUTBOX_MAX_ATTEMPTS; a permanent failure stops at once. One that
  finally fails is shown to the officer on the crime page (`outbox_failures`): the duty
  to tell the victim remains.
- GOV.UK Notify's daily limit is waited out: the message waits until the limit resets at
  midnight UK time, and the wait is not counted as a try. Once Notify has said so for a
  channel, the worker run asks it no more for that channel until the reset (`LimitsMet`):
  the rest of that channel's messages wait too, untried; the other channel's still go.
- What Notify says later (delivered or not) is `outbox_delivery`'s.
"""

import logging
import os
import secrets
import socket
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, insert, or_, select, update

from shared.clients.senders import DailyLimit, Delivery, PermanentFailure, Sender, TemporaryFailure
from shared.domain.notification_kinds import KINDS
from shared.extensions import db
from shared.models import OutboxAttempt, OutboxMessage, Victim
from shared.models.types import utcnow
from shared.services.calendar import local_date, start_of_local_day
from shared.services.outbox_routing import route
from shared.services.outbox_sealing import unseal
from shared.services.statements import rows_changed
from shared.services.unit_of_work import transactional, unit_of_work

logger = logging.getLogger("trackmycrime.outbox")


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


@transactional
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
        return []
    until = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due)
        .values(claimed_by=worker, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.claimed_by == worker,
                OutboxMessage.claimed_until == until,
            )
            .order_by(OutboxMessage.id)
        )
    )


def limit_resets(now: datetime) -> datetime:
    """When GOV.UK Notify's daily limit resets: the next midnight, UK time."""
    return start_of_local_day(local_date(now) + timedelta(days=1))


# Channels whose GOV.UK Notify daily limit this worker run has met: {channel: when it
# resets}. Notify counts emails and text messages against separate daily limits (its
# documentation's "Daily limits", set per service, reset at midnight), so reaching one
# leaves the other open. A run keeps one from batch to batch (`drain`, the worker's loop).
LimitsMet = dict[str, datetime]


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`th failed try: doubling from
    OUTBOX_BACKOFF_SECONDS, at most OUTBOX_BACKOFF_MAX_SECONDS, less up to a quarter at
    random so that retries spread out."""
    config = current_app.config
    seconds = min(
        config["OUTBOX_BACKOFF_MAX_SECONDS"], config["OUTBOX_BACKOFF_SECONDS"] * 2 ** (attempts - 1)
    )
    return timedelta(seconds=seconds * (1 - secrets.randbelow(250) / 1000))


@transactional
def _wait(message_id: int, worker: str, until: datetime) -> bool:
    """Put a claimed message back until `until`, untried (no attempt recorded, none
    counted), and commit. False when this worker no longer holds it."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == "pending",
        )
        .values(claimed_by=None, claimed_until=None, next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(done) == 1


@transactional
def _finish(
    message_id: int,
    worker: str,
    outcome: str,
    *,
    channel: str | None = None,
    detail: str | None = None,
    provider_ref: str | None = None,
    reason: str | None = None,
    retry_at: datetime | None = None,
    counted: bool = True,
    confirms: bool = False,
    now: datetime,
) -> bool:
    """Record an attempt, if this worker still holds the message, and commit. False when
    it does not (its claim ran out and another worker took the message). A wait that is
    not `counted` (Notify's daily limit) leaves the number of tries as it was; a message
    sent by a provider that `confirms` delivery waits for its receipt (`created`)."""
    values: dict[str, object] = {
        "claimed_by": None,
        "claimed_until": None,
        "attempts": OutboxMessage.attempts + (1 if counted else 0),
        "channel": channel,
    }
    if outcome == "sent" and confirms and provider_ref:
        values.update(provider_ref=provider_ref.lower(), delivery="created", delivery_at=now)
    if outcome == "retry":
        values.update(next_attempt_at=retry_at)
    else:
        values.update(
            status={"sent": "sent", "failed": "failed", "withheld": "withheld"}[outcome],
            reason=reason,
            finished_at=now,
            sealed=None,
        )
    # The tries counted so far come back with the update: one round trip, not two.
    number = db.session.scalar(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == "pending",
        )
        .values(**values)
        .returning(OutboxMessage.attempts)
        .execution_options(synchronize_session=False)
    )
    if number is None:
        logger.warning("Outbox message %s: claim lost before recording %s", message_id, outcome)
        return False
    if not counted:
        number += 1
    # A plain row: the worker never reads the attempt back, and an object would sit in the
    # session of a worker that runs for weeks.
    db.session.execute(
        insert(OutboxAttempt).values(
            message_id=message_id,
            number=number,
            at=now,
            outcome=outcome,
            channel=channel,
            detail=detail,
            provider_ref=provider_ref,
            worker=worker,
        )
    )
    return True


def send_one(
    message_id: int,
    worker: str,
    sender: Sender,
    now: datetime | None = None,
    limits_met: LimitsMet | None = None,
) -> str:
    """Send one claimed message and record the outcome: sent, retry, failed, withheld or
    deferred (Notify's daily limit reached; 'lost' when this worker's claim ran out first
    and another worker has the message). With `limits_met`, a message whose channel has
    met its daily limit in this run waits for the reset without Notify being asked, and a
    limit met now is noted there."""
    # A unit of its own, ended before the provider is called, so that no transaction
    # stays open meanwhile.
    with unit_of_work():
        # The session keeps what it loaded after a commit, and a worker's session lives
        # from batch to batch: read the message, the person and their plan as they are now.
        db.session.expire_all()
        # The victim comes with the message, for routing to find in the session (which
        # holds it only while it is referred to: `loaded` keeps it): one round trip, not two.
        loaded = db.session.execute(
            select(OutboxMessage, Victim)
            .outerjoin(Victim, Victim.id == OutboxMessage.victim_id)
            .where(OutboxMessage.id == message_id)
        ).one()
        message = loaded[0]
        if message.claimed_by != worker or message.status != "pending":
            # The claim ran out and another worker took the message: it is theirs now.
            return "lost"
        found = route(message, sender.channels)
        del loaded
        values = _values(message)
        reference = message.reference
        attempts = message.attempts
        kind = KINDS[message.kind]
    now = now or utcnow()
    if found.withheld:
        _finish(message_id, worker, "withheld", reason=found.withheld, now=now)
        return "withheld"
    if found.failed or values is None:
        reason = found.failed or "unreadable"
        detail = None
        _finish(message_id, worker, "failed", channel=found.channel, reason=reason, detail=detail, now=now)
        return "failed"
    channel, to = found.destination()
    resets = (limits_met or {}).get(channel)
    if resets is not None and now < resets:
        return "deferred" if _wait(message_id, worker, resets) else "lost"
    delivery = Delivery(reference, kind, channel, to, found.language, values)
    try:
        provider_ref = sender.send(delivery)
    except PermanentFailure as failure:
        _finish(
            message_id,
            worker,
            "failed",
            channel=found.channel,
            reason=failure.reason,
            detail=failure.detail,
            now=now,
        )
        return "failed"
    except DailyLimit as limit:
        # Text messages abroad have a limit of their own as well: meeting it leaves texts
        # to UK numbers open, so it holds back no other message.
        if limits_met is not None and "international" not in limit.detail:
            limits_met[channel] = limit_resets(now)
            logger.warning(
                "Notify's daily %s limit is reached: %s messages wait until %s",
                channel,
                channel,
                limits_met[channel].isoformat(),
            )
        _finish(
            message_id,
            worker,
            "retry",
            channel=found.channel,
            detail=limit.detail,
            retry_at=limit_resets(now),
            counted=False,
            now=now,
        )
        return "deferred"
    except Exception as error:  # noqa: BLE001  (a provider's unexpected error must not stop the worker)
        if not isinstance(error, TemporaryFailure):
            # Tried again like any temporary failure, so a fault never loses a message
            # and never blocks the queue: after OUTBOX_MAX_ATTEMPTS it has failed.
            logger.error("Outbox message %s: %s while sending", message_id, type(error).__name__)
            error = TemporaryFailure(f"unexpected {type(error).__name__}")
        temporary = error
        if attempts + 1 >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            _finish(
                message_id,
                worker,
                "failed",
                channel=found.channel,
                reason="gave_up",
                detail=temporary.detail,
                now=now,
            )
            return "failed"
        retry_at = now + backoff(attempts + 1)
        _finish(
            message_id,
            worker,
            "retry",
            channel=found.channel,
            detail=temporary.detail,
            retry_at=retry_at,
            now=now,
        )
        return "retry"
    recorded = _finish(
        message_id,
        worker,
        "sent",
        channel=found.channel,
        provider_ref=provider_ref,
        confirms=getattr(sender, "confirms", False),
        now=utcnow(),
    )
    return "sent" if recorded else "lost"


def deliver_due(
    worker: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    limits_met: LimitsMet | None = None,
) -> dict[str, int]:
    """Claim one batch of due messages and send them; how many ended each way. A worker
    run passes the same `limits_met` to every batch (see LimitsMet)."""
    worker = worker or worker_name()
    limits_met = {} if limits_met is None else limits_met
    sender = current_app.extensions["notification_sender"]
    counts = {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
    for message_id in claim(worker, limit or current_app.config["OUTBOX_BATCH"], now or utcnow()):
        outcome = send_one(message_id, worker, sender, now, limits_met)
        # Waiting for the daily limit to reset is a retry, not a failure.
        outcome = "retry" if outcome == "deferred" else outcome
        if outcome in counts:  # not one another worker took over ('lost')
            counts[outcome] += 1
    return counts


def drain(worker: str | None = None, now: datetime | None = None) -> dict[str, int]:
    """Send everything due now, batch after batch, until nothing due is left."""
    worker = worker or worker_name()
    total = {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
    limits_met: LimitsMet = {}
    while True:
        counts = deliver_due(worker, now, limits_met=limits_met)
        if not any(counts.values()):
            return total
        for key, value in counts.items():
            total[key] += value
