"""A supervisor hands a crime to another officer of the team: the victim's page names
the new officer in charge, and the change is on the audit trail."""

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, Crime
from shared.services import crimes
from shared.services.errors import ServiceError
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as


def _signed_in(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def test_a_supervisor_changes_the_officer_in_charge(app, ctx, victim_client):
    first = factories.staff(name="First Officer")
    second = factories.staff(first.team, name="Second Officer")
    supervisor = factories.staff(first.team, roles=("officer", "supervisor"), name="Team Supervisor")
    crime = factories.crime(first)
    link = factories.active_victim(crime, first)
    client = _signed_in(app, supervisor)
    path = f"/backoffice/crimes/{crime.id}/officer"

    form = client.get(path)
    assert form.status == 200 and form.h1 == "Change the officer in charge"
    options = [o.get_text() for o in form.soup.select("select#officer option")]
    assert any("Second Officer" in o for o in options)
    assert not any("First Officer" in o for o in options)  # already in charge

    page = client.post(path, {"officer": str(second.id)})
    assert page.status == 302
    assert "Second Officer is now the officer in charge" in client.follow(page).main_text
    db.session.expire_all()
    assert db.session.get(Crime, crime.id).officer_in_charge_id == second.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "crime.reassigned"))
    assert event.actor_id == supervisor.id and event.record_id == str(crime.id)

    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    assert (
        f"Second Officer, collar number {second.collar_number}"
        in victim_client.get(f"/cases/{link.public_id}").main_text
    )


def test_only_an_active_officer_of_the_crime_s_team_can_take_it_over(app, ctx):
    first = factories.staff(name="First Officer")
    supervisor = factories.staff(first.team, roles=("officer", "supervisor"))
    elsewhere = factories.staff(name="Other Team Officer")
    crime = factories.crime(first)
    client = _signed_in(app, supervisor)
    path = f"/backoffice/crimes/{crime.id}/officer"

    for value in ("", str(elsewhere.id), "not-a-number", str(first.id)):
        page = client.post(path, {"officer": value})
        assert page.status == 400, value
        assert page.error_summary, value
    db.session.expire_all()
    assert db.session.get(Crime, crime.id).officer_in_charge_id == first.id


def test_an_officer_cannot_hand_their_crime_to_someone_else(app, ctx):
    first = factories.staff()
    second = factories.staff(first.team)
    crime = factories.crime(first)
    client = _signed_in(app, first)
    assert client.get(f"/backoffice/crimes/{crime.id}").soup.find(string="Change officer in charge") is None
    page = client.post(
        f"/backoffice/crimes/{crime.id}/officer",
        {"officer": str(second.id)},
        csrf_from=f"/backoffice/crimes/{crime.id}",
    )
    assert page.status == 403
    db.session.expire_all()
    assert db.session.get(Crime, crime.id).officer_in_charge_id == first.id


def test_only_staff_who_can_take_a_case_are_offered_or_accepted(app, ctx):
    """The Commissioner's office, an analyst or an administrator in the team is neither
    listed nor accepted: a crime in their hands is one nobody can work."""
    first = factories.staff(name="First Officer")
    supervisor = factories.staff(first.team, roles=("officer", "supervisor"), name="Team Supervisor")
    pcc = factories.staff(first.team, roles=("pcc",), name="Commissioner Office")
    analyst = factories.staff(first.team, roles=("analyst",), name="Team Analyst")
    second = factories.staff(first.team, roles=("supervisor",), name="Second Supervisor")
    crime = factories.crime(first)
    client = _signed_in(app, supervisor)
    path = f"/backoffice/crimes/{crime.id}/officer"

    options = [o.get_text() for o in client.get(path).soup.select("select#officer option")]
    assert any("Second Supervisor" in o for o in options)
    assert any("Team Supervisor" in o for o in options)
    assert not any("Commissioner Office" in o or "Team Analyst" in o for o in options)

    for refused in (pcc, analyst):
        page = client.post(path, {"officer": str(refused.id)})
        assert page.status == 400
        assert page.error_summary
    db.session.expire_all()
    assert db.session.get(Crime, crime.id).officer_in_charge_id == first.id

    # The crime recording form offers the same people.
    record = client.get("/backoffice/crimes/new")
    offered = [o.get_text() for o in record.soup.select("select#officer_in_charge option")]
    assert any("Second Supervisor" in o for o in offered)
    assert not any("Commissioner Office" in o or "Team Analyst" in o for o in offered)
    assert client.post(path, {"officer": str(second.id)}).status == 302


def test_the_service_refuses_a_case_to_someone_who_cannot_take_it(app, ctx):
    first = factories.staff()
    supervisor = factories.staff(first.team, roles=("officer", "supervisor"))
    pcc = factories.staff(first.team, roles=("pcc",))
    crime = factories.crime(first)
    with pytest.raises(ServiceError) as refused:
        crimes.change_officer(crime, pcc, supervisor)
    assert refused.value.field == "officer"
    db.session.expire_all()
    assert db.session.get(Crime, crime.id).officer_in_charge_id == first.id
