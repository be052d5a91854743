"""Property pushed by a force's records system (`POST /api/v1/crimes/{reference}/property`),
and read back.

As with crimes and victims (shared.services.records), a write is an upsert by the
records system's own id for the item (`item_ref`, on its crime): the same item pushed
twice changes nothing the second time, and a version older than the one held
(`updated_at`) is ignored and logged. The rules are the back office's
(shared.services.property), checked before anything is written.
"""

from sqlalchemy import select

from shared.extensions import db
from shared.models import ApiClient, Crime, CrimeVictim, PropertyItem
from shared.services import property as property_service
from shared.services.errors import ServiceError
from shared.services.property_input import PropertyIn
from shared.services.records import Written, _version_held, held_victim
from shared.services.unit_of_work import transactional


def held_item(crime: Crime, item_ref: str) -> PropertyItem | None:
    return db.session.scalar(
        select(PropertyItem).where(PropertyItem.crime_id == crime.id, PropertyItem.source_ref == item_ref)
    )


def _details(crime: Crime, data: PropertyIn) -> property_service.ItemDetails:
    owner = None
    if data.victim_ref is not None:
        owner = held_victim(crime, data.victim_ref)
        if owner is None:
            raise ServiceError(
                f"The crime has no victim with the victim_ref {data.victim_ref}: send the victim first",
                "victim_ref",
            )
    return property_service.ItemDetails(
        kind=data.kind,
        description=data.description,
        status=data.status,
        owner=owner,
        value_pence=data.value_pence,
        held_at=data.held_at,
        returned_at=data.returned_at,
        disposed_at=data.disposed_at,
        return_details=data.return_details,
        officer_note=data.officer_note,
    )


@transactional
def upsert_item(crime: Crime, data: PropertyIn, by: ApiClient) -> Written[PropertyItem]:
    """Add the item the first time its `item_ref` is seen on the crime; after that, bring
    it up to date. Raises ServiceError."""
    details = _details(crime, data)
    item = held_item(crime, data.item_ref)
    if item is None:
        # Another writer holding the same item_ref fails the unique key here: the unit is
        # rolled back and tried again (records.answer_once), and finds the item.
        item = property_service.record_item(
            crime, details, by, source_ref=data.item_ref, source_updated_at=data.updated_at
        )
        return Written("created", item)
    held = _version_held("property_item", item.id, data.updated_at, item.source_updated_at, by)
    if held is not None:
        return Written(held, item)
    changed = property_service.change_item(item, details, by)
    item.source_updated_at = data.updated_at
    return Written("updated" if changed else "unchanged", item)


def item_status(item: PropertyItem) -> dict:
    """The item as the API answers it, its note included (the records system is staff's)."""
    victim_ref = None
    if item.crime_victim_id is not None:
        victim_ref = db.session.scalar(
            select(CrimeVictim.source_ref).where(CrimeVictim.id == item.crime_victim_id)
        )
    return _out(item, victim_ref, property_service.note_of(item))


def items_status(crime: Crime) -> dict:
    """Every item on the crime, in the order recorded. One query."""
    return {
        "items": [_out(row.item, row.owner_ref, row.note) for row in property_service.items_of_crime(crime)]
    }


def _out(item: PropertyItem, victim_ref: str | None, note: str | None) -> dict:
    return {
        "item_ref": item.source_ref,
        "kind": item.kind,
        "description": item.description,
        "victim_ref": victim_ref,
        "value_pence": item.value_pence,
        "status": item.status,
        "held_at": item.held_at,
        "returned_at": item.returned_at,
        "disposed_at": item.disposed_at,
        "return_details": item.return_details,
        "officer_note": note,
        "updated_at": item.source_updated_at,
    }
