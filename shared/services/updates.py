"""Posting investigation updates and reading the timeline.

The victim's timeline is read by a query that never touches the internal notes table.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select

from shared.domain.reference_data import UPDATE_KINDS
from shared.domain.victims_code_rules import KEY_EVENTS
from shared.extensions import db
from shared.models import CourtEvent, Crime, InternalNote, InvestigationUpdate
from shared.models.types import utcnow
from shared.services import actors, audit, decision_factors, entitlements, outbox, pager
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

MAX_TEXT = 5000


@transactional
def post_update(
    crime: Crime,
    *,
    kind: str,
    victim_text: str | None,
    internal_note: str | None,
    visible: bool,
    by: Actor,
    occurred_at: datetime | None = None,
    source_ref: str | None = None,
    factors: Sequence[str] | None = None,
) -> InvestigationUpdate:
    """Add an update to the crime's timeline and commit. A key event (`occurred_at`: when
    it happened, if earlier) starts the Victims' Code duty to tell each victim; an update
    the victim can read counts as telling them. Raises ServiceError when the victim is to
    see it but there is no text for them, there is nothing at all (a key event from a
    records system, `by` an API client, says what happened by its kind), the event is
    dated in the future, or the crime was cancelled and this is more than a general
    update. `source_ref` is the records system's id for the event. A decision not to
    investigate further takes the force's `factors` it rests on
    (shared.services.decision_factors)."""
    victim_text = (victim_text or "").strip() or None
    internal_note = (internal_note or "").strip() or None
    if kind not in UPDATE_KINDS:
        raise ServiceError(_l("Select what kind of update this is"), "kind")
    if visible and not victim_text:
        raise ServiceError(_l("Enter the update for the victim"), "victim_text")
    key_event = kind in KEY_EVENTS
    from_records_system = getattr(by, "kind", None) == "api"
    if not victim_text and not internal_note and not (key_event and from_records_system):
        raise ServiceError(_l("Enter the update for the victim or an internal note"), "victim_text")
    for field, text in (("victim_text", victim_text), ("internal_note", internal_note)):
        if text and len(text) > MAX_TEXT:
            raise ServiceError(_l("Text must be %(max)d characters or fewer", max=MAX_TEXT), field)
    if crime.cancelled_at is not None and kind != "general":
        raise ServiceError(
            _l("This crime record has been cancelled: only a general update can be posted"), "kind"
        )
    now = utcnow()
    if occurred_at is not None and occurred_at > now:
        raise ServiceError(_l("The date it happened must be today or in the past"), "occurred_date")
    factors = decision_factors.checked(decision_factors.is_decision(kind), factors, by)
    update = InvestigationUpdate(
        crime_id=crime.id,
        kind=kind,
        victim_text=victim_text,
        visible_to_victim=visible,
        occurred_at=(occurred_at or now) if key_event else None,
        **actors.written_by(by),
        source_ref=source_ref,
        created_at=now,
    )
    db.session.add(update)
    db.session.flush()
    if internal_note:
        db.session.add(InternalNote(update_id=update.id, text=internal_note))
    decision_factors.record(update, factors)
    if visible:
        entitlements.on_visible_update(crime, update)
        outbox.notify_victims(crime)
    if key_event:
        entitlements.on_key_event(crime, kind, update, by)
    audit.record("update.post", "crime", crime.id, detail=f"update {update.id}", actor=by)
    return update


def staff_timeline(crime: Crime, page: int, per_page: int) -> Page:
    """A page of the crime's updates, newest first, each as (update, its internal note
    or None). Two queries, whatever the number of updates."""
    stmt = (
        select(InvestigationUpdate, InternalNote.text)
        .outerjoin(InternalNote, InternalNote.update_id == InvestigationUpdate.id)
        .where(InvestigationUpdate.crime_id == crime.id)
        .order_by(InvestigationUpdate.created_at.desc(), InvestigationUpdate.id.desc())
    )
    return pager.fetch_page(stmt, page, per_page, rows=True)


@cache
def _victims_updates() -> Select:
    """What the victim sees of each update meant for them (parameter `crime_id`), newest
    first: no internal notes, nothing about who wrote it; for what happened at court, its
    court, date, reason, verdict or sentence. Plain rows, built once."""
    return pager.pageable(
        select(
            InvestigationUpdate.id,
            InvestigationUpdate.kind,
            InvestigationUpdate.victim_text,
            InvestigationUpdate.new_stage,
            InvestigationUpdate.new_outcome,
            InvestigationUpdate.created_at,
            CourtEvent.court_name,
            CourtEvent.starts_at,
            CourtEvent.adjournment_reason,
            CourtEvent.verdict,
            CourtEvent.sentence_kind,
            CourtEvent.sentence_months,
        )
        .outerjoin(CourtEvent, CourtEvent.update_id == InvestigationUpdate.id)
        .where(
            InvestigationUpdate.crime_id == bindparam("crime_id"),
            InvestigationUpdate.visible_to_victim.is_(True),
        )
        .order_by(InvestigationUpdate.created_at.desc(), InvestigationUpdate.id.desc())
    )


def victim_timeline(crime_id: int, page: int, per_page: int, *, total: int | None = None) -> Page:
    """A page of the updates meant for the victim, newest first, each with its kind,
    text, new stage or outcome and time: two queries, or one when the caller counted
    them already (`total`)."""
    return pager.fetch_page(
        _victims_updates(), page, per_page, rows=True, total=total, params={"crime_id": crime_id}
    )
