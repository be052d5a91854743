"""Reading the audit trail: the administrator's search and the CSV export
(Data Protection Act 2018 s.62). Filtering, counting and paging happen in SQL, so a
search costs the same few queries however long the trail grows."""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from shared.domain.numbers import MAX_ID, whole_number
from shared.extensions import db
from shared.models import ApiClient, AuditEvent, StaffMember
from shared.services import pager
from shared.services.pager import Page
from shared.services.spreadsheet import safe_cell, writer
from shared.translation import gettext as _

LONDON = ZoneInfo("Europe/London")
EXPORT_MAX_ROWS = 100_000
# Rows fetched from the database at a time while an export streams.
EXPORT_CHUNK = 1_000


@dataclass(frozen=True)
class AuditFilters:
    """What to look for; every part is optional and the parts combine with AND.

    `actor` is a staff member's id or email address (an id of a victim when
    `actor_type` is "victim"). `action` matches exactly, or every action starting with
    it when it ends with "*". `from_date` and `to_date` are days on the clock in
    England and Wales, both included.
    """

    actor: str | None = None
    actor_type: str | None = None
    action: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    from_date: date | None = None
    to_date: date | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class AuditRow:
    """One event on a page of results, with the name of the staff member who acted."""

    event: AuditEvent
    actor_name: str | None


def start_of_day_utc(day: date) -> datetime:
    """Midnight at the start of `day` in Europe/London, as a UTC timestamp."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def _conditions(filters: AuditFilters) -> list:
    conditions = []
    if filters.actor_type:
        conditions.append(AuditEvent.actor_type == filters.actor_type)
    actor = (filters.actor or "").strip()
    actor_id = whole_number(actor, high=MAX_ID)
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
        if not filters.actor_type:
            conditions.append(AuditEvent.actor_type == "staff")
    elif actor:
        staff_ids = select(StaffMember.id).where(func.lower(StaffMember.email) == actor.lower())
        conditions += [AuditEvent.actor_type == "staff", AuditEvent.actor_id.in_(staff_ids)]
    if filters.action:
        if filters.action.endswith("*"):
            conditions.append(AuditEvent.action.startswith(filters.action.rstrip("*"), autoescape=True))
        else:
            conditions.append(AuditEvent.action == filters.action)
    if filters.record_type:
        conditions.append(AuditEvent.record_type == filters.record_type)
    if filters.record_id:
        conditions.append(AuditEvent.record_id == filters.record_id)
    if filters.request_id:
        conditions.append(AuditEvent.request_id == filters.request_id)
    if filters.from_date:
        conditions.append(AuditEvent.occurred_at >= start_of_day_utc(filters.from_date))
    # The last day there is has no next day to stop before: no upper bound then.
    if filters.to_date and filters.to_date < date.max:
        conditions.append(AuditEvent.occurred_at < start_of_day_utc(filters.to_date + timedelta(days=1)))
    return conditions


_NEWEST_FIRST = (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def search(filters: AuditFilters, page: int, per_page: int) -> Page:
    """A page of the events matching `filters`, newest first, as AuditRow items; past
    the end, the last page. Four queries at most: the count, the page, the names of the
    staff and of the records systems on it."""
    found = pager.fetch_page(
        select(AuditEvent).where(*_conditions(filters)).order_by(*_NEWEST_FIRST), page, per_page
    )
    events = found.items
    staff_ids = {e.actor_id for e in events if e.actor_type == "staff" and e.actor_id is not None}
    names = (
        dict(
            db.session.execute(
                select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(staff_ids))
            ).all()
        )
        if staff_ids
        else {}
    )
    client_ids = {e.actor_id for e in events if e.actor_type == "api" and e.actor_id is not None}
    clients = (
        dict(
            db.session.execute(select(ApiClient.id, ApiClient.name).where(ApiClient.id.in_(client_ids))).all()
        )
        if client_ids
        else {}
    )
    found.items = [
        AuditRow(
            event,
            names.get(event.actor_id)
            if event.actor_type == "staff"
            else clients.get(event.actor_id)
            if event.actor_type == "api"
            else None,
        )
        for event in events
    ]
    return found


def export_header() -> list[str]:
    return [
        _("Time (UTC)"),
        _("Actor type"),
        _("Actor ID"),
        _("Actor name"),
        _("Roles"),
        _("Action"),
        _("Record type"),
        _("Record ID"),
        _("Request ID"),
        _("Detail"),
    ]


def export_rows(filters: AuditFilters, limit: int = EXPORT_MAX_ROWS) -> Iterator[list[str]]:
    """The header, then every event matching `filters`, newest first, as rows of safe
    cells, read from the database in chunks. After `limit` events the export stops
    with a last row that says so."""
    yield [safe_cell(cell) for cell in export_header()]
    stmt = (
        select(
            AuditEvent.occurred_at,
            AuditEvent.actor_type,
            AuditEvent.actor_id,
            StaffMember.name,
            AuditEvent.actor_roles,
            AuditEvent.action,
            AuditEvent.record_type,
            AuditEvent.record_id,
            AuditEvent.request_id,
            AuditEvent.detail,
        )
        .outerjoin(
            StaffMember,
            and_(AuditEvent.actor_type == "staff", AuditEvent.actor_id == StaffMember.id),
        )
        .where(*_conditions(filters))
        .order_by(*_NEWEST_FIRST)
        .limit(limit + 1)
        .execution_options(yield_per=EXPORT_CHUNK)
    )
    result = db.session.execute(stmt)
    try:
        for count, row in enumerate(result, start=1):
            if count > limit:
                yield [
                    safe_cell(
                        _(
                            "Export stopped after %(limit)d events. Narrow the filters to export the rest.",
                            limit=limit,
                        )
                    )
                ]
                return
            occurred_at, *cells = row
            yield [safe_cell(occurred_at.astimezone(UTC).isoformat(timespec="seconds"))] + [
                safe_cell(cell) for cell in cells
            ]
    finally:
        result.close()


def export_csv(filters: AuditFilters, limit: int = EXPORT_MAX_ROWS) -> Iterator[str]:
    """`export_rows` as CSV text in pieces of about 64 kB, after a byte order mark so
    that spreadsheet programs read the file as UTF-8. Every cell is quoted."""
    buffer = io.StringIO()
    out = writer(buffer)
    buffer.write("\ufeff")
    for row in export_rows(filters, limit):
        out.writerow(row)
        if buffer.tell() >= 65_536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
