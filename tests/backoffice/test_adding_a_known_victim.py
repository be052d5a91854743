"""An officer adding a victim learns nothing about other teams' victims: an email address
already held elsewhere gets the same answer as an unknown one, the officer never sees
the other record, and the case joins her account only when she, signed in, says it is
hers. Additions are throttled, and every refusal is on the audit trail."""

import re

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, CrimeVictim, Victim
from tests import factories
from tests.conftest import activation_path
from tests.pages import PageClient
from tests.signed_in import sign_in_as


def _signed_in(app, user, portal: bool = False) -> PageClient:
    client = PageClient(app, portal=portal)
    sign_in_as(client, user)
    return client


def _form(email: str, name: str = "Ann Lee", born=("2", "3", "1990")) -> dict:
    return {
        "name": name,
        "date_of_birth": list(born),
        "email": email,
        "phone": "",
        "preferred_language": "en",
        "contact_channel": "email",
    }


def _shape(page) -> tuple:
    """What an answer says, with the addresses and ids that differ taken out."""
    body = page.main_text if page.soup.main else page.response.get_data(as_text=True)
    text = re.sub(r"\d+", "N", re.sub(r"\S+@example\.com", "EMAIL", body))
    location = re.sub(r"\d+", "N", page.response.headers.get("Location", ""))
    return page.status, location, text, sorted(page.response.headers.keys())


@pytest.fixture
def elsewhere(app, ctx):
    """Ann, a victim of another team's crime, with an account and a phone number that
    team recorded."""
    other_officer = factories.staff(name="Other Team Officer")
    link = factories.active_victim(factories.crime(other_officer), other_officer, name="Ann Elsewhere")
    link.victim.phone = "07700 900123"
    db.session.commit()
    return link


def test_a_known_address_gets_the_same_answer_as_an_unknown_one(app, ctx, elsewhere):
    officer = factories.staff()
    client = _signed_in(app, officer)
    answers = {}
    for label, email in (("known", elsewhere.victim.email), ("unknown", "nobody.known@example.com")):
        crime = factories.crime(officer)
        added = client.post(f"/backoffice/crimes/{crime.id}/victims/new", _form(email))
        shown = client.follow(added)
        link = db.session.scalar(select(CrimeVictim).where(CrimeVictim.crime_id == crime.id))
        invited = client.post(
            f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite",
            csrf_from=f"/backoffice/crimes/{crime.id}",
        )
        answers[label] = [_shape(added), _shape(shown), _shape(invited), _shape(client.follow(invited))]
        answers[label + " crime"] = crime
    assert answers["known"][0][0] == 302
    assert "Invitation sent to Ann Lee" in answers["known"][3][2]
    assert answers["known"] == answers["unknown"]

    # The officer sees what they typed, never the other team's record: no phone
    # number, no name from there, and the victim is not the other team's.
    crime = answers["known crime"]
    page = client.get(f"/backoffice/crimes/{crime.id}")
    assert "Ann Elsewhere" not in page.main_text and "07700 900123" not in page.main_text
    db.session.expire_all()
    added = db.session.scalar(select(CrimeVictim).where(CrimeVictim.crime_id == crime.id))
    assert added.victim_id != elsewhere.victim_id
    assert added.victim.same_as_id == elsewhere.victim_id


def test_guessing_the_date_of_birth_links_nobody(app, ctx, elsewhere):
    """The attack of the review: the right name and date of birth, and the link asked
    for, still make a record of its own on the officer's crime."""
    officer = factories.staff()
    crime = factories.crime(officer)
    client = _signed_in(app, officer)
    url = f"/backoffice/crimes/{crime.id}/victims/new"
    victim = elsewhere.victim
    born = (str(victim.date_of_birth.day), str(victim.date_of_birth.month), str(victim.date_of_birth.year))

    page = client.post(url, {**_form(victim.email, victim.name, born), "link_existing": "y"})
    assert page.status == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(CrimeVictim.victim_id == victim.id)) == 1
    portal = _signed_in(app, victim, portal=True)
    assert crime.reference not in portal.get("/cases").main_text


def test_the_victim_confirms_the_case_before_it_reaches_her_portal(app, ctx, elsewhere, messages):
    officer = factories.staff(name="New Team Officer")
    crime = factories.crime(officer, reference="55/00042/26")
    client = _signed_in(app, officer)
    client.post(f"/backoffice/crimes/{crime.id}/victims/new", _form(elsewhere.victim.email))
    added = db.session.scalar(select(CrimeVictim).where(CrimeVictim.crime_id == crime.id))
    portal = _signed_in(app, elsewhere.victim, portal=True)

    # Not invited yet: nothing to confirm, nothing of the crime on her list.
    assert "Is this your case?" not in portal.get("/cases").main_text
    client.post(
        f"/backoffice/crimes/{crime.id}/victims/{added.id}/invite", csrf_from=f"/backoffice/crimes/{crime.id}"
    )
    [invitation] = [m for m in messages() if m["kind"] == "invitation"]
    assert invitation["to"] == elsewhere.victim.email
    # The link in it says she has an account already: no second one is set up.
    landing = PageClient(app, portal=True).get(activation_path(invitation))
    assert landing.h1 == "You already have an account"
    assert landing.soup.find("input", attrs={"type": "password"}) is None

    cases = portal.get("/cases")
    assert "Is this your case?" in cases.main_text
    assert "New Team Officer" in cases.main_text
    assert "55/00042/26" not in cases.main_text
    assert portal.get(f"/cases/{added.public_id}").status == 404

    answered = portal.post(f"/cases/{added.public_id}/answer", {"confirm": "y"}, csrf_from="/cases")
    assert answered.status == 302
    cases = portal.follow(answered)
    assert "55/00042/26" in cases.main_text and "Is this your case?" not in cases.main_text
    assert portal.get(f"/cases/{added.public_id}").status == 200
    db.session.expire_all()
    assert db.session.get(CrimeVictim, added.id).victim_id == elsewhere.victim_id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "victim.case_confirmed"))
    assert (event.actor_type, event.actor_id) == ("victim", elsewhere.victim_id)


