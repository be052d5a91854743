"""Housekeeping: deleting what the service no longer needs once a force's retention
period has passed (`flask purge`, run daily).

What goes, each some days after it stopped mattering:
- sign-in sessions that ended (signed out, or ran out by the idle or absolute limit);
- single-use links that were used, replaced by a newer link, or expired;
- messages that were delivered, or that failed and an officer has marked dealt with,
  with their tries at sending.

What stays: audit events (the database refuses to delete them: a force archives them,
see the README), messages waiting to be sent, failures nobody has dealt with yet (the
officer still owes the victim that news) and messages withheld on purpose (the record of
why a victim was not contacted). Records systems' expired API tokens and old idempotency
answers are pruned as new tokens are issued (shared.services.api_clients).

Each kind is deleted by SQL statements a batch at a time, each batch its own short
transaction, so that a large first purge neither loads rows into the app nor holds locks
that stall the service.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Delete, and_, delete, or_, select

from shared.extensions import db
from shared.models import AccountLink, OutboxAttempt, OutboxMessage, UserSession
from shared.models.append_only import PURGE
from shared.models.types import utcnow
from shared.services.statements import rows_changed
from shared.services.unit_of_work import unit_of_work

# Rows deleted per statement: large enough that a purge of a force-year is quick, small
# enough that each transaction is short.
BATCH = 1000


@dataclass(frozen=True)
class Policy:
    """How long each kind of row is kept once it stopped mattering, and the session
    limits, which say when a session nobody ended ran out."""

    sessions: timedelta
    links: timedelta
    notifications: timedelta
    session_limits: dict[str, tuple[timedelta, timedelta]]  # user type: (idle, absolute)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Policy":
        return cls(
            sessions=config["RETAIN_SESSIONS"],
            links=config["RETAIN_LINKS"],
            notifications=config["RETAIN_NOTIFICATIONS"],
            session_limits={
                "staff": (config["STAFF_SESSION_IDLE"], config["STAFF_SESSION_MAX"]),
                "victim": (config["VICTIM_SESSION_IDLE"], config["VICTIM_SESSION_MAX"]),
            },
        )


@dataclass(frozen=True)
class Purged:
    sessions: int
    links: int
    notifications: int
    attempts: int


def sessions_over(policy: Policy, now: datetime) -> ColumnElement[bool]:
    """Sessions over for longer than the policy keeps them: ended before the cutoff, or
    never ended but run out before it (the app ends a session that ran out only when its
    cookie comes back, which it may never do)."""
    cutoff = now - policy.sessions
    ran_out = or_(
        *(
            and_(
                UserSession.user_type == user_type,
                or_(UserSession.last_seen_at < cutoff - idle, UserSession.created_at < cutoff - absolute),
            )
            for user_type, (idle, absolute) in policy.session_limits.items()
        )
    )
    return or_(UserSession.ended_at < cutoff, and_(UserSession.ended_at.is_(None), ran_out))


def links_over(policy: Policy, now: datetime) -> ColumnElement[bool]:
    """Links that stopped working (used, replaced or expired) before the cutoff."""
    cutoff = now - policy.links
    return or_(AccountLink.used_at < cutoff, AccountLink.revoked_at < cutoff, AccountLink.expires_at < cutoff)


def notifications_over(policy: Policy, now: datetime) -> ColumnElement[bool]:
    """Messages delivered, or failed and dealt with, before the cutoff."""
    cutoff = now - policy.notifications
    return or_(
        and_(OutboxMessage.status == "sent", OutboxMessage.finished_at < cutoff),
        and_(OutboxMessage.status == "failed", OutboxMessage.dealt_with_at < cutoff),
    )


def _deleted(statement: Delete, *, history: bool = False) -> int:
    """Run a DELETE (of history rows, if `history`: see shared.models.append_only) and say
    how many rows it removed. Its result is a CursorResult, which counts them, though
    `Session.execute` is typed as returning a plain Result."""
    options: dict[str, Any] = {"synchronize_session": False, PURGE: history}
    return rows_changed(db.session.execute(statement, execution_options=options))


def _delete_in_batches(
    model: type[UserSession] | type[AccountLink], condition: ColumnElement[bool], batch: int
) -> int:
    total = 0
    while True:
        chosen = select(model.id).where(condition).order_by(model.id).limit(batch).scalar_subquery()
        with unit_of_work():  # each batch its own short transaction
            deleted = _deleted(delete(model).where(model.id.in_(chosen)))
        total += deleted
        if deleted < batch:
            return total


def _delete_notifications(condition: ColumnElement[bool], batch: int) -> tuple[int, int]:
    """Messages and their tries at sending, a batch of messages at a time. The batch's
    ids are read first, so that both statements delete for the same messages even if
    another purge runs at the same time."""
    messages = attempts = 0
    while True:
        with unit_of_work():  # each batch its own short transaction
            ids = list(
                db.session.scalars(
                    select(OutboxMessage.id).where(condition).order_by(OutboxMessage.id).limit(batch)
                )
            )
            if ids:
                attempts += _deleted(
                    delete(OutboxAttempt).where(OutboxAttempt.message_id.in_(ids)), history=True
                )
                messages += _deleted(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        if len(ids) < batch:
            return messages, attempts


def purge(policy: Policy, *, now: datetime | None = None, batch: int = BATCH) -> Purged:
    """Delete what `policy` no longer keeps, as of `now`, and say how many rows went.
    Commits after each batch."""
    now = now or utcnow()
    sessions = _delete_in_batches(UserSession, sessions_over(policy, now), batch)
    links = _delete_in_batches(AccountLink, links_over(policy, now), batch)
    notifications, attempts = _delete_notifications(notifications_over(policy, now), batch)
    return Purged(sessions=sessions, links=links, notifications=notifications, attempts=attempts)
