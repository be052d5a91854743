"""Refuses, in the session, any change or deletion of rows that are history."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from shared.models.audit import AuditEvent
from shared.models.entitlement import ContactPlan, EnhancedRight, EntitlementEvent
from shared.models.investigation import InternalNote, InvestigationUpdate

APPEND_ONLY = (AuditEvent, InvestigationUpdate, InternalNote, EntitlementEvent, EnhancedRight, ContactPlan)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only row."""


@event.listens_for(Session, "before_flush")
def _refuse_history_edits(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise AppendOnlyError(
                f"{type(obj).__name__} rows are append-only; add a new row instead"
            )
