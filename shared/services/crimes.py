"""Recording crimes, finding them, and moving them through the investigation."""

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select, true

from shared.domain.permissions import CASE_HOLDING_ROLES, can_hold_cases, sees_whole_force
from shared.domain.reference_data import FINAL_STAGES, OFFENCES, OUTCOMES, STAGES
from shared.extensions import db
from shared.models import Crime, InvestigationUpdate, StaffMember, StaffRole
from shared.models.types import utcnow
from shared.services import actors, audit, decision_factors, entitlements, out_of_court, outbox, pager
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

REFERENCE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9/-]{3,29}$")


def normalise_reference(reference: str) -> str:
    return (reference or "").strip().upper()


@transactional
def record_crime(
    *,
    reference: str,
    offence: str,
    occurred_at: datetime,
    reported_at: datetime,
    officer_in_charge: StaffMember,
    stage: str,
    by: Actor,
    recorded_at: datetime | None = None,
    source_updated_at: datetime | None = None,
) -> Crime:
    """Record a new crime and commit. Raises ServiceError for a reference already used,
    an unknown offence or stage, or times that cannot be right. A crime pushed by a
    records system keeps the time it was recorded there (`recorded_at`) and the time it
    last changed there (`source_updated_at`)."""
    reference = normalise_reference(reference)
    refuse_unless_can_hold(officer_in_charge, "officer_in_charge")
    now = utcnow()
    check_new(reference, offence, stage, occurred_at, reported_at, recorded_at, now)
    if db.session.scalar(select(Crime.id).where(Crime.reference == reference)) is not None:
        raise ServiceError(_l("A crime with this reference is already recorded"), "reference")
    crime = Crime(
        reference=reference,
        offence=offence,
        offence_group=OFFENCES[offence].group,
        occurred_at=occurred_at,
        reported_at=reported_at,
        recorded_at=recorded_at or now,
        stage=stage,
        officer_in_charge_id=officer_in_charge.id,
        team_id=officer_in_charge.team_id,
        source_updated_at=source_updated_at,
    )
    db.session.add(crime)
    db.session.flush()
    audit.record("crime.record", "crime", crime.id, actor=by)
    return crime


def check_new(
    reference: str,
    offence: str,
    stage: str,
    occurred_at: datetime,
    reported_at: datetime,
    recorded_at: datetime | None,
    now: datetime,
) -> None:
    """What `record_crime` asks of a new crime (its reference normalised) before looking
    at the database: raises ServiceError."""
    if not REFERENCE_PATTERN.match(reference):
        raise ServiceError(
            _l("Enter a crime reference of 4 to 30 letters, numbers, hyphens or slashes"),
            "reference",
        )
    if offence not in OFFENCES:
        raise ServiceError(_l("Select the offence"), "offence")
    if stage not in STAGES or stage in FINAL_STAGES:
        raise ServiceError(_l("Select the stage"), "stage")
    if reported_at > now:
        raise ServiceError(_l("The date reported must be today or in the past"), "reported_date")
    if occurred_at > reported_at:
        raise ServiceError(
            _l("The date the crime happened must be on or before the date it was reported"),
            "occurred_date",
        )
    if recorded_at is not None and not reported_at <= recorded_at <= now:
        raise ServiceError(
            _l("The date recorded must be on or after the date reported, and not in the future"),
            "recorded_at",
        )


def in_scope(staff: StaffMember) -> ColumnElement[bool]:
    """The SQL condition for the crimes this member of staff may see: the whole force
    for a DDM, the force crime registrar and analysts; their own team's otherwise."""
    if sees_whole_force(staff):
        return true()
    return Crime.team_id == staff.team_id


def get_crime(crime_id: int, staff: StaffMember) -> Crime | None:
    """The crime when `staff` may see it, else None (so a crime outside their scope is
    indistinguishable from one that does not exist)."""
    return db.session.scalar(select(Crime).where(Crime.id == crime_id, in_scope(staff)))


def refuse_unless_can_hold(officer: StaffMember | None, field: str) -> None:
    """Raises ServiceError on `field` unless `officer` is an active member of staff whose
    roles let them take a case (an officer or a supervisor): a crime in the hands of
    anyone else, an analyst or the Commissioner's office, is one nobody can work."""
    if officer is None or not officer.active or not can_hold_cases(officer):
        raise ServiceError(_l("Select an officer or supervisor: only they can take a case"), field)


def officers_of_team(team_id: int) -> list[StaffMember]:
    """The active members of the team who can take a case (officers and supervisors),
    by name."""
    holds = select(StaffRole.staff_id).where(StaffRole.role.in_(sorted(CASE_HOLDING_ROLES)))
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(
                StaffMember.team_id == team_id,
                StaffMember.active.is_(True),
                StaffMember.id.in_(holds),
            )
            .order_by(StaffMember.name)
        )
    )


