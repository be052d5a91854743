"""Requests to a third party for information about a victim, recorded in the back office,
and the victim reading them in plain words on the portal, in English and in Welsh.

The clock is fixed: Monday 7 December 2026, 10:00 (GMT).
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import Entitlement, InformationRequest, OutboxMessage
from shared.services import victims_code_actions
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)

FORM = {
    "recipient_kind": "school",
    "recipient_name": "Heol Las Primary School",
    "information_sought": "Your attendance record for October and November 2026.",
    "purpose": "To confirm where you were on the days the messages were sent.",
    "handling": "Kept with the case file and shared only with the Crown Prosecution Service.",
    "date": ["7", "12", "2026"],
}


def _staff(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _victim(app, link, language: str | None = None) -> PageClient:
    client = PageClient(app, portal=True)
    sign_in_as(client, link.victim)
    with app.test_request_context():
        offence = str(OFFENCES[link.crime.offence].label)
    client.forbidden_in_title = [link.crime.reference, offence]
    if language:
        client.get(f"/language/{language}?next=/cases")
    return client


def _saved() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(InformationRequest)) or 0,
        db.session.scalar(
            select(func.count()).select_from(Entitlement).where(Entitlement.rule == "info_request_notice")
        )
        or 0,
        db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
    )


def test_the_officer_records_a_request_and_the_victim_reads_it_in_english_and_welsh(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    welsh = factories.active_victim(crime, officer, language="cy")
    staff = _staff(app, officer)
    crime_page = staff.get(f"/backoffice/crimes/{crime.id}")
    url = f"/backoffice/crimes/{crime.id}/victims/{link.id}/information-requests"
    assert url in crime_page.links(r"/information-requests$")

    form = staff.get(url)
    assert "the law says we must tell the victim in writing" in form.main_text
    # The standard words on handling are there for the officer to keep or change.
    assert "We will keep the information securely with the case file" in form.main_text
    posted = staff.post(url, FORM)
    assert posted.status == 302, posted.error_summary
    request = db.session.scalar(select(InformationRequest))
    assert (request.recipient_kind, request.crime_victim_id, request.created_by_id) == (
        "school",
        link.id,
        officer.id,
    )
    # She uses the service and is safe to contact: the page is the notice, on time.
    notice = db.session.get(Entitlement, request.entitlement_id)
    assert (notice.state, notice.way) == ("met", "portal")
    panel = staff.get(f"/backoffice/crimes/{crime.id}").main_text
    assert "Victim told in writing of a request for their information" in panel
    assert "Heol Las Primary School" in panel
    listed = staff.get(url).main_text
    assert "Heol Las Primary School" in listed and "Met on time" in listed

    victim = _victim(app, link)
    case = victim.get(f"/cases/{link.public_id}")
    assert "Information we asked others for" in case.main_text
    page = victim.get(f"/cases/{link.public_id}/information-requests")
    text = " ".join(page.main_text.split())
    assert page.h1 == "Information we asked others for"
    assert "Request to a school, college or university on 7 December 2026" in text
    assert "Your attendance record for October and November 2026." in text
    assert "To confirm where you were on the days the messages were sent." in text
    assert "Kept with the case file and shared only with the Crown Prosecution Service." in text
    rights = " ".join(victim.get(f"/cases/{link.public_id}/rights").main_text.split())
    assert "Written notice that we asked someone for information about you" in rights
    assert "We gave the written notice on 7 December 2026, online, on this service." in rights

    # The Welsh victim of the same crime has no request of her own: nothing to show.
    cy = _victim(app, welsh, "cy")
    assert "Gwybodaeth y gwnaethom ofyn i eraill amdani" not in cy.get(f"/cases/{welsh.public_id}").main_text
    assert (
        staff.post(f"/backoffice/crimes/{crime.id}/victims/{welsh.id}/information-requests", FORM).status
        == 302
    )
    cy_case = cy.get(f"/cases/{welsh.public_id}")
    assert "Gwybodaeth y gwnaethom ofyn i eraill amdani" in cy_case.main_text
    cy_page = cy.get(f"/cases/{welsh.public_id}/information-requests")
    cy_text = " ".join(cy_page.main_text.split())
    assert cy_page.soup.html["lang"] == "cy"
    assert "Cais i ysgol, coleg neu brifysgol ar 7 Rhagfyr 2026" in cy_text
    assert "Am beth y gwnaethom ofyn" in cy_text and "Sut y byddwn yn ei thrin" in cy_text
    # Another victim's requests stay hers.
    assert cy.get(f"/cases/{link.public_id}/information-requests").status == 404


def test_a_victim_not_safe_to_contact_is_sent_nothing_without_a_safe_route(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=28,
        channel="email",
        language="en",
        safe_to_contact=False,
        opted_out=False,
        note=None,
        by=officer,
    )
    staff = _staff(app, officer)
    url = f"/backoffice/crimes/{crime.id}/victims/{link.id}/information-requests"
    form = staff.get(url)
    assert "It is not safe to contact" in form.main_text
    held = _saved()
    refused = staff.post(url, FORM)
    assert refused.status == 400
    assert refused.error_summary == [
        "It is not safe to contact the victim: choose a safe way to give the notice"
    ]
    assert _saved() == held

    posted = staff.post(url, {**FORM, "safe_route": "intermediary", "safe_route_detail": "Jo Smith, IDVA"})
    assert posted.status == 302, posted.error_summary
    request = db.session.scalar(select(InformationRequest))
    notice = db.session.get(Entitlement, request.entitlement_id)
    assert notice.state == "open"
    assert _saved() == (held[0] + 1, held[1] + 1, held[2])
    # Recording it as sent by email is refused; through the intermediary, met.
    record = f"/backoffice/crimes/{crime.id}/entitlements/{notice.id}"
    assert staff.post(record, {"way": "email", "date": ["7", "12", "2026"]}).status == 400
    assert staff.post(record, {"way": "intermediary", "date": ["7", "12", "2026"]}).status == 302
    db.session.expire_all()
    assert db.session.get(Entitlement, notice.id).way == "intermediary"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipient_kind": ""}, "Select who is being asked for the information"),
        ({"recipient_kind": "neighbour"}, "Select who is being asked for the information from the list"),
        ({"recipient_name": ""}, "Enter the name of who is being asked"),
        ({"information_sought": ""}, "Enter what information is being asked for"),
        ({"date": ["8", "12", "2026"]}, "The date of the request must be today or in the past"),
        (
            {"date": ["1", "12", "2026"]},
            "The date of the request must be on or after 5 December 2026, when the crime happened",
        ),
        ({"date": ["31", "2", "2026"]}, "The date of the request must be a real date"),
        (
            {"guardian_name": "Sam Lee", "guardian_relationship": "parent"},
            "The victim was 18 or over on the day of the request: the notice goes to them",
        ),
    ],
)
def test_bad_input_is_refused_with_the_error_summary_and_nothing_saved(app, ctx, changes, message):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    staff = _staff(app, officer)
    held = _saved()
    page = staff.post(
        f"/backoffice/crimes/{crime.id}/victims/{link.id}/information-requests", {**FORM, **changes}
    )
    assert page.status == 400
    assert page.error_summary == [message]
    assert _saved() == held
