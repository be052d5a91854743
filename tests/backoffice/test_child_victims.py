"""A victim under 18: the parent or guardian who receives the rights is recorded in the
back office, with who recorded them and when; the portal account can be theirs, and
they follow the child's case in it until the child turns 18; where the force allows it,
a child of 12 or more may be contacted directly, and who is contacted is recorded."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, Guardian, OutboxMessage, Victim
from shared.services import guardians, updates
from tests import factories
from tests.conftest import activation_path
from tests.outbox_helpers import outbox_rows


def _form(**changes) -> dict:
    return {
        "name": "Pat Parent",
        "relationship": "parent",
        "email": "pat.parent@example.com",
        "phone": "07700 900555",
        "holds_account": "yes",
        **changes,
    }


@pytest.fixture
def direct_contact(app):
    app.config["CHILD_DIRECT_CONTACT"] = True
    yield
    app.config["CHILD_DIRECT_CONTACT"] = False


def test_a_parent_is_recorded_invited_and_follows_their_childs_case(client, victim_client, ctx, messages):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.child(crime, officer, age=9, name="Sam Child", email="sam.child@example.com")
    client.staff_sign_in(officer.email, factories.PASSWORD)
    crime_url = f"/backoffice/crimes/{crime.id}"

    page = client.get(crime_url)
    assert "Record the parent or guardian" in page.main_text
    # The child is not invited themselves: the parent or guardian receives the rights...
    # once recorded; until then the child's card offers the link to record them.
    form_url = f"{crime_url}/victims/{link.id}/guardian"
    page = client.get(form_url)
    assert page.h1 == "Parent or guardian of Sam Child"
    # Direct contact is off by default: the choice is not offered.
    assert "Who do the police contact?" not in page.main_text

    page = client.post(form_url, _form())
    assert page.status == 302
    page = client.follow(page)
    assert "Parent or guardian saved" in page.main_text
    assert "Pat Parent" in page.main_text and "pat.parent@example.com" in page.main_text
    assert "Theirs, not set up yet" in page.main_text
    assert f"By {officer.name} on" in page.main_text
    assert not page.soup.find("form", action=f"{crime_url}/victims/{link.id}/invite")

    row = db.session.scalar(select(Guardian))
    assert (row.recorded_by_id, row.relationship, row.contact) == (officer.id, "parent", "guardian")
    assert row.account.email == "pat.parent@example.com" and row.account.activated_at is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "guardian.record"))

    # Inviting the child directly is refused: the parent or guardian is the one contacted.
    refused = client.post(f"{crime_url}/victims/{link.id}/invite", csrf_from=crime_url)
    assert "invite them instead" in client.follow(refused).main_text

    page = client.post(f"{crime_url}/victims/{link.id}/guardian/invite", csrf_from=crime_url)
    assert "Invitation sent to Pat Parent" in client.follow(page).main_text
    [invitation] = messages()
    assert invitation["to"] == "pat.parent@example.com"

    path = activation_path(invitation)
    victim_client.post(path, {"password": "correct horse battery", "confirm": "correct horse battery"})
    victim_client.victim_sign_in("pat.parent@example.com", "correct horse battery")
    cases = victim_client.get("/cases")
    assert "Sam Child, your child" in cases.main_text
    [case_url] = cases.links(r"^/cases/")
    case = victim_client.get(case_url)
    assert case.h1 == "Your child’s case"
    assert "parent or guardian of Sam Child" in case.main_text

    # News of the case goes to the parent, not to the child.
    db.session.expire_all()
    updates.post_update(
        crime, kind="general", victim_text="We have a witness.", visible=True, internal_note=None, by=officer
    )
    [to_parent] = [m for m in outbox_rows() if m.kind == "new_update"]
    assert to_parent.victim_id == row.account_id
    assert messages()[-1]["to"] == "pat.parent@example.com"


def test_bad_input_is_refused_with_the_reason_and_nothing_saved(client, ctx, app, direct_contact):
    officer = factories.staff()
    crime = factories.crime(officer)
    adult = factories.victim(crime, officer)
    young = factories.child(crime, officer, age=10)
    client.staff_sign_in(officer.email, factories.PASSWORD)
    base = f"/backoffice/crimes/{crime.id}/victims"

    cases = [
        (adult, _form(), "This victim is 18 or over"),
        (young, _form(email=""), "Enter the parent or guardian’s email address"),
        (young, _form(relationship="uncle"), "Not a valid choice"),
        (young, _form(name=""), "Enter the parent or guardian’s full name"),
        (young, _form(contact="child"), "A child under 12 is not contacted directly"),
        (young, _form(contact="everyone"), "Not a valid choice"),
    ]
    for link, form, error in cases:
        page = client.post(f"{base}/{link.id}/guardian", form)
        assert page.status == 400, form
        assert any(error in message for message in page.error_summary), (error, page.error_summary)
    assert db.session.scalar(select(func.count(Guardian.id))) == 0
    assert db.session.scalar(select(func.count(Victim.id))) == 2

    # Direct contact the force has not turned on.
    app.config["CHILD_DIRECT_CONTACT"] = False
    older = factories.child(crime, officer, age=15)
    page = client.post(f"{base}/{older.id}/guardian", _form(contact="both"))
    assert page.status == 400
    assert "does not contact child victims directly" in " ".join(page.error_summary)
    assert db.session.scalar(select(func.count(Guardian.id))) == 0


def test_a_force_may_contact_a_child_of_12_or_more_directly(client, app, ctx, direct_contact, messages):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.child(crime, officer, age=14, email="teen@example.com")
    client.staff_sign_in(officer.email, factories.PASSWORD)
    form_url = f"/backoffice/crimes/{crime.id}/victims/{link.id}/guardian"
    assert "Who do the police contact?" in client.get(form_url).main_text
    assert client.post(form_url, _form(contact="both")).status == 302
    row = db.session.scalar(select(Guardian))
    assert row.contact == "both"
    assert guardians.reached(link) == {"guardian", "victim"}

    # Both hold accounts: both are told of news.
    row.account.activated_at = link.victim.activated_at = factories.utcnow()
    db.session.commit()
    updates.post_update(
        crime, kind="general", victim_text="News.", visible=True, internal_note=None, by=officer
    )
    assert sorted(m["to"] for m in messages()) == ["pat.parent@example.com", "teen@example.com"]

    # The child alone: a message already waiting for the parent is withheld when sent.
    updates.post_update(
        crime, kind="general", victim_text="More.", visible=True, internal_note=None, by=officer
    )
    guardians.record(
        link,
        guardians.GuardianDetails(
            "Pat Parent", "parent", "pat.parent@example.com", "07700 900555", True, "child"
        ),
        by=officer,
    )
    sent = messages()
    assert sorted(m["to"] for m in sent[2:]) == ["teen@example.com"]
    withheld = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "withheld"))
    assert (withheld.victim_id, withheld.reason) == (row.account_id, "not_contacted")

    # Turned off by the force: the parent or guardian alone again.
    app.config["CHILD_DIRECT_CONTACT"] = False
    assert guardians.reached(link) == {"guardian"}


def test_at_18_the_case_leaves_the_parents_account_and_staff_are_prompted(
    client, victim_client, ctx, time_machine
):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.child(crime, officer, age=17, name="Alex Almost", email="alex@example.com")
    row = factories.guardian(link, officer, email="parent.of.alex@example.com")
    victim_client.victim_sign_in("parent.of.alex@example.com", factories.PASSWORD)
    [case_url] = victim_client.get("/cases").links(r"^/cases/")
    assert victim_client.get(case_url).status == 200

    time_machine.move_to(factories.utcnow() + timedelta(days=366), tick=False)
    assert row.ends_on <= guardians.today()
    victim_client.victim_sign_in("parent.of.alex@example.com", factories.PASSWORD)
    assert victim_client.get(case_url).status == 404
    assert victim_client.get("/cases").links(r"^/cases/") == []

    client.staff_sign_in(officer.email, factories.PASSWORD)
    page = client.get(f"/backoffice/crimes/{crime.id}")
    assert "Alex Almost turned 18 on" in page.main_text
    assert "Invite them to follow the case themselves" in page.main_text
    assert page.soup.find("form", action=f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite")
    # No parent or guardian is recorded for an adult.
    page = client.post(f"/backoffice/crimes/{crime.id}/victims/{link.id}/guardian", _form())
    assert page.status == 400


def test_a_parent_who_already_has_an_account_confirms_the_childs_case(client, victim_client, ctx, messages):
    officer = factories.staff()
    own = factories.active_victim(factories.crime(officer), officer, email="known.parent@example.com")
    crime = factories.crime(officer)
    link = factories.child(crime, officer, age=8, name="Kim Child")
    row = factories.guardian(link, officer, email="known.parent@example.com", active=False)
    # The officer could not see that the address has an account: a record of its own waits on it.
    assert row.account_id != own.victim_id and row.account.same_as_id == own.victim_id

    client.staff_sign_in(officer.email, factories.PASSWORD)
    crime_url = f"/backoffice/crimes/{crime.id}"
    client.post(f"{crime_url}/victims/{link.id}/guardian/invite", csrf_from=crime_url)
    assert [m["to"] for m in messages()] == ["known.parent@example.com"]

    victim_client.victim_sign_in("known.parent@example.com", factories.PASSWORD)
    cases = victim_client.get("/cases")
    assert "Is this your child’s case?" in cases.main_text
    assert "Kim Child" not in cases.main_text  # nothing of the child until she says it is right
    answer = victim_client.post(f"/cases/{link.public_id}/answer", {"confirm": "yes"}, csrf_from="/cases")
    cases = victim_client.follow(answer)
    assert "Kim Child, your child" in cases.main_text
    db.session.expire_all()
    assert db.session.get(Guardian, row.id).account_id == own.victim_id
    assert victim_client.get(f"/cases/{link.public_id}").h1 == "Your child’s case"
