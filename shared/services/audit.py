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
    kind = getattr(actor, "kind", "system")
    event = AuditEvent(
        actor_type=kind,
        actor_id=getattr(actor, "id", None),
        actor_roles=",".join(sorted(actor.roles)) if kind == "staff" else None,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        request_id=g.get("request_id") if has_request_context() else None,
        detail=detail,
    )
    db.session.add(event)
    return event


# View arguments that name the record a back-office page is about.
_RECORD_ARGS = (("crime_id", "crime"), ("staff_id", "staff_member"))


def record_read(action: str, view_args: dict | None, query: str | None) -> AuditEvent:
    """The one audit event for a back-office page, list, search, report or export: the
    record the URL names and the query string it was asked with. The caller commits."""
    view_args = view_args or {}
    record_type = record_id = None
    for arg, kind in _RECORD_ARGS:
        if arg in view_args:
            record_type, record_id = kind, view_args[arg]
            break
    return record(action, record_type, record_id, detail=(query or None) and query[:500])
