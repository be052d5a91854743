"""Incidents pushed by a force's records system (`POST /api/v1/incidents`, `flask
import-crimes --incidents`), and the incident read back.

As with crimes (shared.services.records), a write is an upsert by the incident
reference: the same incident pushed twice changes nothing the second time, and a version
older than the one held (`updated_at`) is ignored and logged. Everything named is
checked before anything is written: an unknown crime, team or decider is refused
(ServiceError, HTTP 422) and nothing changes.
"""

from sqlalchemy import func, select

from shared.domain.incident_reference import SIGN_OFF_REASONS
from shared.extensions import db
from shared.models import ApiClient, Crime, Incident, StaffMember, Team
from shared.services import audit, incidents
from shared.services.errors import ServiceError
from shared.services.incident_input import IncidentIn, NotRecordedIn
from shared.services.records import NotFound, Written, _race_retried, _version_held, held_crime
from shared.services.unit_of_work import transactional


@_race_retried
def load_incident(data: IncidentIn, by: ApiClient) -> Written:
    """`upsert_incident` as the bulk import runs it: a unit of work of its own, tried
    again when it loses a race."""
    return upsert_incident(data, by)


def incident_by_reference(reference: str) -> Incident:
    incident = incidents.held_incident(reference)
    if incident is None:
        raise NotFound("No incident has this reference")
    return incident


def _crimes(data: IncidentIn) -> tuple[list[Crime], Crime | None]:
    found: list[Crime] = []
    for index, reference in enumerate(data.crimes or []):
        crime = held_crime(reference)
        if crime is None:
            raise ServiceError(
                f"No crime has the reference {reference}: send the crime first", f"crimes/{index}"
            )
        if crime not in found:
            found.append(crime)
    if data.principal_crime is None:
        return found, (found[0] if found else None)
    principal = held_crime(data.principal_crime)
    if principal is None or principal not in found:
        raise ServiceError("The principal crime must be one of the incident's crimes", "principal_crime")
    return found, principal


def _team(name: str | None) -> Team | None:
    if name is None:
        return None
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise ServiceError(f"No team is called {name}", "team")
    return team


def _decision(given: NotRecordedIn | None) -> incidents.Decision | None:
    if given is None:
        return None
    staff = db.session.scalar(
        select(StaffMember).where(func.upper(StaffMember.collar_number) == given.decided_by.upper())
    )
    if staff is None and given.decided_by_name is None:
        raise ServiceError(
            f"No member of staff has collar number {given.decided_by}: give their name as well",
            "not_recorded/decided_by_name",
        )
    return incidents.Decision(
        reason=given.reason,
        note=given.note,
        at=given.decided_at,
        by_staff=staff,
        by_name=None if staff is not None else given.decided_by_name,
        by_collar=None if staff is not None else given.decided_by.upper(),
    )


def check_incident(data: IncidentIn) -> None:
    if data.n100 is not None and (data.n100.resolution is None) != (data.n100.resolved_at is None):
        raise ServiceError("Give both the N100's resolution and when it was resolved, or neither", "n100")
    if data.not_recorded is not None and data.not_recorded.decided_at < data.received_at:
        raise ServiceError(
            "The decision cannot come before the incident was received", "not_recorded/decided_at"
        )


@transactional
def upsert_incident(data: IncidentIn, by: ApiClient) -> Written[Incident]:
    """Create the incident the first time its reference is seen; after that, bring it up
    to date. Its crimes are grouped under the principal crime; a decision not to record
    under a May 2023 exclusion waits for a supervisor's sign-off. Raises ServiceError."""
    check_incident(data)
    crimes, principal = _crimes(data)
    # The incident's team: the one named, else its principal crime's, else the team of
    # whoever decided not to record; a supervisor of that team signs off an exclusion.
    team = _team(data.team) or (principal.team if principal is not None else None)
    decision = _decision(data.not_recorded)
    if team is None and decision is not None and decision.by_staff is not None:
        team = decision.by_staff.team
    reference = incidents.normalise_reference(data.reference)
    incident = incidents.held_incident(reference)
    created = incident is None
    if incident is None:
        incident = Incident(reference=reference, received_at=data.received_at, route=data.route)
        db.session.add(incident)
        # Another writer holding the same reference fails the unique key here: the unit
        # is rolled back and tried again (records._race_retried), and finds the incident.
        db.session.flush()
        audit.record("incident.create", "incident", incident.id, actor=by)
    else:
        held = _version_held("incident", incident.id, data.updated_at, incident.source_updated_at, by)
        if held is not None:
            return Written(held, incident)
    changed = _apply(incident, data, team)
    if data.crimes is not None:
        changed = incidents.group_crimes(incident, crimes, principal, by) or changed
    if decision is not None:
        changed = incidents.decide_not_to_record(incident, decision, by) or changed
    elif incident.not_recorded_reason is not None:
        _clear_decision(incident)
        changed = True
    if changed and not created:
        audit.record("incident.update", "incident", incident.id, actor=by)
    incident.source_updated_at = data.updated_at
    return Written("created" if created else "updated" if changed else "unchanged", incident)


