"""Writing the audit trail. The caller's transaction commits the event with the change."""

from flask import g, has_request_context
from flask_login import current_user

from shared.extensions import db
from shared.models import AuditEvent


def record(action: str, record_type: str | None = None, record_id=None, detail: str | None = None, actor=None) -> AuditEvent:
    """Add an audit event for `action` on a record, by `actor` (default: the signed-in
    user, else the system). Never pass message bodies, passwords or tokens in `detail`."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        actor_type=getattr(actor, "kind", "system"),
        actor_id=getattr(actor, "id", None),
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        request_id=g.get("request_id") if has_request_context() else None,
        detail=detail,
    )
    db.session.add(event)
    return event
