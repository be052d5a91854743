"""Crimes, victims and key events pushed by a force's records system (through `/api/v1`
or `flask import-crimes`), and the status read back.

Every write is an upsert by the records system's own identifiers (the crime reference,
the victim's `victim_ref`, the event's `event_id`), so the same record pushed twice
changes nothing the second time, whatever the idempotency key. A version older than the
one held (`updated_at`) is ignored and logged. Each step goes through the same service
the back office uses, so a key event opens exactly the entitlements it opens there.

Each push is one unit of work, kept whole or not at all, and the race for a natural key
is settled here: `answer_once` (the API) and `load_crime`, `load_victim` (the import) roll
back the try that lost and run it again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from functools import wraps
from typing import Generic, ParamSpec, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared.domain.permissions import can_hold_cases
from shared.domain.reference_data import FINAL_STAGES, OFFENCES
from shared.domain.victims_code_rules import DERIVED_REASONS, ENHANCED_REASONS
from shared.extensions import db
from shared.models import (
    AccountLink,
    ApiClient,
    ContactPlan,
    Crime,
    CrimeVictim,
    Entitlement,
    Guardian,
    Incident,
    InvestigationUpdate,
    StaffMember,
    Victim,
)
from shared.models.types import utcnow
from shared.services import (
    audit,
    court,
    crimes,
    entitlements,
    guardians,
    idempotency,
    incidents,
    out_of_court,
    out_of_court_records,
    updates,
    victim_accounts,
    victims,
    victims_code_actions,
)
from shared.services.errors import Conflict, NotPermitted, ServiceError
from shared.services.records_input import CrimeIn, EventIn, VictimIn
from shared.services.unit_of_work import inside_unit_of_work, transactional, unit_of_work

logger = logging.getLogger("trackmycrime.records")

# How many times in all a write is tried that keeps losing the race for its natural key
# (the crime reference, the victim_ref on the crime) to other writers.
RACE_RETRIES = 3

P = ParamSpec("P")
T = TypeVar("T")
# What an upsert wrote: a crime, a victim's link to it, or an event.
R = TypeVar("R")


class NotFound(ServiceError):
    """The crime or victim named does not exist (HTTP 404)."""


class Race(IntegrityError):
    """Another request created the same crime or victim between this one's look-up and
    its insert: as with the unique key refusing a duplicate, the unit of work is rolled
    back and tried again (`_race_retried`), and then finds the record."""

    def __init__(self, what: str):
        super().__init__(f"{what} created by a concurrent request", None, Exception(what))


class RaceLost(Conflict):
    """Each of the tries lost its race to another writer: the writer is asked to send the
    record again, by then no longer contended."""

    def __init__(self) -> None:
        super().__init__("The record changed while it was being written")


@dataclass
class Written(Generic[R]):
    result: str  # created, updated, unchanged, ignored_older
    record: R


# ------------------------------------------------------------ writes that settle races


def _race_retried(write: Callable[P, T]) -> Callable[P, T]:
    """Make `write` a unit of work that is run again when another writer took the same
    natural key at the same moment (the unique key's IntegrityError, or Race): the try
    that lost is rolled back whole, and the next finds the record and brings it up to
    date. The API and the bulk import both write through here, so the loser of a race
    between two requests, or between a request and the import, gets the record rather
    than an error. Any other failure is rolled back and raised; RaceLost after
    RACE_RETRIES losses. Trying again means rolling back, so `write` must own its
    transaction: it is never run inside another unit."""

    @wraps(write)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        if inside_unit_of_work():
            raise RuntimeError(f"{write.__name__} rolls back to try again: call it outside any unit of work")
        for _attempt in range(RACE_RETRIES):
            try:
                with unit_of_work():
                    return write(*args, **kwargs)
            except IntegrityError:
                continue
        raise RaceLost()

    return run


@_race_retried
def answer_once(
    client: ApiClient, key: str, print_: str, respond: Callable[[], idempotency.Answer]
) -> idempotency.Answer:
    """A records system's POST, answered once per idempotency key (shared.services.
    idempotency): its placeholder, the change `respond` makes and the answer it gives
    are one unit of work, tried again when it loses a race. A replay gets the answer
    already given, as a Replay. Raises KeyReused, InProgress, RaceLost, and whatever
    `respond` raises; then nothing is kept, so the key is free for a corrected request."""
    started = idempotency.begin(client, key, print_)
    if isinstance(started, idempotency.Replay):
        return started
    answer = respond()
    idempotency.finish(started, answer.status_code, answer.body, answer.location)
    return answer


@_race_retried
def load_crime(data: CrimeIn, by: ApiClient) -> Written:
    """`upsert_crime` as the bulk import runs it: a unit of work of its own, tried again
    when it loses a race."""
    return upsert_crime(data, by)


@_race_retried
def load_victim(crime: Crime, data: VictimIn, by: ApiClient) -> Written:
    """`upsert_victim` as the bulk import runs it: a unit of work of its own, tried again
    when it loses a race, and not throttled (an operator runs it)."""
    return upsert_victim(crime, data, by, paced=False)


# ---------------------------------------------------------------------------- lookups


def held_crime(reference: str) -> Crime | None:
    """The crime with this reference, if one is held."""
    return db.session.scalar(select(Crime).where(Crime.reference == crimes.normalise_reference(reference)))


def crime_by_reference(reference: str) -> Crime:
    crime = held_crime(reference)
    if crime is None:
        raise NotFound("No crime has this reference")
    return crime


def held_victim(crime: Crime, victim_ref: str) -> CrimeVictim | None:
    """The crime's victim with this victim_ref, if one is held."""
    return db.session.scalar(
        select(CrimeVictim).where(CrimeVictim.crime_id == crime.id, CrimeVictim.source_ref == victim_ref)
    )


