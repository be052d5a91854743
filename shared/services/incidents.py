"""Incidents and the May 2023 recording rules at incident level (victims-code.md
section 6): the crimes of one incident grouped under a principal crime (the others
linked to it, still investigated, but not counted again), the decision not to record,
and the supervisor's sign-off that the two exclusions need. Also the back office's
reads: the incidents a member of staff may see, a page at a time, and one incident with
its crimes, principal first."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, select, true

from shared.domain.incident_reference import INCIDENT_ROUTES, NOT_RECORDED_REASONS, SIGN_OFF_REASONS
from shared.domain.permissions import sees_whole_force
from shared.extensions import db
from shared.models import Crime, Incident, StaffMember
from shared.models.types import utcnow
from shared.services import audit, pager
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l


def normalise_reference(reference: str) -> str:
    return (reference or "").strip().upper()


def held_incident(reference: str) -> Incident | None:
    return db.session.scalar(select(Incident).where(Incident.reference == normalise_reference(reference)))


# ------------------------------------------------------------------ principal crime


def group_crimes(incident: Incident, crimes: list[Crime], principal: Crime | None, by: Actor) -> bool:
    """Make `crimes` the crimes recorded from `incident`, under `principal` (one of
    them): the principal links to no other, the others link to it. Crimes linked before
    and no longer named are unlinked. The incident's offence group becomes its principal
    crime's (the audit's stratum). True when anything changed; each change audited."""
    if crimes and principal not in crimes:
        raise ServiceError("The principal crime must be one of the incident's crimes", "principal_crime")
    changed = False
    named = {crime.id for crime in crimes}
    for crime in crimes_of(incident):
        if crime.id not in named:
            crime.incident_id, crime.principal_crime_id = None, None
            audit.record("crime.incident_unlinked", "crime", crime.id, detail=incident.reference, actor=by)
            changed = True
    for crime in crimes:
        wanted = None if principal is None or crime is principal else principal.id
        if crime.incident_id != incident.id or crime.principal_crime_id != wanted:
            crime.incident_id, crime.principal_crime_id = incident.id, wanted
            audit.record(
                "crime.incident_linked",
                "crime",
                crime.id,
                detail=f"{incident.reference}, {'principal' if wanted is None else f'under crime {wanted}'}",
                actor=by,
            )
            changed = True
    if principal is not None and incident.offence_group != principal.offence_group:
        incident.offence_group = principal.offence_group
        changed = True
    return changed


def attach_crime(crime: Crime, incident: Incident, by: Actor) -> bool:
    """Link a crime to the incident it was recorded from: it becomes the incident's
    principal crime when the incident has none yet, and is linked under the principal
    otherwise. True when anything changed."""
    if crime.incident_id == incident.id:
        return False
    principal = db.session.scalar(
        select(Crime).where(
            Crime.incident_id == incident.id, Crime.principal_crime_id.is_(None), Crime.id != crime.id
        )
    )
    crime.incident_id = incident.id
    crime.principal_crime_id = None if principal is None else principal.id
    if principal is None:
        incident.offence_group = crime.offence_group
    if incident.team_id is None:
        incident.team_id = crime.team_id
    audit.record("crime.incident_linked", "crime", crime.id, detail=incident.reference, actor=by)
    return True


def crimes_of(incident: Incident) -> list[Crime]:
    """The crimes recorded from the incident, its principal crime first."""
    if incident.id is None:
        return []
    return list(
        db.session.scalars(
            select(Crime)
            .where(Crime.incident_id == incident.id)
            .order_by(case((Crime.principal_crime_id.is_(None), 0), else_=1), Crime.recorded_at, Crime.id)
        )
    )


# ------------------------------------------------------------- not recording a crime


@dataclass(frozen=True)
class Decision:
    """A decision not to record: the reason (NOT_RECORDED_REASONS), the written reason,
    when, and who made it: a member of staff, or the name and collar number the records
    system gave."""

    reason: str
    note: str
    at: datetime
    by_staff: StaffMember | None = None
    by_name: str | None = None
    by_collar: str | None = None


def decide_not_to_record(incident: Incident, decision: Decision, by: Actor) -> bool:
    """Keep the decision not to record. One of the May 2023 exclusions waits for a
    supervisor's sign-off; a changed decision needs signing off again. True when it
    changed."""
    by_id = decision.by_staff.id if decision.by_staff is not None else None
    same = (
        incident.not_recorded_reason == decision.reason
        and incident.not_recorded_note == decision.note
        and incident.not_recorded_at == decision.at
        and incident.not_recorded_by_id == by_id
        and incident.not_recorded_by_name == decision.by_name
        and incident.not_recorded_by_collar == decision.by_collar
    )
    if same:
        return False
    if incident.not_recorded_reason != decision.reason or incident.not_recorded_note != decision.note:
        incident.signed_off_at, incident.signed_off_by_id = None, None
    incident.not_recorded_reason = decision.reason
    incident.not_recorded_note = decision.note
    incident.not_recorded_at = decision.at
    incident.not_recorded_by_id = by_id
    incident.not_recorded_by_name = decision.by_name
    incident.not_recorded_by_collar = decision.by_collar
    incident.needs_sign_off = decision.reason in SIGN_OFF_REASONS
    audit.record("incident.not_recorded", "incident", incident.id, detail=decision.reason, actor=by)
    return True


MAX_NOTE = 2000


def why_no_decision(incident: Incident) -> str | None:
    """Why a decision not to record cannot be entered on this incident now, or None when
    it can: only an incident that disclosed a possible crime, with no crime recorded from
    it and no decision yet, takes one."""
    if incident.not_recorded_reason is not None:
        return _l("A decision not to record has already been entered for this incident")
    if not incident.disclosed_crime:
        return _l("This incident did not disclose a possible crime: there is nothing to decide")
    if crimes_of(incident):
        return _l("A crime has been recorded from this incident: it cannot also be not recorded")
    return None


@transactional
def enter_decision(incident: Incident, reason: str, note: str, staff: StaffMember) -> None:
    """A member of staff allowed to (incidents.decide) enters the decision not to record
    a crime the incident disclosed, with the written reason, as its decider. The back
    office never changes a decision once entered. Raises ServiceError, changing nothing."""
    refused = why_no_decision(incident)
    if refused is not None:
        raise ServiceError(refused)
    if reason not in NOT_RECORDED_REASONS:
        raise ServiceError(_l("Select why the crime is not being recorded"), "reason")
    note = (note or "").strip()
    if not note:
        raise ServiceError(_l("Enter the written reason for not recording a crime"), "note")
    if len(note) > MAX_NOTE:
        raise ServiceError(_l("The written reason must be %(max)d characters or fewer", max=MAX_NOTE), "note")
    if incident.team_id is None:
        # A supervisor of the decider's team signs off an exclusion.
        incident.team_id = staff.team_id
    decide_not_to_record(incident, Decision(reason, note, utcnow(), by_staff=staff), staff)


def may_sign_off(incident: Incident, staff: StaffMember) -> bool:
    """A supervisor of the incident's team signs off its exclusion: never one they
    decided themselves."""
    return (
        "supervisor" in staff.roles
        and incident.team_id is not None
        and incident.team_id == staff.team_id
        and incident.not_recorded_by_id != staff.id
    )


@transactional
def sign_off(incident: Incident, supervisor: StaffMember) -> None:
    """A supervisor of the incident's team signs off the exclusion it was not recorded
    under. Raises ServiceError when there is nothing to sign off or it is not theirs."""
    if incident.not_recorded_by_id == supervisor.id:
        raise ServiceError(_l("Another supervisor of the team signs off a decision you made"))
    if not may_sign_off(incident, supervisor):
        raise ServiceError(_l("Only a supervisor of the incident’s team can sign off this decision"))
    if not incident.awaiting_sign_off:
        raise ServiceError(_l("This decision is not awaiting sign-off"))
    incident.signed_off_at, incident.signed_off_by_id = utcnow(), supervisor.id
    audit.record("incident.signed_off", "incident", incident.id, detail=incident.not_recorded_reason)


# -------------------------------------------------------------------------- reading


def in_scope(staff: StaffMember) -> ColumnElement[bool]:
    """The incidents this member of staff may see: the whole force's for the roles that
    see every crime; their own team's for a supervisor, as with crimes."""
    if sees_whole_force(staff):
        return true()
    return Incident.team_id == staff.team_id