def _apply(incident: Incident, data: IncidentIn, team: Team | None) -> bool:
    wanted = {
        "received_at": data.received_at,
        "route": data.route,
        "disclosed_crime": data.disclosed_crime,
        "summary": data.summary,
        "closing_code": data.closing_code,
        # A team named (or found) replaces the one held; none leaves it as it is.
        "team_id": team.id if team is not None else incident.team_id,
        "n100": data.n100 is not None,
        "n100_resolution": data.n100.resolution if data.n100 else None,
        "n100_resolved_at": data.n100.resolved_at if data.n100 else None,
    }
    if not data.crimes and not incidents.crimes_of(incident):
        # Once crimes are recorded, the stratum is the principal crime's offence group.
        wanted["offence_group"] = data.offence_group
    changed = False
    for name, value in wanted.items():
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed = True
    if team is not None and incident.team is not team:
        incident.team = team
    return changed


def _clear_decision(incident: Incident) -> None:
    for name in (
        "not_recorded_reason",
        "not_recorded_note",
        "not_recorded_at",
        "not_recorded_by_id",
        "not_recorded_by_name",
        "not_recorded_by_collar",
        "signed_off_at",
        "signed_off_by_id",
    ):
        setattr(incident, name, None)
    incident.needs_sign_off = False


def link_crime(crime: Crime, reference: str, by: ApiClient) -> bool:
    """Link a pushed crime to the incident it names. Raises ServiceError when no
    incident has that reference."""
    incident = incidents.held_incident(reference)
    if incident is None:
        raise ServiceError(f"No incident has the reference {reference}: send the incident first", "incident")
    return incidents.attach_crime(crime, incident, by)


def incident_status(incident: Incident) -> dict:
    """The incident, its crimes (principal first), its decision not to record and its
    N100 resolution. Three queries at most."""
    crimes = incidents.crimes_of(incident)
    decided_by = None
    if incident.not_recorded_reason is not None:
        decided_by = (
            incident.not_recorded_by.collar_number
            if incident.not_recorded_by is not None
            else incident.not_recorded_by_collar
        )
    return {
        "reference": incident.reference,
        "received_at": incident.received_at,
        "route": incident.route,
        "disclosed_crime": incident.disclosed_crime,
        "offence_group": incident.offence_group,
        "closing_code": incident.closing_code,
        "team": incident.team.name if incident.team is not None else None,
        "crimes": [
            {
                "reference": crime.reference,
                "offence": crime.offence,
                "principal": crime.principal_crime_id is None,
                "recorded_at": crime.recorded_at,
            }
            for crime in crimes
        ],
        "not_recorded": None
        if incident.not_recorded_reason is None
        else {
            "reason": incident.not_recorded_reason,
            "note": incident.not_recorded_note,
            "decided_at": incident.not_recorded_at,
            "decided_by": decided_by,
            "sign_off": "not_needed"
            if incident.not_recorded_reason not in SIGN_OFF_REASONS
            else "signed_off"
            if incident.signed_off_at is not None
            else "awaiting",
            "signed_off_at": incident.signed_off_at,
        },
        "n100": {"resolution": incident.n100_resolution, "resolved_at": incident.n100_resolved_at}
        if incident.n100
        else None,
        "updated_at": incident.source_updated_at,
    }