def list_cases(staff: StaffMember, query: str | None, page: int, per_page: int, mine: bool = True) -> Page:
    """Crimes newest first: the officer's own cases when `mine`, else every crime they
    may see; with `query`, the crimes they may see whose reference starts with it. A page
    past the end gives the last one, so an officer with cases is never told they have
    none. Two queries."""
    stmt = select(Crime).where(in_scope(staff))
    if query:
        escaped = normalise_reference(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Crime.reference.like(escaped + "%", escape="\\"))
    elif mine:
        stmt = stmt.where(Crime.officer_in_charge_id == staff.id)
    return pager.fetch_page(stmt.order_by(Crime.recorded_at.desc(), Crime.id.desc()), page, per_page)


@transactional
def change_officer(crime: Crime, officer: StaffMember | None, by: StaffMember) -> None:
    """Make `officer`, an active member of the crime's team who can take a case, its
    officer in charge, and commit. The victim's page names them from now on, and the
    victim's new messages go to them (the thread goes with the case). Raises ServiceError
    otherwise."""
    if officer is None or not officer.active or officer.team_id != crime.team_id:
        raise ServiceError(_l("Select an officer from the crime’s team"), "officer")
    refuse_unless_can_hold(officer, "officer")
    if officer.id == crime.officer_in_charge_id:
        raise ServiceError(_l("This officer is already in charge of the crime"), "officer")
    before = crime.officer_in_charge_id
    crime.officer_in_charge_id = officer.id
    audit.record(
        "crime.reassigned", "crime", crime.id, detail=f"staff {before} to staff {officer.id}", actor=by
    )
    # Reloaded so that the crime names its new officer, not the one it had loaded.
    db.session.flush()
    db.session.refresh(crime)


def refuse_if_cancelled(crime: Crime) -> None:
    """Raises ServiceError: a cancelled crime record is not investigated any further."""
    if crime.cancelled_at is not None:
        raise ServiceError(_l("This crime record has been cancelled"))


@transactional
def change_stage(
    crime: Crime, stage: str, victim_text: str | None, visible: bool, by: Actor
) -> InvestigationUpdate:
    """Move the crime to `stage`, keep the change in its history, and commit."""
    if stage not in STAGES or stage in FINAL_STAGES:
        raise ServiceError(_l("Select the stage"), "stage")
    if stage == crime.stage:
        raise ServiceError(_l("The crime is already at this stage"), "stage")
    refuse_if_cancelled(crime)
    crime.stage = stage
    update = InvestigationUpdate(
        crime_id=crime.id,
        kind="stage_change",
        victim_text=victim_text or None,
        visible_to_victim=visible,
        new_stage=stage,
        **actors.written_by(by),
        created_at=utcnow(),
    )
    db.session.add(update)
    db.session.flush()
    if visible:
        entitlements.on_visible_update(crime, update)
        outbox.notify_victims(crime)
    audit.record("crime.stage", "crime", crime.id, detail=stage, actor=by)
    return update


@transactional
def record_outcome(
    crime: Crime,
    outcome: int,
    victim_text: str | None,
    visible: bool,
    by: Actor,
    out_of_court_capture: out_of_court.Capture | None = None,
    factors: Sequence[str] | None = None,
) -> InvestigationUpdate:
    """Record the Home Office outcome, finish the investigation and commit. A charge
    (outcome 1) moves the crime to the charged stage; any other outcome closes it. The
    victims are owed being told of it (shared.services.entitlements.on_outcome). An
    out-of-court disposal needs its capture (shared.services.out_of_court); an outcome
    that is a decision not to investigate further, the force's `factors` it rests on
    (shared.services.decision_factors)."""
    if outcome not in OUTCOMES:
        raise ServiceError(_l("Select the outcome"), "outcome")
    refuse_if_cancelled(crime)
    factors = decision_factors.checked(decision_factors.is_decision("outcome", outcome), factors, by)
    out_of_court.record(crime, outcome, out_of_court_capture, by)
    crime.outcome = outcome
    crime.outcome_at = utcnow()
    crime.stage = "charged" if outcome == 1 else "closed"
    update = InvestigationUpdate(
        crime_id=crime.id,
        kind="outcome",
        victim_text=victim_text or None,
        visible_to_victim=visible,
        new_stage=crime.stage,
        new_outcome=outcome,
        **actors.written_by(by),
        created_at=crime.outcome_at,
    )
    db.session.add(update)
    db.session.flush()
    decision_factors.record(update, factors)
    if visible:
        entitlements.on_visible_update(crime, update)
        outbox.notify_victims(crime)
    entitlements.on_outcome(crime, update, by)
    audit.record("crime.outcome", "crime", crime.id, detail=str(outcome), actor=by)
    return update