def victim_by_ref(crime: Crime, victim_ref: str) -> CrimeVictim:
    link = held_victim(crime, victim_ref)
    if link is None:
        raise NotFound("The crime has no victim with this victim_ref")
    return link


def _staff(collar_number: str, field: str, *, holds_cases: bool = False) -> StaffMember:
    """The active member of staff with this collar number; with `holds_cases`, one whose
    roles let them take a case (an officer or a supervisor). Raises ServiceError on
    `field` otherwise."""
    staff = db.session.scalar(
        select(StaffMember).where(
            func.upper(StaffMember.collar_number) == collar_number.upper(), StaffMember.active.is_(True)
        )
    )
    if staff is None:
        raise ServiceError(f"No active member of staff has collar number {collar_number}", field)
    if holds_cases and not can_hold_cases(staff):
        raise ServiceError(
            f"The member of staff with collar number {collar_number} cannot take a case: "
            "the officer in charge must be an officer or a supervisor",
            field,
        )
    return staff


def _version_held(
    record_type: str, record_id: int, sent: datetime, held: datetime | None, by: ApiClient
) -> str | None:
    """None when the version sent is newer than the one held (or none is held): apply it.
    Otherwise "unchanged" (the same version), or "ignored_older", which is logged and
    written to the audit trail."""
    if held is None or sent > held:
        return None
    if sent == held:
        return "unchanged"
    logger.info(
        "Ignored an older version of %s %s from %s: sent %s, held %s",
        record_type,
        record_id,
        by.name,
        sent,
        held,
    )
    audit.record(
        "api.older_ignored",
        record_type,
        record_id,
        detail=f"sent {sent.isoformat()}, held {held.isoformat()}",
        actor=by,
    )
    return "ignored_older"


# ----------------------------------------------------------------------------- crimes


def check_crime(data: CrimeIn) -> None:
    """The stage and outcome rules a crime must keep, checked before anything is written."""
    if data.outcome is None and data.stage is None:
        raise ServiceError("Give the stage of an open investigation, or its outcome", "stage")
    if data.outcome not in (None, 1) and data.stage is not None:
        raise ServiceError(
            "A crime with an outcome other than a charge is closed: leave the stage out", "stage"
        )
    if data.outcome == 1 and data.stage not in (None, "charged", "at_court"):
        raise ServiceError("A charged crime is at the charged or at court stage", "stage")
    out_of_court_records.check(data)


