"""Every audit event is also logged, at INFO on `trackmycrime.audit`, once its
transaction commits: a force's SIEM collects the logs, not the database. An event whose
transaction rolls back was never written, so it is not logged either.

The line carries what identifies the event (its id, action, record, actor and request)
and never its `detail`, which may hold a search someone typed or a reason written in
words: personal data stays in the database, behind the audit trail's own permissions.
"""

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from shared.models import AuditEvent

logger = logging.getLogger("trackmycrime.audit")
_PENDING = "audit_events_to_log"


def _fields(row: AuditEvent) -> dict:
    return {
        "id": row.id,
        "action": row.action,
        "record_type": row.record_type,
        "record_id": row.record_id,
        "actor_type": row.actor_type,
        "actor_id": row.actor_id,
        "actor_roles": row.actor_roles,
        "request_id": row.request_id,
        "occurred_at": row.occurred_at.isoformat() if row.occurred_at else None,
    }


@event.listens_for(Session, "after_flush")
def _note_written(session: Session, flush_context: object) -> None:
    # Read now, while the rows are fresh: after the commit, reading an expired row
    # would cost a query.
    written = [_fields(obj) for obj in session.new if isinstance(obj, AuditEvent)]
    if written:
        within = session.get_nested_transaction()
        session.info.setdefault(_PENDING, []).extend((within, fields) for fields in written)


def note_inserted(session: Session, rows: list[dict]) -> None:
    """Events written by an INSERT statement rather than as objects (the bulk import's
    set-based writer): each a dict of the columns `_fields` reads, its id included,
    logged once the transaction commits like any other."""
    within = session.get_nested_transaction()
    session.info.setdefault(_PENDING, []).extend(
        (within, {**row, "occurred_at": row["occurred_at"].isoformat()}) for row in rows
    )


@event.listens_for(Session, "after_commit")
def _log_committed(session: Session) -> None:
    for _within, fields in session.info.pop(_PENDING, []):
        logger.info(
            "Audit event %s: %s %s %s by %s %s",
            fields["id"],
            fields["action"],
            fields["record_type"] or "-",
            fields["record_id"] or "-",
            fields["actor_type"],
            fields["actor_id"] if fields["actor_id"] is not None else "-",
            extra={"audit": fields},
        )


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
        return
    # A savepoint rolled back: only what was written inside it is gone.
    session.info[_PENDING] = [
        (within, fields) for within, fields in pending if not _inside(within, previous_transaction)
    ]


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False
