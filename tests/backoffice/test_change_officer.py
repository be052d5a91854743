"""A supervisor hands a crime to another officer of the team: the victim's page names
the new officer in charge, and the change is on the audit trail."""

from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, Crime
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
