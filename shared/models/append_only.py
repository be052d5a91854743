"""Refuses, in the session, any change or deletion of rows that are history, and any
DELETE statement on their tables.

One deletion is allowed, on purpose: the retention purge (shared.services.retention)
deletes the tries at sending a message together with the message, once it was delivered
long enough ago. Its statements carry the execution option PURGE; nothing else does."""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from shared.models.action_plan import ActionEvent
from shared.models.audit import AuditEvent
from shared.models.cdi_audit import CdiJudgement
from shared.models.cdi_finding import CdiDispute, CdiPutRight
from shared.models.court import CourtEvent
from shared.models.entitlement import ContactPlan, EnhancedRight, EntitlementEvent
from shared.models.feedback import FeedbackAnswer, FeedbackInvitation
from shared.models.information_request import InformationRequest
from shared.models.investigation import DecisionFactor, InternalNote, InvestigationUpdate
from shared.models.message import SecureMessage
from shared.models.outbox import OutboxAttempt
from shared.models.scrutiny import OutOfCourtCapture, ScrutinyFinding, ScrutinyGrade, ScrutinyResponse

APPEND_ONLY = (
    AuditEvent,
    InvestigationUpdate,
    InternalNote,
    DecisionFactor,
    EntitlementEvent,
    EnhancedRight,
    OutboxAttempt,
    ActionEvent,
    OutOfCourtCapture,
    ScrutinyGrade,
    ScrutinyFinding,
    ScrutinyResponse,
    CdiJudgement,
    FeedbackInvitation,
    FeedbackAnswer,
    CdiDispute,
    CdiPutRight,
    CourtEvent,
    InformationRequest,
)
# Rows that are history but for the named columns, which may change.
MOSTLY_APPEND_ONLY = {SecureMessage: frozenset({"read_at"}), ContactPlan: frozenset({"seen_at"})}


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


# The execution option that lets a DELETE statement remove history rows, and the only
# history it may remove: the tries at sending a message that was delivered.
PURGE = "retention_purge"
_PURGEABLE = frozenset({OutboxAttempt.__tablename__})
_HISTORY = frozenset(model.__tablename__ for model in APPEND_ONLY)


@event.listens_for(Session, "do_orm_execute")
def _refuse_history_deletes(state):
    """DELETE statements on a history table, as the flush guard above refuses deleting
    loaded rows: the purge's alone may delete, and only tries at sending."""
    if not state.is_delete:
        return
    table = state.statement.table.name
    if table in _HISTORY and not (table in _PURGEABLE and state.execution_options.get(PURGE)):
        raise AppendOnlyError(f"{table} rows are append-only; they are never deleted")
