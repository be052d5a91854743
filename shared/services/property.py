"""Property on a crime (shared.domain.property): recorded by staff in the back office or
pushed by the records system (shared.services.property_records), both through here, so
the same rules hold for both.

Every rule is checked before anything is written, so an item refused (dates that cannot
be, a status its dates do not fit, a victim of another crime) leaves nothing behind.
A victim sees only the items that are hers (`items_of_victim`): never another victim's
item on the same crime, an item belonging to no victim, or an officer's note.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from shared.domain.property import (
    CLOSING_DATES,
    HELD_KINDS,
    HELD_STATUSES,
    KINDS,
    LOSS_KINDS,
    MAX_VALUE_PENCE,
    STATUSES,
)
from shared.extensions import db
from shared.models import Crime, CrimeVictim, PropertyItem, PropertyNote, Victim
from shared.models.types import utcnow
from shared.services import actors, audit, calendar
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

MAX_DESCRIPTION = 200
MAX_DETAILS = 2000

# What each date is refused for, in whole sentences (each language words them its own way).
MISSING = {
    "held_at": _l("Enter the date the police took the item in"),
    "returned_at": _l("Enter the date the item was given back"),
    "disposed_at": _l("Enter the date the item was disposed of"),
}
NOT_WANTED = {
    "held_at": _l("Leave the date the police took it in empty: they do not have the item"),
    "returned_at": _l("Leave the date it was given back empty: the item has not been given back"),
    "disposed_at": _l("Leave the date it was disposed of empty: the item has not been disposed of"),
}
IN_FUTURE = {
    "held_at": _l("The date the police took the item in cannot be in the future"),
    "returned_at": _l("The date the item was given back cannot be in the future"),
    "disposed_at": _l("The date the item was disposed of cannot be in the future"),
}
BEFORE_HELD = {
    "returned_at": _l("The item cannot have been given back before the police took it in"),
    "disposed_at": _l("The item cannot have been disposed of before the police took it in"),
}


@dataclass(frozen=True)
class ItemDetails:
    """An item as a form or the records system gives it. `owner` is the victim of the
    crime it belongs to, or None."""

    kind: str
    description: str
    status: str
    owner: CrimeVictim | None = None
    value_pence: int | None = None
    held_at: datetime | None = None
    returned_at: datetime | None = None
    disposed_at: datetime | None = None
    return_details: str | None = None
    officer_note: str | None = None


def check(crime: Crime, details: ItemDetails) -> None:
    """Raises ServiceError, on the field to correct, for an item that cannot be."""
    if details.kind not in KINDS:
        raise ServiceError(_l("Select what happened to the item"), "kind")
    if not details.description.strip():
        raise ServiceError(_l("Describe the item"), "description")
    if len(details.description) > MAX_DESCRIPTION:
        raise ServiceError(
            _l("The description must be %(max)d characters or fewer", max=MAX_DESCRIPTION), "description"
        )
    if details.owner is not None and details.owner.crime_id != crime.id:
        raise ServiceError(_l("The item can belong only to a victim of this crime"), "owner")
    if details.value_pence is not None and not 0 <= details.value_pence <= MAX_VALUE_PENCE:
        raise ServiceError(_l("The value must be between £0 and £10,000,000"), "value")
    for text, limit, field in (
        (details.return_details, MAX_DETAILS, "return_details"),
        (details.officer_note, MAX_DETAILS, "officer_note"),
    ):
        if text is not None and len(text) > limit:
            raise ServiceError(_l("Text must be %(max)d characters or fewer", max=limit), field)
    if details.status not in STATUSES:
        raise ServiceError(_l("Select where the item is now"), "status")
    if details.kind in HELD_KINDS and details.status not in HELD_STATUSES:
        raise ServiceError(
            _l("The police have an item they seized or found: select where it is now"), "status"
        )
    _check_dates(crime, details)


def _check_dates(crime: Crime, details: ItemDetails) -> None:
    wanted = {"held_at": details.status in HELD_STATUSES}
    wanted.update({field: details.status == status for status, field in CLOSING_DATES.items()})
    for field, needed in wanted.items():
        given = getattr(details, field)
        if needed and given is None:
            raise ServiceError(MISSING[field], field)
        if not needed and given is not None:
            raise ServiceError(NOT_WANTED[field], field)
    now = utcnow()
    for field in wanted:
        given = getattr(details, field)
        if given is not None and given > now:
            raise ServiceError(IN_FUTURE[field], field)
    if details.held_at is None:
        return
    # Dates are compared as days in England and Wales: the back office gives a date, and
    # an item found the evening of the crime was found on the day it happened.
    held = calendar.local_date(details.held_at)
    if held < calendar.local_date(crime.occurred_at):
        raise ServiceError(
            _l("The police cannot have taken the item in before the crime happened"), "held_at"
        )
    for field in CLOSING_DATES.values():
        given = getattr(details, field)
        if given is not None and calendar.local_date(given) < held:
            raise ServiceError(BEFORE_HELD[field], field)


_COLUMNS = ("kind", "description", "status", "value_pence", "held_at", "returned_at", "disposed_at")


def _apply(item: PropertyItem, details: ItemDetails) -> bool:
    """Bring the item's columns and note up to date; True when anything changed."""
    changed = False
    wanted = {name: getattr(details, name) for name in _COLUMNS}
    wanted["crime_victim_id"] = details.owner.id if details.owner is not None else None
    wanted["return_details"] = details.return_details or None
    for name, value in wanted.items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed = True
    note = db.session.scalar(select(PropertyNote).where(PropertyNote.item_id == item.id))
    text = details.officer_note or None
    if text is None:
        if note is not None:
            db.session.delete(note)
            changed = True
    elif note is None:
        db.session.add(PropertyNote(item_id=item.id, text=text))
        changed = True
    elif note.text != text:
        note.text = text
        changed = True
    return changed