@transactional
def upsert_crime(data: CrimeIn, by: ApiClient) -> Written[Crime]:
    """Create the crime the first time its reference is seen; after that, bring it up to
    date: offence (the automatic enhanced rights follow), occurrence time, officer in
    charge (and so team), stage and outcome. Raises ServiceError, Conflict."""
    check_crime(data)
    incident = None
    if data.incident is not None:
        incident = incidents.held_incident(data.incident)
        if incident is None:
            raise ServiceError(
                f"No incident has the reference {data.incident}: send the incident first", "incident"
            )
    reference = crimes.normalise_reference(data.reference)
    crime = held_crime(reference)
    if crime is None:
        officer = _staff(data.officer_in_charge, "officer_in_charge", holds_cases=True)
        capture = out_of_court_records.capture_of(data, officer)
        try:
            crime = crimes.record_crime(
                reference=reference,
                offence=data.offence,
                occurred_at=data.occurred_at,
                reported_at=data.reported_at,
                recorded_at=data.recorded_at,
                officer_in_charge=officer,
                stage=data.stage if data.outcome is None and data.stage is not None else "reported",
                by=by,
            )
        except ServiceError:
            if db.session.scalar(select(Crime.id).where(Crime.reference == reference)) is not None:
                raise Race("crime") from None
            raise
        _apply_progress(crime, data, by, capture)
        if incident is not None:
            incidents.attach_crime(crime, incident, by)
        crime.source_updated_at = data.updated_at
        return Written("created", crime)

    held = _version_held("crime", crime.id, data.updated_at, crime.source_updated_at, by)
    if held is not None:
        return Written(held, crime)
    officer = _staff(data.officer_in_charge, "officer_in_charge")
    capture = out_of_court_records.capture_of(data, officer)
    if data.reported_at != crime.reported_at or data.recorded_at != crime.recorded_at:
        raise Conflict(
            "The report and recording times of a crime cannot change once it is held", "reported_at"
        )
    changed = (
        _differs(crime, data, officer)
        or (incident is not None and crime.incident_id != incident.id)
        or (capture is not None and out_of_court_records.changed(crime, capture))
    )
    if changed and crime.cancelled_at is not None:
        raise Conflict("This crime record has been cancelled: it cannot change")
    if crime.outcome is not None and data.outcome != crime.outcome:
        raise Conflict("An outcome is already recorded for this crime: it cannot change", "outcome")
    if data.occurred_at > crime.reported_at:
        raise ServiceError("The crime must have happened on or before it was reported", "occurred_at")
    if crime.officer_in_charge_id != officer.id:
        _staff(data.officer_in_charge, "officer_in_charge", holds_cases=True)
    if changed:
        if crime.occurred_at != data.occurred_at:
            crime.occurred_at = data.occurred_at
            audit.record("crime.occurred_at", "crime", crime.id, actor=by)
        if crime.officer_in_charge_id != officer.id:
            before = crime.officer_in_charge_id
            # The objects, not their ids: the session keeps the objects it loaded, so the
            # answer would otherwise still name the officer and team before.
            crime.officer_in_charge, crime.team = officer, officer.team
            audit.record(
                "crime.reassigned",
                "crime",
                crime.id,
                detail=f"staff {before} to staff {officer.id}",
                actor=by,
            )
        if crime.offence != data.offence:
            _reclassify(crime, data.offence, by)
        if incident is not None:
            incidents.attach_crime(crime, incident, by)
        _apply_progress(crime, data, by, capture)
    crime.source_updated_at = data.updated_at
    return Written("updated" if changed else "unchanged", crime)


def _pushed_stage(crime: Crime, data: CrimeIn) -> str | None:
    """The stage the records system sends, as it applies: a charged crime the courts have
    taken up (court events moved it to "at court") stays at court when the records system,
    which does not follow the court, still says "charged"."""
    if data.stage == "charged" and crime.stage == court.AT_COURT:
        return crime.stage
    return data.stage


def _differs(crime: Crime, data: CrimeIn, officer: StaffMember) -> bool:
    stage = _pushed_stage(crime, data)
    return (
        crime.offence != data.offence
        or crime.occurred_at != data.occurred_at
        or crime.officer_in_charge_id != officer.id
        or crime.outcome != data.outcome
        # A cancelled crime's stage is final, and one the records system cannot send.
        or (stage is not None and crime.stage != stage and crime.cancelled_at is None)
    )


def _reclassify(crime: Crime, offence: str, by: ApiClient) -> None:
    before = crime.offence
    crime.offence, crime.offence_group = offence, OFFENCES[offence].group
    for link in victims.victims_of_crime(crime):
        entitlements.rederive(link, by)
    audit.record("crime.reclassified", "crime", crime.id, detail=f"{before} to {offence}", actor=by)


