"""A case at court in headless Chromium: an officer records the first hearing, its
adjournment and the trial on the crime's page, as a Witness Care Unit would; the victims
read the next hearing on their case page and each court event on the timeline in plain
words, one in English and one in Welsh."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from shared.models.types import utcnow
from shared.services import calendar, crimes
from tests import factories
from tests.browser.conftest import staff_sign_in, victim_sign_in

pytestmark = pytest.mark.browser


def _list(staff, crime_id: int, kind: str, court: str, day, time: str) -> None:
    staff.goto(f"/backoffice/crimes/{crime_id}/court/new")
    staff.get_by_label("What happened at court?").select_option(kind)
    staff.get_by_label("Court (for a listing)").fill(court)
    dates = staff.get_by_role("group", name="Date of the hearing (for a listing)")
    dates.get_by_label("Day").fill(str(day.day))
    dates.get_by_label("Month").fill(str(day.month))
    dates.get_by_label("Year").fill(str(day.year))
    staff.get_by_label("Time the hearing starts (for a listing)").fill(time)
    staff.get_by_role("button", name="Record court event").click()
    expect(staff.locator(".govuk-notification-banner__heading")).to_have_text("Court event recorded")


def test_court_dates_and_an_adjournment_reach_the_victims_in_english_and_welsh(app, new_context):
    with app.app_context():
        officer = factories.staff(name="Sam Taylor")
        crime = factories.crime(officer, reference="43/77001/26")
        english = factories.active_victim(crime, officer, name="Jane Doe")
        welsh = factories.active_victim(crime, officer, name="Siân Williams", language="cy")
        crimes.record_outcome(crime, 1, None, False, officer)
        officer_email, crime_id = officer.email, crime.id
        emails = english.victim.email, welsh.victim.email
        welsh_case = f"/cases/{welsh.public_id}"
        today = calendar.local_date(utcnow())

    staff = new_context().new_page()
    staff_sign_in(staff, officer_email)
    # A refusal first: an adjournment names a hearing.
    staff.goto(f"/backoffice/crimes/{crime_id}/court/new")
    staff.get_by_label("What happened at court?").select_option("hearing_adjourned")
    staff.get_by_role("button", name="Record court event").click()
    expect(staff.locator(".govuk-error-summary")).to_contain_text("Select the hearing")

    _list(
        staff,
        crime_id,
        "first_hearing_listed",
        "Cardiff Magistrates’ Court",
        today + timedelta(days=7),
        "09:30",
    )
    staff.goto(f"/backoffice/crimes/{crime_id}/court/new")
    staff.get_by_label("What happened at court?").select_option("hearing_adjourned")
    staff.get_by_label("Which hearing?").select_option(index=1)
    staff.get_by_label("Why was the hearing adjourned?").select_option("witness_unavailable")
    staff.get_by_role("button", name="Record court event").click()
    expect(staff.locator(".govuk-notification-banner__heading")).to_have_text("Court event recorded")
    trial_day = today + timedelta(days=40)
    _list(staff, crime_id, "trial_listed", "Cardiff Crown Court", trial_day, "10:00")
    hearings = staff.locator("#court + table")
    expect(hearings).to_contain_text("Adjourned: A witness was not available")
    expect(hearings).to_contain_text("Cardiff Crown Court")

    victim = new_context().new_page()
    victim_sign_in(victim, emails[0])
    victim.get_by_role("link", name=re.compile(r"^View case")).click()
    main = victim.locator("main")
    expect(main).to_contain_text("The case is at court")
    next_hearing = victim.locator("#next-hearing")
    expect(next_hearing).to_contain_text("Next hearing at court")
    expect(next_hearing).to_contain_text("Trial")
    expect(next_hearing).to_contain_text("Cardiff Crown Court")
    expect(next_hearing).to_contain_text(f"{trial_day.day} {trial_day:%B %Y} at 10:00")
    expect(main).to_contain_text(
        "The hearing was put off (adjourned) because a witness could not come to court."
    )
    expect(main).to_contain_text("The trial will be at Cardiff Crown Court on")
    expect(main).to_contain_text("The first hearing will be at Cardiff Magistrates’ Court on")
    # Her rights: the Witness Care Unit's duty, met when she read it here.
    victim.get_by_role("link", name="See your rights and what we have done for you").click()
    expect(main).to_contain_text("Being told what happened at court")
    expect(main).to_contain_text("We told you about the date of the trial on")

    cymraeg = new_context().new_page()
    victim_sign_in(cymraeg, emails[1])
    cymraeg.goto(f"/language/cy?next={welsh_case}")
    main = cymraeg.locator("main")
    expect(cymraeg.locator("#next-hearing")).to_contain_text("Y gwrandawiad nesaf yn y llys")
    expect(cymraeg.locator("#next-hearing")).to_contain_text("Treial")
    expect(cymraeg.locator("#next-hearing")).to_contain_text("Cardiff Crown Court")
    expect(main).to_contain_text(
        "Cafodd y gwrandawiad ei ohirio oherwydd nad oedd tyst yn gallu dod i’r llys."
    )
    expect(main).to_contain_text("Bydd y treial yn Cardiff Crown Court ar")
    expect(main).to_contain_text("Bydd y gwrandawiad cyntaf yn Cardiff Magistrates’ Court ar")