def test_a_case_she_declines_never_reaches_her(app, ctx, elsewhere, messages):
    officer = factories.staff()
    crime = factories.crime(officer, reference="55/00043/26")
    client = _signed_in(app, officer)
    client.post(f"/backoffice/crimes/{crime.id}/victims/new", _form(elsewhere.victim.email))
    added = db.session.scalar(select(CrimeVictim).where(CrimeVictim.crime_id == crime.id))
    invite = f"/backoffice/crimes/{crime.id}/victims/{added.id}/invite"
    client.post(invite, csrf_from=f"/backoffice/crimes/{crime.id}")
    portal = _signed_in(app, elsewhere.victim, portal=True)

    # Someone else's answer, or none, changes nothing.
    stranger = factories.active_victim(factories.crime(officer), officer)
    other = _signed_in(app, stranger.victim, portal=True)
    assert other.post(f"/cases/{added.public_id}/answer", {"confirm": "y"}, csrf_from="/cases").status == 404
    assert portal.post(f"/cases/{added.public_id}/answer", {}, csrf_from="/cases").status == 400

    declined = portal.post(f"/cases/{added.public_id}/answer", {"decline": "y"}, csrf_from="/cases")
    assert "Is this your case?" not in portal.follow(declined).main_text
    assert portal.post(f"/cases/{added.public_id}/answer", {"confirm": "y"}, csrf_from="/cases").status == 404
    before = len(messages())
    # The officer inviting again gets the usual answer, and she hears nothing more.
    again = client.post(invite, csrf_from=f"/backoffice/crimes/{crime.id}")
    assert "Invitation sent" in client.follow(again).main_text
    assert len(messages()) == before
    assert "55/00043/26" not in portal.get("/cases").main_text


def test_without_an_account_the_invitation_sets_up_hers_with_only_this_case(app, ctx, messages):
    """The other team's victim has no account: the invitation sets one up, holding the
    address, with this case only; the other team's case waits for her to confirm it
    once that team invites her."""
    other_officer = factories.staff()
    theirs = factories.victim(factories.crime(other_officer, reference="66/00001/26"), other_officer)
    officer = factories.staff()
    crime = factories.crime(officer, reference="55/00044/26")
    client = _signed_in(app, officer)
    client.post(f"/backoffice/crimes/{crime.id}/victims/new", _form(theirs.victim.email))
    added = db.session.scalar(select(CrimeVictim).where(CrimeVictim.crime_id == crime.id))
    client.post(
        f"/backoffice/crimes/{crime.id}/victims/{added.id}/invite", csrf_from=f"/backoffice/crimes/{crime.id}"
    )
    [invitation] = [m for m in messages() if m["kind"] == "invitation"]

    visitor = PageClient(app, portal=True)
    path = activation_path(invitation)
    assert (
        visitor.post(path, {"password": "a long new password", "confirm": "a long new password"}).status
        == 302
    )
    visitor.post("/sign-in", {"email": theirs.victim.email, "password": "a long new password"})
    cases = visitor.get("/cases")
    assert "55/00044/26" in cases.main_text
    assert "66/00001/26" not in cases.main_text and "Is this your case?" not in cases.main_text

    from shared.services import victim_accounts

    db.session.expire_all()
    victim_accounts.invite(db.session.get(CrimeVictim, theirs.id), by=other_officer)
    assert "Is this your case?" in visitor.get("/cases").main_text


def test_repeated_additions_are_throttled_and_refusals_audited(app, ctx, monkeypatch, elsewhere):
    monkeypatch.setitem(app.config, "VICTIM_ADD_LIMIT", "3 per hour")
    officer = factories.staff()
    crime = factories.crime(officer)
    client = _signed_in(app, officer)
    url = f"/backoffice/crimes/{crime.id}/victims/new"

    assert client.post(url, _form("one@example.com")).status == 302
    # The same address twice on one crime is refused, and the refusal kept.
    again = client.post(url, _form("one@example.com"))
    assert again.error_summary == ["A victim of this crime already has this email address"]
    assert client.post(url, _form(elsewhere.victim.email)).status == 302
    # The limit is reached for known and unknown addresses alike.
    for email in ("two@example.com", elsewhere.victim.email):
        page = client.post(url, _form(email))
        assert page.status == 429
        assert "You have added too many victims in a short time" in page.error_summary[0]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CrimeVictim)) == 3
    refusals = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "victim.add_refused").order_by(AuditEvent.id)
    ).all()
    assert refusals == ["already_on_crime", "throttled", "throttled"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "victim.add_refused"))
    assert (event.actor_type, event.actor_id, event.record_type, event.record_id) == (
        "staff",
        officer.id,
        "crime",
        str(crime.id),
    )
    # Another officer has a count of their own.
    colleague = _signed_in(app, factories.staff(officer.team))
    assert colleague.post(url, _form("three@example.com")).status == 302


def test_the_default_limit_allows_an_officer_s_day_and_stops_a_sweep(app):
    from limits import parse

    limit = parse(app.config["VICTIM_ADD_LIMIT"])
    assert 10 <= limit.amount <= 60 and limit.get_expiry() >= 3600
    assert Victim.__table__.c.email.unique is not True
