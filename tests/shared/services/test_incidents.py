"""The May 2023 recording rules at incident level: the crimes of one incident under a
principal crime, counted once, and the two exclusions waiting for a supervisor's
sign-off. Through the real services, on the real database."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, Incident
from shared.models.types import utcnow
from shared.services import calendar, incidents, reports
from shared.services.errors import ServiceError
from shared.services.unit_of_work import unit_of_work
from tests import factories


def _incident(team, reference="INC-0001", **kwargs) -> Incident:
    row = Incident(
        reference=reference,
        received_at=utcnow() - timedelta(days=2, hours=1),
        route="control_room",
        disclosed_crime=True,
        team=team,
        **kwargs,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_stalking_and_damage_in_one_incident_count_once_under_the_principal_crime(ctx):
    team = factories.team()
    officer = factories.staff(team)
    stalking = factories.crime(officer, offence="stalking")
    damage = factories.crime(officer, offence="criminal_damage")
    elsewhere = factories.crime(officer)
    incident = _incident(team)
    today = calendar.local_date(utcnow())
    before = reports.compliance(None, today - timedelta(days=30), today, "none").total.recording.recorded
    assert before == 3

    with unit_of_work():
        incidents.group_crimes(incident, [damage, stalking], stalking, officer)

    assert [crime.id for crime in incidents.crimes_of(incident)] == [stalking.id, damage.id]
    assert damage.principal_crime_id == stalking.id and stalking.principal_crime_id is None
    assert incident.offence_group == "violence"
    assert elsewhere.incident_id is None
    # The damage is still a crime under investigation, but the report counts the incident once.
    assert damage.stage == "under_investigation"
    report = reports.compliance(None, today - timedelta(days=30), today, "none")
    assert report.total.recording.recorded == 2
    linked = db.session.scalars(
        select(AuditEvent.record_id).where(AuditEvent.action == "crime.incident_linked")
    )
    assert sorted(linked) == sorted([str(stalking.id), str(damage.id)])


def test_a_principal_crime_not_among_the_incidents_crimes_is_refused_and_nothing_changes(ctx):
    team = factories.team()
    officer = factories.staff(team)
    one, other = factories.crime(officer), factories.crime(officer)
    incident = _incident(team)
    with pytest.raises(ServiceError), unit_of_work():
        incidents.group_crimes(incident, [one], other, officer)
    db.session.expire_all()
    assert one.incident_id is None and other.incident_id is None


def test_an_exclusion_waits_for_a_supervisor_of_the_incidents_team_to_sign_it_off(ctx):
    team = factories.team()
    officer = factories.staff(team)
    supervisor = factories.staff(team, roles=("supervisor",))
    other_supervisor = factories.staff(factories.team(), roles=("supervisor",))
    incident = _incident(team, closing_code="crime_not_recorded")
    decision = incidents.Decision(
        "offensive_message", "One rude message, no threat", utcnow() - timedelta(days=2), by_staff=officer
    )
    with unit_of_work():
        incidents.decide_not_to_record(incident, decision, officer)
    assert incident.awaiting_sign_off

    for refused in (officer, other_supervisor):
        with pytest.raises(ServiceError):
            incidents.sign_off(incident, refused)
    db.session.expire_all()
    assert incident.awaiting_sign_off

    incidents.sign_off(incident, supervisor)
    db.session.expire_all()
    assert not incident.awaiting_sign_off
    assert incident.signed_off_by_id == supervisor.id and incident.signed_off_at is not None
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "incident.signed_off", AuditEvent.record_id == str(incident.id)
        )
    )
    with pytest.raises(ServiceError):
        incidents.sign_off(incident, supervisor)

    # A changed written reason is a new decision: it needs signing off again.
    changed = incidents.Decision(
        "disturbance_over", "Over when we arrived", decision.at, by_name="Sgt Example", by_collar="S99"
    )
    with unit_of_work():
        incidents.decide_not_to_record(incident, changed, officer)
    assert incident.awaiting_sign_off and incident.not_recorded_by_collar == "S99"


def test_a_reason_that_is_not_an_exclusion_needs_no_sign_off(ctx):
    team = factories.team()
    officer = factories.staff(team)
    incident = _incident(team)
    decision = incidents.Decision("credible_evidence", "CCTV shows no assault", utcnow(), by_staff=officer)
    with unit_of_work():
        incidents.decide_not_to_record(incident, decision, officer)
    assert not incident.awaiting_sign_off and not incident.needs_sign_off
