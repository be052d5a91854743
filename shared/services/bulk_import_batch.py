"""The bulk import's set-based writer (`flask import-crimes`): the new crimes of a batch,
with their victims, written table by table, each table's rows for the whole batch in one
statement (INSERT ... RETURNING, sent as multi-row VALUES by SQLAlchemy).

It writes what the per-crime path (shared.services.records.load_crime, load_victim)
writes for a new crime with new victims, row for row: the crime and its `crime.record`
audit event; each victim, their link to the crime, the enhanced rights that apply of
themselves, the contact plan, the entitlements the Code owes on recording with their
history rows, and the `victim.add` event. What to open, and when it is due, comes from
the engine's own rule (shared.services.entitlements.on_adding).

Only the plain case is written here: a crime whose reference is not held, open (no
outcome, no incident, no out-of-court capture), whose officer in charge is an active
officer or supervisor, and which passes the checks of `crimes.record_crime`; victims
sent without assessed rights, contact plan or guardian, each with an email address no
other victim of the batch before them has. Every other crime of the batch, and the whole
batch if another writer took one of its references meanwhile, is left to the per-crime
path (`write_new` returns it), which updates, skips or refuses it with its own errors.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from shared.domain import code_versions as versions
from shared.domain.permissions import CASE_HOLDING_ROLES
from shared.domain.reference_data import OFFENCES
from shared.extensions import Model, db
from shared.models import ApiClient, Crime, StaffMember, StaffRole, Victim
from shared.models.types import utcnow
from shared.services import audit, audit_feed, calendar, code_versions, crimes, entitlements, records, victims
from shared.services.bulk_import_rows import Unit
from shared.services.errors import ServiceError
from shared.services.records_input import VictimIn
from shared.services.unit_of_work import unit_of_work


@dataclass
class _Victim:
    sent: VictimIn
    stored: dict[str, Any]


@dataclass
class _Crime:
    unit: Unit
    reference: str
    officer_id: int
    team_id: int
    victims: list[_Victim] = field(default_factory=list)


def _table(name: str) -> Table:
    return Model.metadata.tables[name]


def _insert(name: str, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` into the table `name` in one statement; their ids, in their order."""
    if not rows:
        return []
    table = _table(name)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(stmt, rows).scalars())


def _insert_only(name: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(_table(name)), rows)


def _case_holders() -> dict[str, tuple[int, int]]:
    """Each active officer's and supervisor's collar number (upper case): their id and team."""
    holding = select(StaffRole.staff_id).where(StaffRole.role.in_(sorted(CASE_HOLDING_ROLES)))
    rows = db.session.execute(
        select(func.upper(StaffMember.collar_number), StaffMember.id, StaffMember.team_id).where(
            StaffMember.active.is_(True), StaffMember.id.in_(holding)
        )
    )
    return {str(collar): (int(str(staff_id)), int(str(team_id))) for collar, staff_id, team_id in rows}


def _plain(unit: Unit, now: datetime) -> bool:
    """Whether the per-crime path would record this crime and add its victims and do
    nothing more: no outcome, incident or capture, nothing but the victims' details."""
    sent = unit.crime
    if sent.outcome is not None or sent.incident is not None or sent.out_of_court is not None:
        return False
    if any(
        v.enhanced_rights is not None or v.contact_plan is not None or v.guardian is not None
        for *_, v in unit.victims
    ):
        return False
    try:
        records.check_crime(sent)
        crimes.check_new(
            crimes.normalise_reference(sent.reference),
            sent.offence,
            sent.stage or "",
            sent.occurred_at,
            sent.reported_at,
            sent.recorded_at,
            now,
        )
    except ServiceError:
        return False
    return True


def _chosen(batch: list[Unit], now: datetime) -> list[_Crime]:
    """The crimes of the batch this writer takes (see the module's docstring)."""
    references = {crimes.normalise_reference(unit.crime.reference) for unit in batch}
    held = set(db.session.scalars(select(Crime.reference).where(Crime.reference.in_(references))))
    holders = _case_holders()
    seen_references: set[str] = set()
    seen_emails: set[str] = set()
    out = []
    for unit in batch:
        reference = crimes.normalise_reference(unit.crime.reference)
        stored = [victims.stored_details(records.victim_details(v)) for *_, v in unit.victims]
        emails = [row["email"] for row in stored if row["email"] is not None]
        officer = holders.get(unit.crime.officer_in_charge.upper())
        take = (
            reference not in held
            and reference not in seen_references
            and officer is not None
            and len(set(emails)) == len(emails)
            and not seen_emails.intersection(emails)
            and _plain(unit, now)
        )
        seen_references.add(reference)
        seen_emails.update(emails)
        if take and officer is not None:
            crime = _Crime(unit, reference, *officer)
            crime.victims = [_Victim(v, row) for (*_, v), row in zip(unit.victims, stored, strict=True)]
            out.append(crime)
    return out


