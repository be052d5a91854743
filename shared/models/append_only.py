"""Refuses, in the session, any change or deletion of rows that are history."""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from shared.models.audit import AuditEvent
from shared.models.entitlement import ContactPlan, EnhancedRight, EntitlementEvent
from shared.models.investigation import InternalNote, InvestigationUpdate
from shared.models.message import SecureMessage
from shared.models.outbox import OutboxAttempt

APPEND_ONLY = (
    AuditEvent,
    InvestigationUpdate,
    InternalNote,
    EntitlementEvent,
    EnhancedRight,
    ContactPlan,
    OutboxAttempt,
)
# Rows that are history but for the named columns, which may change.
MOSTLY_APPEND_ONLY = {SecureMessage: frozenset({"read_at"})}


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only row."""


@event.listens_for(Session, "before_flush")
def _refuse_history_edits(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} rows are append-only; add a new row instead")
        mutable = MOSTLY_APPEND_ONLY.get(type(obj))
        if mutable is not None and (obj in session.deleted or _changed(obj) - mutable):
            raise AppendOnlyError(
                f"{type(obj).__name__} rows are history: only {', '.join(sorted(mutable))} may change"
            )


def _changed(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}
