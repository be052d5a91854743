"""Writing the audit trail. An event about a change is added in the change's unit of work
and committed with it (`record`); an event that is the whole of what happened, a page
read or a refusal, is a unit of its own (`record_alone`, `record_read`)."""

from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from shared.extensions import db
from shared.models import AuditEvent, StaffMember, Victim
from shared.services import audit_feed  # noqa: F401  (logs each event once it is committed)
from shared.services.actors import Actor
from shared.services.unit_of_work import transactional


@dataclass(frozen=True)
class Origin:
    """Where the changes being made come from: a request, with its id, and a way to find
    who made it. The actor is asked for only when an event is written, so that a request
    that writes none never loads its user."""

    request_id: str | None
    actor: Callable[[], Any]


# Set by the web layer for each request; outside one (the command line, the worker) the
# actor is the system and there is no request id.
_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def set_origin(origin: Origin) -> Token:
    """Name the origin of the events written from here on, until `clear_origin` is
    given the token this returns."""
    return _origin.set(origin)


def clear_origin(token: Token) -> None:
    _origin.reset(token)


def storable(text: str) -> str:
    """`text` as a column can hold it: a NUL byte or a lone surrogate, which a refused
    request may carry in its path or query, is written as its escape (`\\x00`), so the
    trail still shows what was asked (PostgreSQL refuses a NUL in text)."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def record(
    action: str,
    record_type: str | None = None,
    record_id: object = None,
    detail: str | None = None,
    actor: Actor | Victim | None = None,
) -> AuditEvent:
    """Add an audit event for `action` on a record, by `actor` (default: whoever the
    request's origin names, else the system). Never pass message bodies, passwords or
    tokens in `detail`."""
    event = AuditEvent(**columns(action, record_type, record_id, detail, actor))
    db.session.add(event)
    return event


def columns(
    action: str,
    record_type: str | None = None,
    record_id: object = None,
    detail: str | None = None,
    actor: Actor | Victim | None = None,
) -> dict[str, Any]:
    """The columns of the event `record` adds, for a writer that inserts many at once
    (the bulk import): all but the id and the time."""
    origin = _origin.get()
    if actor is None and origin is not None:
        actor = origin.actor()
    return {
        "actor_type": getattr(actor, "kind", "system"),
        "actor_id": getattr(actor, "id", None),
        "actor_roles": ",".join(sorted(actor.roles)) if isinstance(actor, StaffMember) else None,
        "action": action,
        "record_type": record_type,
        "record_id": None if record_id is None else storable(str(record_id)),
        "request_id": None if origin is None else origin.request_id,
        "detail": None if detail is None else storable(detail),
    }


@transactional
def record_alone(
    action: str,
    record_type: str | None = None,
    record_id: object = None,
    detail: str | None = None,
    actor: Actor | Victim | None = None,
) -> AuditEvent:
    """Add an audit event that nothing else goes with (a refused sign-in, a page denied,
    a call to the API) and commit it, so that it is kept whatever the request does next."""
    return record(action, record_type, record_id, detail, actor)


# View arguments that name the record a back-office page is about.
_RECORD_ARGS = (
    ("crime_id", "crime"),
    ("staff_id", "staff_member"),
    ("case_key", "scrutiny_case"),
    ("sample_id", "scrutiny_sample"),
    ("incident_reference", "incident"),
    ("action_id", "action"),
    ("audit_id", "cdi_audit"),
)


def _named_record(view_args: dict | None) -> tuple[str | None, object]:
    for arg, kind in _RECORD_ARGS:
        if arg in (view_args or {}):
            return kind, view_args[arg]  # type: ignore[index]  # not None: it holds arg
    return None, None


@transactional
def record_read(action: str, view_args: dict | None, query: str | None) -> AuditEvent:
    """The one audit event for a back-office page, list, search, report or export that
    was shown: the record the URL names and the query string it was asked with,
    committed before the page is sent, so no page is shown that the trail does not name.
    Only for a page the user was allowed to see: a refusal is `record_refusal`."""
    record_type, record_id = _named_record(view_args)
    return record(action, record_type, record_id, detail=(query or None) and query[:500])


@transactional
def record_refusal(action: str, view_args: dict | None, what: str) -> AuditEvent:
    """The audit event for a read or a change refused by the view (the record is outside
    the user's scope, or the action is not theirs to take on it): the record the URL
    names and `what` was asked (method, path, status), never the query or the form, which
    may hold personal data."""
    record_type, record_id = _named_record(view_args)
    return record(action, record_type, record_id, detail=what[:500])
