"""Victims see only their own cases, and never what is meant for staff."""

from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent
from tests import factories

NOTE = "Suspect named in intelligence report 9921"


def _two_victims():
    officer = factories.staff()
    crime_a = factories.crime(officer, reference="43/11111/26")
    crime_b = factories.crime(officer, reference="43/22222/26", offence="stalking")
    a = factories.active_victim(crime_a, officer)
    b = factories.active_victim(crime_b, officer)
    factories.update(crime_a, officer, text="Update for A", note=NOTE)
    factories.update(crime_b, officer, text="Update for B only")
    return officer, a, b


def test_a_victim_asking_for_another_victims_case_gets_404_and_is_logged(victim_client, ctx):
    _, a, b = _two_victims()
    victim_client.victim_sign_in(a.victim.email, factories.PASSWORD)

    assert victim_client.get(f"/cases/{a.public_id}").status == 200
    page = victim_client.get(f"/cases/{b.public_id}")
    assert page.status == 404
    assert "Update for B only" not in page.text
    # An id that exists nowhere gives exactly the same answer.
    unknown = victim_client.get("/cases/no-such-case")
    assert unknown.status == 404
    assert unknown.h1 == page.h1

    denied = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "victim.case_denied").order_by(AuditEvent.id)
        )
    )
    assert [e.record_id for e in denied] == [b.public_id, "no-such-case"]
    assert {e.actor_id for e in denied} == {a.victim.id}


def test_the_case_list_shows_only_the_victims_own_crimes(victim_client, ctx):
    _, a, b = _two_victims()
    victim_client.victim_sign_in(a.victim.email, factories.PASSWORD)
    page = victim_client.get("/cases")
    assert "43/11111/26" in page.main_text
    assert "43/22222/26" not in page.text
    assert page.links(r"^/cases/") == [f"/cases/{a.public_id}"]


def test_internal_notes_and_hidden_updates_never_reach_the_victim(victim_client, ctx):
    officer, a, _ = _two_victims()
    factories.update(a.crime, officer, text="Draft: not for the victim yet", visible=False)
    victim_client.victim_sign_in(a.victim.email, factories.PASSWORD)

    for path in ["/", "/cases", f"/cases/{a.public_id}", "/sign-in", "/language/cy?next=/cases", "/cases"]:
        response = victim_client.http.get(path, follow_redirects=True)
        body = response.get_data(as_text=True)
        assert NOTE not in body and "9921" not in body, path
        assert "Draft: not for the victim yet" not in body, path
    case = victim_client.get(f"/cases/{a.public_id}")
    assert "Update for A" in case.main_text


def test_a_victim_cannot_use_the_back_office(victim_client, ctx):
    _, a, _ = _two_victims()
    victim_client.victim_sign_in(a.victim.email, factories.PASSWORD)
    for path in ["/backoffice/cases", f"/backoffice/crimes/{a.crime_id}"]:
        page = victim_client.get(path)
        assert page.status == 302
        assert page.response.headers["Location"].startswith("/backoffice/sign-in")


def test_staff_cannot_use_the_portal_as_a_victim(client, ctx):
    officer, a, _ = _two_victims()
    client.staff_sign_in(officer.email, factories.PASSWORD)
    page = client.get(f"/cases/{a.public_id}")
    assert page.status == 302
    assert page.response.headers["Location"].startswith("/sign-in")


def test_signed_out_visitors_are_sent_to_sign_in_and_back(victim_client, ctx):
    _, a, _ = _two_victims()
    page = victim_client.get(f"/cases/{a.public_id}")
    assert page.status == 302
    assert page.response.headers["Location"] == f"/sign-in?next=/cases/{a.public_id}"
    page = victim_client.post(
        f"/sign-in?next=/cases/{a.public_id}", {"email": a.victim.email, "password": factories.PASSWORD}
    )
    assert page.response.headers["Location"] == f"/cases/{a.public_id}"


def test_sign_in_does_not_say_whether_an_account_exists(victim_client, ctx):
    _, a, _ = _two_victims()
    wrong_password = victim_client.post("/sign-in", {"email": a.victim.email, "password": "not the password"})
    unknown = victim_client.post("/sign-in", {"email": "nobody@example.com", "password": "not the password"})
    assert wrong_password.status == unknown.status == 400
    assert (
        wrong_password.error_summary
        == unknown.error_summary
        == ["Enter a correct email address and password"]
    )


def test_a_victim_not_yet_activated_cannot_sign_in(victim_client, ctx):
    officer = factories.staff()
    link = factories.victim(factories.crime(officer), officer)
    page = victim_client.post("/sign-in", {"email": link.victim.email, "password": ""})
    assert page.error_summary == ["Enter your password"]
    page = victim_client.post("/sign-in", {"email": link.victim.email, "password": "anything at all"})
    assert page.error_summary == ["Enter a correct email address and password"]


def test_sign_out_ends_the_session(victim_client, ctx):
    _, a, _ = _two_victims()
    victim_client.victim_sign_in(a.victim.email, factories.PASSWORD)
    cases = victim_client.get("/cases")
    page = victim_client.post("/sign-out", {"csrf_token": cases.csrf()})
    assert victim_client.follow(page).h1 == "You have signed out"
    assert victim_client.get("/cases").status == 302
