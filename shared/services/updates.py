"""Posting investigation updates and reading the timeline.

The victim's timeline is read by a query that never touches the internal notes table.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shared.codes import UPDATE_KINDS
from shared.extensions import db
from shared.models import Crime, InternalNote, InvestigationUpdate, StaffMember
from shared.services import audit
from shared.services.errors import ServiceError

MAX_TEXT = 5000


def post_update(
    crime: Crime,
    *,
    kind: str,
    victim_text: str | None,
    internal_note: str | None,
    visible: bool,
    by: StaffMember,
) -> InvestigationUpdate:
    """Add an update to the crime's timeline and commit. Raises ServiceError when the
    victim is to see it but there is no text for them, or there is nothing at all."""
    victim_text = (victim_text or "").strip() or None
    internal_note = (internal_note or "").strip() or None
    if kind not in UPDATE_KINDS:
        raise ServiceError(_l("Select what kind of update this is"), "kind")
    if visible and not victim_text:
        raise ServiceError(_l("Enter the update for the victim"), "victim_text")
    if not victim_text and not internal_note:
        raise ServiceError(_l("Enter the update for the victim or an internal note"), "victim_text")
    for field, text in (("victim_text", victim_text), ("internal_note", internal_note)):
        if text and len(text) > MAX_TEXT:
            raise ServiceError(_l("Text must be %(max)d characters or fewer", max=MAX_TEXT), field)
    update = InvestigationUpdate(
        crime_id=crime.id,
        kind=kind,
        victim_text=victim_text,
        visible_to_victim=visible,
        author_id=by.id,
    )
    db.session.add(update)
    db.session.flush()
    if internal_note:
        db.session.add(InternalNote(update_id=update.id, text=internal_note))
    audit.record("update.post", "crime", crime.id, detail=f"update {update.id}", actor=by)
    db.session.commit()
    return update


def staff_timeline(crime: Crime) -> list[tuple[InvestigationUpdate, str | None]]:
    """Every update, newest first, with its internal note. One query."""
    rows = db.session.execute(
        select(InvestigationUpdate, InternalNote.text)
        .outerjoin(InternalNote, InternalNote.update_id == InvestigationUpdate.id)
        .where(InvestigationUpdate.crime_id == crime.id)
        .order_by(InvestigationUpdate.created_at.desc(), InvestigationUpdate.id.desc())
    )
    return [(update, note) for update, note in rows]


def victim_timeline(crime_id: int) -> list[InvestigationUpdate]:
    """The updates meant for the victim, newest first. One query; no internal notes."""
    return list(
        db.session.scalars(
            select(InvestigationUpdate)
            .where(
                InvestigationUpdate.crime_id == crime_id,
                InvestigationUpdate.visible_to_victim.is_(True),
            )
            .order_by(InvestigationUpdate.created_at.desc(), InvestigationUpdate.id.desc())
        )
    )
