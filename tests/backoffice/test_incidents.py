"""Incidents in the back office: a supervisor finds the exclusion awaiting sign-off,
reads what was reported and who decided, and signs it off; the Force Crime Registrar
reads every incident but signs nothing off; the crime links to its incident."""

from datetime import timedelta

from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, Incident
from shared.services import incidents
from shared.services.unit_of_work import unit_of_work
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as


def _world(ctx_team=None):
    team = ctx_team or factories.team()
    officer = factories.staff(team, roles=("officer",), name="Dewi Officer")
    stalking = factories.crime(officer, offence="stalking")
    damage = factories.crime(officer, offence="criminal_damage")
    recorded = Incident(
        reference="INC/2026/100001",
        received_at=stalking.reported_at - timedelta(hours=30),
        route="control_room",
        disclosed_crime=True,
        closing_code="crime_recorded",
        summary="Ex-partner keeps turning up; car scratched.",
        team=team,
    )
    excluded = Incident(
        reference="INC/2026/100002",
        received_at=stalking.reported_at,
        route="online",
        disclosed_crime=True,
        closing_code="crime_not_recorded",
        team=team,
    )
    db.session.add_all([recorded, excluded])
    db.session.commit()
    with unit_of_work():
        incidents.group_crimes(recorded, [stalking, damage], stalking, officer)
        incidents.decide_not_to_record(
            excluded,
            incidents.Decision(
                "offensive_message", "A rude post; no threat.", excluded.received_at, by_staff=officer
            ),
            officer,
        )
    return team, officer, stalking, damage, recorded, excluded


def test_a_supervisor_signs_off_an_exclusion_from_the_list_of_those_awaiting(app, ctx):
    team, _officer, stalking, damage, recorded, excluded = _world()
    supervisor = factories.staff(team, roles=("supervisor",), name="Sian Supervisor")
    client = PageClient(app)
    sign_in_as(client, supervisor)

    waiting = client.get("/backoffice/incidents?show=awaiting_sign_off")
    assert excluded.reference in waiting.main_text and recorded.reference not in waiting.main_text
    page = client.get(f"/backoffice/incidents/{excluded.reference}")
    assert "A message that may merely offend" in page.main_text
    assert "Dewi Officer" in page.main_text and "Awaiting sign-off" in page.main_text

    done = client.follow(
        client.post(
            f"/backoffice/incidents/{excluded.reference}/sign-off",
            csrf_from=f"/backoffice/incidents/{excluded.reference}",
        )
    )
    assert "Signed off by Sian Supervisor" in done.main_text
    db.session.expire_all()
    assert excluded.signed_off_by_id == supervisor.id
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "incident.signed_off",
            AuditEvent.record_id == str(excluded.id),
            AuditEvent.actor_id == supervisor.id,
        )
    )
    assert excluded.reference not in client.get("/backoffice/incidents?show=awaiting_sign_off").main_text

    # Signing off again is refused on the page, and nothing changes.
    signed_at = excluded.signed_off_at
    refused = client.post(
        f"/backoffice/incidents/{excluded.reference}/sign-off", csrf_from="/backoffice/incidents?route=online"
    )
    assert refused.status == 400
    assert refused.error_summary == ["This decision is not awaiting sign-off"]
    db.session.expire_all()
    assert excluded.signed_off_at == signed_at


def test_the_incident_shows_its_principal_crime_first_and_the_late_recording(app, ctx):
    team, _officer, stalking, damage, recorded, _excluded = _world()
    client = PageClient(app)
    sign_in_as(client, factories.staff(team, roles=("fcr",)))
    page = client.get(f"/backoffice/incidents/{recorded.reference}")
    rows = [row.get_text(" ", strip=True) for row in page.soup.select("tbody tr")]
    assert rows[0].startswith(stalking.reference) and "Principal crime" in rows[0]
    assert rows[1].startswith(damage.reference) and "Linked to the principal crime" in rows[1]
    assert "Recorded more than 24 hours after the report" in page.main_text
    crime_page = client.get(f"/backoffice/crimes/{damage.id}")
    assert f"/backoffice/incidents/{recorded.reference}" in crime_page.links("/backoffice/incidents/")
    assert "not counted again" in crime_page.main_text
    # The registrar reads every incident, and signs nothing off.
    refused = client.post("/backoffice/incidents/INC/2026/100002/sign-off", csrf_from="/backoffice/incidents")
    assert refused.status == 403


def test_the_list_filters_by_route_and_n100(app, ctx):
    team, _officer, _stalking, _damage, recorded, excluded = _world()
    n100 = Incident(
        reference="INC/2026/100003",
        received_at=recorded.received_at,
        route="front_counter",
        disclosed_crime=True,
        n100=True,
        team=team,
    )
    db.session.add(n100)
    db.session.commit()
    client = PageClient(app)
    sign_in_as(client, factories.staff(team, roles=("analyst",)))
    online = client.get("/backoffice/incidents?route=online").main_text
    assert excluded.reference in online and recorded.reference not in online
    n100s = client.get("/backoffice/incidents?show=n100").main_text
    assert n100.reference in n100s and excluded.reference not in n100s
    not_recorded = client.get("/backoffice/incidents?show=not_recorded").main_text
    assert excluded.reference in not_recorded and n100.reference not in not_recorded
    # An unknown filter shows everything rather than failing.
    assert recorded.reference in client.get("/backoffice/incidents?show=nonsense&route=x").main_text