def get_incident(reference: str, staff: StaffMember) -> Incident | None:
    """The incident when `staff` may see it, else None (one outside their scope is as
    one that does not exist)."""
    return db.session.scalar(
        select(Incident).where(Incident.reference == normalise_reference(reference), in_scope(staff))
    )


FILTERS = ("not_recorded", "n100", "awaiting_sign_off")


@dataclass(frozen=True)
class IncidentFilter:
    route: str | None = None
    show: str | None = None  # one of FILTERS

    @classmethod
    def read(cls, route: str | None, show: str | None) -> "IncidentFilter":
        return cls(route if route in INCIDENT_ROUTES else None, show if show in FILTERS else None)


def _filtered(staff: StaffMember, wanted: IncidentFilter) -> Select:
    stmt = select(Incident).where(in_scope(staff))
    if wanted.route:
        stmt = stmt.where(Incident.route == wanted.route)
    if wanted.show == "not_recorded":
        stmt = stmt.where(Incident.not_recorded_reason.is_not(None))
    elif wanted.show == "n100":
        stmt = stmt.where(Incident.n100.is_(True))
    elif wanted.show == "awaiting_sign_off":
        stmt = stmt.where(Incident.needs_sign_off.is_(True), Incident.signed_off_at.is_(None))
    return stmt.order_by(Incident.received_at.desc(), Incident.id.desc())


def list_incidents(staff: StaffMember, wanted: IncidentFilter, page: int, per_page: int) -> Page:
    """The incidents `staff` may see, newest first, filtered. Two queries."""
    return pager.fetch_page(_filtered(staff, wanted), page, per_page)


def recorded_late(incident: Incident, crimes: list[Crime]) -> bool:
    """Whether the principal crime was recorded more than 24 hours after the incident
    was received (the 24-hour rule)."""
    principal = next((crime for crime in crimes if crime.principal_crime_id is None), None)
    return principal is not None and (principal.recorded_at - incident.received_at).total_seconds() > 86400