@transactional
def record_item(
    crime: Crime,
    details: ItemDetails,
    by: Actor,
    source_ref: str | None = None,
    source_updated_at: datetime | None = None,
) -> PropertyItem:
    """Add an item to the crime. Raises ServiceError."""
    check(crime, details)
    item = PropertyItem(
        crime_id=crime.id,
        recorded_by_id=actors.staff_id(by),
        api_client_id=actors.api_client_id(by),
        source_ref=source_ref,
        source_updated_at=source_updated_at,
        **{name: getattr(details, name) for name in _COLUMNS},
    )
    db.session.add(item)
    db.session.flush()
    _apply(item, details)
    audit.record(
        "property.record", "property_item", item.id, detail=f"{details.kind} {details.status}", actor=by
    )
    return item


@transactional
def change_item(item: PropertyItem, details: ItemDetails, by: Actor) -> bool:
    """Bring the item up to date; True when anything changed. Raises ServiceError."""
    crime = db.session.get(Crime, item.crime_id)
    if crime is None:
        raise RuntimeError(f"property item {item.id} has no crime")
    check(crime, details)
    before = item.status
    if not _apply(item, details):
        return False
    item.updated_at = utcnow()
    audit.record(
        "property.change", "property_item", item.id, detail=f"{before} to {details.status}", actor=by
    )
    return True


def details_of(item: PropertyItem, owner: CrimeVictim | None, note: str | None) -> ItemDetails:
    """What an item holds, as ItemDetails: a form's starting values."""
    values = {f.name: getattr(item, f.name) for f in fields(ItemDetails) if hasattr(item, f.name)}
    return ItemDetails(**{**values, "owner": owner, "officer_note": note})


# ------------------------------------------------------------------------------ reads


class StaffItem(NamedTuple):
    item: PropertyItem
    note: str | None
    owner_name: str | None
    owner_ref: str | None


def items_of_crime(crime: Crime) -> list[StaffItem]:
    """Every item on the crime, for staff, in the order recorded: with the officer's note,
    and the name and records-system id of the victim it belongs to. One query."""
    rows = db.session.execute(
        select(PropertyItem, PropertyNote.text, Victim.name, CrimeVictim.source_ref)
        .outerjoin(PropertyNote, PropertyNote.item_id == PropertyItem.id)
        .outerjoin(CrimeVictim, CrimeVictim.id == PropertyItem.crime_victim_id)
        .outerjoin(Victim, Victim.id == CrimeVictim.victim_id)
        .where(PropertyItem.crime_id == crime.id)
        .order_by(PropertyItem.id)
    )
    return [StaffItem(*row) for row in rows]


def get_item(crime: Crime, item_id: int) -> PropertyItem | None:
    return db.session.scalar(
        select(PropertyItem).where(PropertyItem.id == item_id, PropertyItem.crime_id == crime.id)
    )


def note_of(item: PropertyItem) -> str | None:
    return db.session.scalar(select(PropertyNote.text).where(PropertyNote.item_id == item.id))


def items_of_victim(link: CrimeVictim) -> list[PropertyItem]:
    """The items that belong to this victim of the crime, and nothing else: no other
    victim's, none that belongs to nobody. The note table is never read. One query."""
    return list(
        db.session.scalars(
            select(PropertyItem).where(PropertyItem.crime_victim_id == link.id).order_by(PropertyItem.id)
        )
    )


def losses(items: list[PropertyItem]) -> list[PropertyItem]:
    """The items the crime took or damaged: those a letter for an insurer lists."""
    return [item for item in items if item.kind in LOSS_KINDS]