def _apply_progress(
    crime: Crime, data: CrimeIn, by: ApiClient, capture: out_of_court.Capture | None = None
) -> None:
    """Stage, then outcome, as the back office records them: an out-of-court outcome with
    its capture. A changed capture of an outcome held is kept as history."""
    stage = _pushed_stage(crime, data)
    if data.outcome is None:
        if stage is not None and stage != crime.stage:
            crimes.change_stage(crime, stage, None, False, by)
        return
    if crime.outcome is None:
        crimes.record_outcome(crime, data.outcome, None, False, by, capture)
    elif capture is not None and out_of_court_records.changed(crime, capture):
        out_of_court.record(crime, crime.outcome, capture, by)
        audit.record("crime.out_of_court_capture", "crime", crime.id, actor=by)
    if stage is not None and stage != crime.stage and crime.stage not in FINAL_STAGES:
        crimes.change_stage(crime, stage, None, False, by)


# ---------------------------------------------------------------------------- victims


def victim_details(data: VictimIn) -> victims.VictimDetails:
    return victims.VictimDetails(**data.model_dump(include={f.name for f in fields(victims.VictimDetails)}))


def check_rights(data: VictimIn) -> None:
    """Each assessed enhanced right is one an officer may assess, given once."""
    seen = set()
    for index, right in enumerate(data.enhanced_rights or []):
        field = f"enhanced_rights/{index}"
        if (
            right.reason not in ENHANCED_REASONS[right.category]
            or (right.category, right.reason) in DERIVED_REASONS
        ):
            raise ServiceError(f"{right.reason} is not an assessed reason for {right.category}", field)
        if right.category in seen:
            raise ServiceError(f"{right.category} is given twice", field)
        seen.add(right.category)


@transactional
def upsert_victim(crime: Crime, data: VictimIn, by: ApiClient, paced: bool = True) -> Written[CrimeVictim]:
    """Add the victim the first time their `victim_ref` is seen on the crime, as the back
    office does (shared.services.victims.add_victim: the same answer whether or not the
    email address is known elsewhere, throttled when `paced`); after that, bring their
    details, assessed enhanced rights and contact plan up to date. Raises ServiceError,
    Conflict, victims.Throttled."""
    check_rights(data)
    if crime.cancelled_at is not None:
        raise Conflict("This crime record has been cancelled")
    link = held_victim(crime, data.victim_ref)
    if link is None:
        try:
            link = victims.add_victim(
                crime, victim_details(data), by=by, source_ref=data.victim_ref, paced=paced
            )
        except victims.Throttled:
            raise
        except ServiceError as error:
            if (
                db.session.scalar(
                    select(CrimeVictim.id).where(
                        CrimeVictim.crime_id == crime.id, CrimeVictim.source_ref == data.victim_ref
                    )
                )
                is not None
            ):
                raise Race("victim") from None
            raise Conflict(error.message, error.field) from None
        _apply_code(link, data, by)
        _apply_guardian(link, data, by)
        link.source_updated_at = data.updated_at
        return Written("created", link)

    held = _version_held("crime_victim", link.id, data.updated_at, link.source_updated_at, by)
    if held is not None:
        return Written(held, link)
    changed = _update_details(link, data, by)
    changed = _apply_code(link, data, by) or changed
    changed = _apply_guardian(link, data, by) or changed
    link.source_updated_at = data.updated_at
    return Written("updated" if changed else "unchanged", link)


def _update_details(link: CrimeVictim, data: VictimIn, by: ApiClient) -> bool:
    try:
        return bool(victims.update_details(link, victim_details(data), by))
    except ServiceError as error:
        raise Conflict(error.message, error.field) from None


def _apply_guardian(link: CrimeVictim, data: VictimIn, by: ApiClient) -> bool:
    """The parent or guardian, when sent: recorded as the back office records them. A
    refusal (an adult victim, direct contact not allowed) points at `guardian`."""
    if data.guardian is None:
        return False
    sent = data.guardian
    before = guardians.guardian_of(link)
    shown = ("name", "relationship", "email", "phone", "contact", "account_id")
    was = tuple(getattr(before, name) for name in shown) if before is not None else None
    try:
        after = guardians.record(
            link,
            guardians.GuardianDetails(
                name=sent.name,
                relationship=sent.relationship,
                email=sent.email,
                phone=sent.phone,
                holds_account=sent.holds_account,
                contact=sent.contact,
            ),
            by=by,
        )
    except ServiceError as error:
        raise ServiceError(error.message, "guardian" + (f"/{error.field}" if error.field else "")) from None
    return was != tuple(getattr(after, name) for name in shown)


