"""What a victim asks for online, in headless Chromium, clicked through as people would:
she asks for an update and the officer's answer meets the request on time; she asks for a
review of a decision not to charge and complains about the service, and each is in the
back office's Victims' Code panel on the crime."""

import re

import pytest
from playwright.sync_api import expect

from shared.services import crimes, updates
from tests import factories
from tests.browser.conftest import staff_sign_in, victim_sign_in

pytestmark = pytest.mark.browser


def _panel_row(staff, label: str):
    return staff.locator("main tr", has_text=label)


def test_a_victim_asks_for_an_update_and_the_officers_answer_meets_it(app, new_context):
    with app.app_context():
        officer = factories.staff(name="Sam Taylor")
        crime = factories.crime(officer, reference="43/66701/26")
        link = factories.active_victim(crime, officer, name="Jane Doe")
        officer_email, victim_email, crime_id = officer.email, link.victim.email, crime.id

    victim = new_context().new_page()
    victim_sign_in(victim, victim_email)
    victim.get_by_role("link", name=re.compile(r"^View case")).click()
    victim.get_by_role("link", name="Ask for an update").click()
    victim.get_by_label("What would you like to know? (optional)").fill("Has the CCTV been checked?")
    victim.get_by_role("button", name="Ask for an update").click()
    banner = victim.locator(".govuk-notification-banner__heading")
    expect(banner).to_have_text("Your request for an update has been sent to the officer in charge")
    expect(victim.locator("main")).to_contain_text("We received your request for an update on")

    # The officer sees it owed, answers it with an update the victim can read.
    staff = new_context().new_page()
    staff_sign_in(staff, officer_email)
    staff.goto("/backoffice/tasks")
    expect(staff.locator("main")).to_contain_text("Update asked for by the victim")
    staff.goto(f"/backoffice/crimes/{crime_id}/updates/new")
    staff.get_by_label("What kind of update is this?").select_option("general")
    staff.get_by_label("Update for the victim").fill("We have checked the CCTV and are tracing the van.")
    staff.get_by_label("Yes, the victim can read it").check()
    staff.get_by_role("button", name="Post update").click()
    expect(staff.locator(".govuk-notification-banner__heading")).to_have_text("Update posted")
    expect(_panel_row(staff, "Update asked for by the victim")).to_contain_text("Met on time")

    # The victim reads the answer, may ask again, and sees the request met among her rights.
    victim.reload()
    expect(victim.locator("main")).to_contain_text("We have checked the CCTV and are tracing the van.")
    expect(victim.get_by_role("link", name="Ask for an update")).to_be_visible()
    victim.get_by_role("link", name="See your rights and what we have done for you").click()
    expect(victim.locator("main")).to_contain_text("An answer to your request for an update")


def test_a_review_request_and_a_complaint_reach_the_back_offices_panel(app, new_context):
    with app.app_context():
        officer = factories.staff(name="Sam Taylor")
        crime = factories.crime(officer, reference="43/66702/26")
        link = factories.active_victim(crime, officer, name="Jane Doe")
        updates.post_update(
            crime,
            kind="interview",
            victim_text="We interviewed a suspect.",
            internal_note=None,
            visible=True,
            by=officer,
        )
        crimes.record_outcome(crime, 15, "There is not enough evidence to charge.", True, officer)
        officer_email, victim_email, crime_id = officer.email, link.victim.email, crime.id

    victim = new_context().new_page()
    victim_sign_in(victim, victim_email)
    victim.get_by_role("link", name=re.compile(r"^View case")).click()
    victim.get_by_role("link", name="See your rights and what we have done for you").click()
    victim.get_by_role("link", name="Ask for a review online").click()
    victim.get_by_label("Why do you think the decision should be looked at again? (optional)").fill(
        "The suspect admitted it to a neighbour."
    )
    victim.get_by_role("button", name="Ask for a review").click()
    expect(victim.locator(".govuk-notification-banner__heading")).to_have_text(
        "Your request for a review has been sent"
    )

    victim.get_by_role("link", name="You can also complain online").click()
    victim.get_by_label("What went wrong? (optional)").fill("Nobody called me back for three weeks.")
    victim.get_by_role("button", name="Send your complaint").click()
    expect(victim.locator(".govuk-notification-banner__heading")).to_have_text("Your complaint has been sent")
    expect(victim.locator("main")).to_contain_text("An answer to your complaint")

    staff = new_context().new_page()
    staff_sign_in(staff, officer_email)
    staff.goto(f"/backoffice/crimes/{crime_id}")
    expect(_panel_row(staff, "Review request acknowledged")).to_contain_text("Not yet due")
    expect(_panel_row(staff, "Review decided")).to_contain_text("Not yet due")
    complaint = _panel_row(staff, "Complaint acknowledged")
    expect(complaint).to_contain_text("Nobody called me back for three weeks.")
    expect(complaint).to_contain_text("Not yet due")