def test_a_supervisor_enters_the_decision_not_to_record_with_a_written_reason(app, ctx):
    team, officer, stalking, _damage, recorded, excluded = _world()
    undecided = factories.undecided_incident(team, stalking.reported_at)
    db.session.commit()
    supervisor = factories.staff(team, roles=("supervisor",), name="Sian Supervisor")
    client = PageClient(app)
    sign_in_as(client, supervisor)
    form_path = f"/backoffice/incidents/{undecided.reference}/not-recorded"
    incident_page = client.get(f"/backoffice/incidents/{undecided.reference}")
    assert form_path in incident_page.links("/backoffice/incidents/")
    page = client.get(form_path)
    assert page.status == 200 and page.title.startswith("Decide not to record a crime")
    assert undecided.reference not in page.title

    # No reason, no written reason: both refused on the page; nothing kept.
    refused = client.post(form_path, {"reason": "", "note": "  "}, csrf_from=form_path)
    assert refused.status == 400
    assert refused.error_summary == ["Select why the crime is not being recorded"]
    refused = client.post(form_path, {"reason": "credible_evidence", "note": ""}, csrf_from=form_path)
    assert refused.error_summary == ["Enter the written reason for not recording a crime"]
    refused = client.post(form_path, {"reason": "made_up", "note": "Lent."}, csrf_from=form_path)
    assert refused.status == 400
    db.session.expire_all()
    assert undecided.not_recorded_reason is None

    done = client.follow(
        client.post(
            form_path,
            {"reason": "credible_evidence", "note": "The owner's son had lent the bike to a friend."},
            csrf_from=form_path,
        )
    )
    assert "Decision not to record entered" in done.main_text
    assert "Sian Supervisor" in done.main_text and "lent the bike" in done.main_text
    db.session.expire_all()
    assert (undecided.not_recorded_reason, undecided.not_recorded_by_id) == (
        "credible_evidence",
        supervisor.id,
    )
    assert not undecided.needs_sign_off
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "incident.not_recorded", AuditEvent.record_id == str(undecided.id)
        )
    )
    assert event.actor_id == supervisor.id and event.detail == "credible_evidence"

    # Once entered, the decision stands: entering another is refused, and nothing changes.
    again = client.post(
        form_path, {"reason": "no_crime_balance", "note": "Changed my mind"}, csrf_from=form_path
    )
    assert again.status == 400
    assert again.error_summary == ["A decision not to record has already been entered for this incident"]
    db.session.expire_all()
    assert undecided.not_recorded_reason == "credible_evidence"
    assert undecided.not_recorded_note == "The owner's son had lent the bike to a friend."


def test_no_decision_on_an_incident_with_a_crime_or_that_disclosed_none(app, ctx):
    team, _officer, stalking, _damage, recorded, _excluded = _world()
    quiet = factories.undecided_incident(team, stalking.reported_at, "INC/2026/100009")
    quiet.disclosed_crime = False
    db.session.commit()
    client = PageClient(app)
    sign_in_as(client, factories.staff(team, roles=("ddm",)))
    for incident, message in (
        (recorded, "A crime has been recorded from this incident: it cannot also be not recorded"),
        (quiet, "This incident did not disclose a possible crime: there is nothing to decide"),
    ):
        path = f"/backoffice/incidents/{incident.reference}/not-recorded"
        assert message in client.get(path).main_text
        refused = client.post(path, {"reason": "credible_evidence", "note": "No."}, csrf_from=path)
        assert refused.status == 400 and refused.error_summary == [message]
        db.session.expire_all()
        assert incident.not_recorded_reason is None
        assert path not in client.get(f"/backoffice/incidents/{incident.reference}").links("/backoffice/")


def test_an_exclusion_entered_in_the_back_office_waits_for_sign_off_and_others_cannot_decide(app, ctx):
    team, _officer, stalking, _damage, _recorded, _excluded = _world()
    undecided = factories.undecided_incident(team, stalking.reported_at)
    db.session.commit()
    path = f"/backoffice/incidents/{undecided.reference}/not-recorded"
    analyst = PageClient(app)
    sign_in_as(analyst, factories.staff(team, roles=("analyst",)))
    assert analyst.get(path).status == 403
    # A supervisor of another team does not see the incident at all.
    stranger = PageClient(app)
    sign_in_as(stranger, factories.staff(roles=("supervisor",)))
    assert stranger.get(path).status == 404
    fcr = PageClient(app)
    sign_in_as(fcr, factories.staff(roles=("fcr",)))
    fcr.post(path, {"reason": "disturbance_over", "note": "Gone when we arrived."}, csrf_from=path)
    db.session.expire_all()
    assert undecided.awaiting_sign_off


def test_a_supervisor_does_not_sign_off_an_exclusion_they_decided(app, ctx):
    team, _officer, stalking, _damage, _recorded, _excluded = _world()
    undecided = factories.undecided_incident(team, stalking.reported_at)
    db.session.commit()
    decider = factories.staff(team, roles=("supervisor",), name="Sian Supervisor")
    client = PageClient(app)
    sign_in_as(client, decider)
    path = f"/backoffice/incidents/{undecided.reference}"
    client.post(
        path + "/not-recorded",
        {"reason": "offensive_message", "note": "One rude post."},
        csrf_from=path + "/not-recorded",
    )
    page = client.get(path)
    assert "Awaiting sign-off" in page.main_text
    assert "Sign off the decision not to record" not in page.main_text
    refused = client.post(path + "/sign-off", csrf_from=path + "/not-recorded")
    assert refused.status == 400
    assert refused.error_summary == ["Another supervisor of the team signs off a decision you made"]
    db.session.expire_all()
    assert undecided.awaiting_sign_off

    other = PageClient(app)
    sign_in_as(other, factories.staff(team, roles=("supervisor",)))
    other.follow(other.post(path + "/sign-off", csrf_from=path))
    db.session.expire_all()
    assert not undecided.awaiting_sign_off