def _apply_code(link: CrimeVictim, data: VictimIn, by: ApiClient) -> bool:
    """The assessed enhanced rights and the contact plan, when sent and different."""
    changed = False
    if data.enhanced_rights is not None:
        current = entitlements.current_rights([link.id])[link.id]
        automatic = {
            r.category: r.reason
            for r in current
            if (r.category, r.reason) in DERIVED_REASONS
            and r.assessed_by_id is None
            and r.api_client_id is None
        }
        chosen = {**{r.category: r.reason for r in data.enhanced_rights}, **automatic}
        if chosen != {r.category: r.reason for r in current}:
            victims_code_actions.assess_enhanced_rights(link, chosen, None, by)
            changed = True
    if data.contact_plan is not None:
        plan = entitlements.current_plans([link.id]).get(link.id)
        wanted = data.contact_plan.model_dump()
        if plan is None or any(getattr(plan, name) != value for name, value in wanted.items()):
            victims_code_actions.change_contact_plan(link, note=None, by=by, **wanted)
            changed = True
    return changed


# ----------------------------------------------------------------------------- events


@transactional
def post_event(crime: Crime, data: EventIn, by: ApiClient) -> Written[InvestigationUpdate]:
    """Record a key event at the time it happened: each victim is owed being told of it,
    exactly as when an officer posts it. The same `event_id` again changes nothing.
    Raises ServiceError, Conflict."""
    existing = db.session.scalar(
        select(InvestigationUpdate).where(
            InvestigationUpdate.crime_id == crime.id, InvestigationUpdate.source_ref == data.event_id
        )
    )
    if existing is not None:
        if existing.kind != data.kind:
            raise Conflict("This event_id is already recorded for a different kind of event", "event_id")
        return Written("unchanged", existing)
    if (data.kind == "cancelled") != (data.cancellation is not None):
        raise ServiceError(
            "Give the cancellation for, and only for, an event of kind cancelled", "cancellation"
        )
    if data.occurred_at > utcnow():
        raise ServiceError("The event must have happened already", "occurred_at")
    if data.cancellation is not None:  # kind `cancelled`, as checked above
        authoriser = _staff(data.cancellation.authorised_by, "cancellation/authorised_by")
        if not set(victims_code_actions.CANCEL_ROLES) & authoriser.roles:
            raise ServiceError(
                "Only a Designated Decision Maker or the Force Crime Registrar can authorise a cancellation",
                "cancellation/authorised_by",
            )
        try:
            update = victims_code_actions.cancel_crime(
                crime,
                data.cancellation.reason,
                data.cancellation.evidence,
                authoriser,
                at=data.occurred_at,
                source_ref=data.event_id,
                api_client=by,
            )
        except NotPermitted as error:
            # The authoriser named may not cancel this crime for this reason (the force's
            # matrix by gravity): the records system must name one who may.
            raise ServiceError(error.message, "cancellation/authorised_by") from None
        except ServiceError as error:
            raise Conflict(error.message, error.field) from None
        return Written("created", update)
    if crime.cancelled_at is not None:
        raise Conflict("This crime record has been cancelled")
    update = updates.post_update(
        crime,
        kind=data.kind,
        victim_text=data.victim_text,
        internal_note=None,
        visible=data.victim_text is not None,
        by=by,
        occurred_at=data.occurred_at,
        source_ref=data.event_id,
    )
    return Written("created", update)


def victims_to_tell(update: InvestigationUpdate) -> int:
    return (
        db.session.scalar(select(func.count(Entitlement.id)).where(Entitlement.update_id == update.id)) or 0
    )


# ------------------------------------------------------------------------- invitation


@transactional
def invite(link: CrimeVictim, by: ApiClient) -> tuple[str, AccountLink]:
    """Invite the victim by email, once: while an invitation is live, asking again sends
    nothing more. For a child whose parent or guardian holds the account and is the one
    contacted, the invitation is theirs. Raises Conflict when they already have an
    account, have no email address or must not be contacted."""
    guardian = guardians.receiving_rights(link)
    to_guardian = (
        guardian is not None
        and guardian.account_id is not None
        and "victim" not in guardians.reached_with(link, guardian)
    )
    person_id = link.victim_id
    if to_guardian and guardian is not None and guardian.account_id is not None:
        person_id = guardian.account_id
    # Two requests inviting the same victim at once: the second waits here for the first
    # (PostgreSQL row lock), then finds its invitation live.
    db.session.execute(select(Victim.id).where(Victim.id == person_id).with_for_update())
    if db.session.get_one(Victim, person_id).activated_at is not None:
        raise Conflict("This victim already has an account")
    live = _live_invitation(person_id)
    if live is not None:
        return "already_invited", live
    try:
        if to_guardian:
            victim_accounts.invite_guardian(link, by=by)
        else:
            victim_accounts.invite(link, by=by)
    except ServiceError as error:
        raise Conflict(error.message) from None
    invitation = _live_invitation(person_id)
    if invitation is None:
        raise RuntimeError("The invitation just sent is not live")
    return "invited", invitation