def _write(chosen: list[_Crime], by: ApiClient, now: datetime) -> None:
    """Every row of the chosen crimes, a statement a table."""
    starts = code_versions.starts()
    crime_ids = _insert(
        "crime",
        [
            {
                "reference": c.reference,
                "offence": c.unit.crime.offence,
                "offence_group": OFFENCES[c.unit.crime.offence].group,
                "occurred_at": c.unit.crime.occurred_at,
                "reported_at": c.unit.crime.reported_at,
                "recorded_at": c.unit.crime.recorded_at or now,
                "stage": c.unit.crime.stage,
                "officer_in_charge_id": c.officer_id,
                "team_id": c.team_id,
                "source_updated_at": c.unit.crime.updated_at,
                "created_at": now,
            }
            for c in chosen
        ],
    )
    added = [(crime_id, c, v) for crime_id, c in zip(crime_ids, chosen, strict=True) for v in c.victims]
    holders = _holders({v.stored["email"] for *_, v in added} - {None})
    victim_ids = _insert(
        "victim",
        [{**v.stored, "same_as_id": holders.get(v.stored["email"]), "created_at": now} for *_, v in added],
    )
    link_ids = _insert(
        "crime_victim",
        [
            {
                "crime_id": crime_id,
                "victim_id": victim_id,
                "public_id": secrets.token_urlsafe(16),
                "added_at": now,
                "added_by_id": None,
                "source_ref": v.sent.victim_ref,
                "source_updated_at": v.sent.updated_at,
            }
            for (crime_id, _c, v), victim_id in zip(added, victim_ids, strict=True)
        ],
    )
    rights, plans, owed = [], [], []
    for link_id, (crime_id, c, v) in zip(link_ids, added, strict=True):
        sent = c.unit.crime
        version = versions.version_on(calendar.local_date(sent.reported_at), starts)
        start = entitlements.on_adding(
            version,
            entitlements.Recorded(
                sent.offence,
                OFFENCES[sent.offence].group,
                sent.reported_at,
                sent.recorded_at or now,
                None,
                False,
            ),
            v.stored["date_of_birth"],
            now,
        )
        rights += [
            {
                "crime_victim_id": link_id,
                "category": category,
                "reason": reason,
                "applies": True,
                "assessed_at": now,
            }
            for category, reason in start.rights
        ]
        plans.append(
            {
                "crime_victim_id": link_id,
                "frequency_days": start.frequency_days,
                "channel": v.stored["contact_channel"],
                "language": v.stored["preferred_language"],
                "changed_at": now,
            }
        )
        owed += [
            {"crime_id": crime_id, "crime_victim_id": link_id, **opening.columns(), "created_at": now}
            for opening in start.openings
        ]
    _insert_only("enhanced_right", rights)
    _insert_only("contact_plan", plans)
    entitlement_ids = _insert("entitlement", owed)
    _insert_only(
        "entitlement_event",
        [
            {
                "entitlement_id": ent_id,
                "action": "created",
                "state": row["state"],
                "due_at": row["due_at"],
                "met_at": None,
                "way": None,
                "detail": None,
                "reason": None,
                "by_id": None,
                "at": now,
            }
            for ent_id, row in zip(entitlement_ids, owed, strict=True)
        ],
    )
    links_of: dict[int, list[int]] = {}
    for link_id, (crime_id, *_) in zip(link_ids, added, strict=True):
        links_of.setdefault(crime_id, []).append(link_id)
    events = []
    for crime_id in crime_ids:
        events.append({**audit.columns("crime.record", "crime", crime_id, actor=by), "occurred_at": now})
        events += [
            {**audit.columns("victim.add", "crime_victim", link_id, actor=by), "occurred_at": now}
            for link_id in links_of.get(crime_id, [])
        ]
    event_ids = _insert("audit_event", events)
    audit_feed.note_inserted(db.session(), [{**e, "id": i} for e, i in zip(events, event_ids, strict=True)])


def _holders(emails: set[str]) -> dict[str, int]:
    """The record that holds each of these email addresses (victims.holder_of)."""
    if not emails:
        return {}
    rows = db.session.execute(
        select(Victim.email, Victim.id).where(Victim.email.in_(sorted(emails)), Victim.same_as_id.is_(None))
    )
    return {str(email): victim_id for email, victim_id in rows}


def write_new(batch: list[Unit], by: ApiClient, counted: Callable[[Unit], None]) -> list[Unit]:
    """Write the plain new crimes of `batch` in one unit of work, calling `counted` for
    each; the units left for the per-crime path, in the file's order. When another
    writer took one of the batch's references or email addresses meanwhile, nothing of
    the batch is kept and all of it is left to the per-crime path."""
    now = utcnow()
    try:
        with unit_of_work():
            chosen = _chosen(batch, now)
            _write(chosen, by, now)
    except IntegrityError:
        return list(batch)
    taken = {id(c.unit) for c in chosen}
    for c in chosen:
        counted(c.unit)
    return [unit for unit in batch if id(unit) not in taken]