def _live_invitation(victim_id: int) -> AccountLink | None:
    return db.session.scalar(
        select(AccountLink)
        .where(
            AccountLink.victim_id == victim_id,
            AccountLink.purpose == "activation",
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
            AccountLink.expires_at > utcnow(),
        )
        .order_by(AccountLink.id.desc())
        .limit(1)
    )


# ----------------------------------------------------------------------------- status


def _guardian(row: Guardian | None) -> dict | None:
    if row is None:
        return None
    return {
        "name": row.name,
        "relationship": row.relationship,
        "holds_account": row.account_id is not None,
        "account_active": row.account is not None and row.account.activated_at is not None,
        "contact": row.contact,
        "until": row.ends_on,
        "recorded_at": row.recorded_at,
    }


def crime_status(crime: Crime, with_entitlements: bool) -> dict:
    """The crime, its victims' account status, enhanced rights and contact plans, and
    (`with_entitlements`) what the Code owes each of them. Seven queries at most, and one
    more for the reference of the incident it was recorded from."""
    links = victims.victims_of_crime(crime)
    ids = [link.id for link in links]
    recorded = guardians.of_victims(links)
    accounts = victim_accounts.invitation_status(links)
    rights = entitlements.current_rights(ids)
    plans = entitlements.current_plans(ids)
    owed: dict[int, list] = {link_id: [] for link_id in ids}
    if with_entitlements and ids:
        now = utcnow()
        status = entitlements.status_expression(now).label("status")
        rows = db.session.execute(
            select(Entitlement, status)
            .where(Entitlement.crime_id == crime.id)
            .order_by(Entitlement.triggered_at, Entitlement.id)
        )
        for ent, state in rows:
            owed[ent.crime_victim_id].append(
                {
                    "rule": ent.rule,
                    "code_version": ent.code_version,
                    "event_kind": ent.event_kind,
                    "triggered_at": ent.triggered_at,
                    "due_at": ent.due_at,
                    "status": state,
                    "met": ent.state == "met",
                    "met_at": ent.met_at,
                    "enhanced": ent.enhanced,
                }
            )
    return {
        "reference": crime.reference,
        "offence": crime.offence,
        "offence_group": crime.offence_group,
        "occurred_at": crime.occurred_at,
        "reported_at": crime.reported_at,
        "recorded_at": crime.recorded_at,
        "stage": crime.stage,
        "outcome": crime.outcome,
        "outcome_at": crime.outcome_at,
        "officer_in_charge": {
            "collar_number": crime.officer_in_charge.collar_number,
            "name": crime.officer_in_charge.name,
        },
        "team": crime.team.name,
        "cancellation": {"reason": crime.cancellation_reason, "at": crime.cancelled_at}
        if crime.cancelled_at
        else None,
        "incident": crime_incident_reference(crime),
        "updated_at": crime.source_updated_at,
        "victims": [
            {
                "victim_ref": link.source_ref,
                "name": link.victim.name,
                "account": accounts[link.victim_id],
                "enhanced_rights": [right.category for right in rights[link.id]],
                "contact_plan": _plan(plans.get(link.id)),
                "guardian": _guardian(recorded.get(link.id)),
                "entitlements": owed[link.id] if with_entitlements else None,
            }
            for link in links
        ],
    }


def crime_incident_reference(crime: Crime) -> str | None:
    if crime.incident_id is None:
        return None
    return db.session.scalar(select(Incident.reference).where(Incident.id == crime.incident_id))


def _plan(plan: ContactPlan | None) -> dict | None:
    if plan is None:
        return None
    return {
        "frequency_days": plan.frequency_days,
        "channel": plan.channel,
        "language": plan.language,
        "safe_to_contact": plan.safe_to_contact,
        "opted_out": plan.opted_out,
    }
