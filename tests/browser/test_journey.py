"""The whole journey in headless Chromium, clicked through as people would: an officer
records a crime, adds and invites the victim and posts an update with an internal
note; the victim sets up their account, signs in and reads the update, never the note."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import staff_sign_in
from tests.conftest import activation_path

pytestmark = pytest.mark.browser

REFERENCE = "43/55501/26"
UPDATE_TEXT = "We arrested a man this morning."
NOTE_TEXT = "Suspect is the ex-partner; see intelligence log 4471."
VICTIM_EMAIL = "jane.doe@example.com"
VICTIM_PASSWORD = "correct horse battery"


def fill_date(page: Page, field: str, day: date) -> None:
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def expect_success(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner__heading")).to_have_text(text)


def expect_portal_page(page: Page) -> None:
    """Every victims' page has the Exit this page button, and never shows the crime
    reference or the offence in its title or address."""
    expect(page.locator(".govuk-exit-this-page")).to_have_count(1)
    expect(page.get_by_role("button", name="Emergency Exit this page")).to_be_visible()
    title = page.title().lower()
    assert REFERENCE not in title and "burglary" not in title, page.title()
    assert REFERENCE not in page.url and "burglary" not in page.url.lower(), page.url


def test_officer_keeps_victim_informed_and_victim_follows_case(
    app, new_context, live_server, messages, artifacts
):
    with app.app_context():
        officer = factories.staff(name="Sam Taylor")
        officer_email, collar = officer.email, officer.collar_number

    # The officer signs in and records the crime.
    staff = new_context().new_page()
    staff_sign_in(staff, officer_email)
    staff.get_by_role("link", name="Record a crime").first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Record a crime")
    yesterday = date.today() - timedelta(days=1)
    staff.get_by_label("Crime reference").fill(REFERENCE)
    staff.get_by_label("Offence").select_option("burglary_residential")
    fill_date(staff, "occurred_date", yesterday)
    staff.get_by_label("Time it happened (optional)").fill("02:15")
    fill_date(staff, "reported_date", yesterday)
    staff.get_by_label("Time it was reported (optional)").fill("08:40")
    staff.get_by_role("button", name="Record crime").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Crime {REFERENCE}")
    expect_success(staff, f"Crime {REFERENCE} recorded")

    # Adds the victim.
    staff.get_by_role("link", name="Add a victim").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Add a victim")
    staff.get_by_label("Full name").fill("Jane Doe")
    fill_date(staff, "date_of_birth", date(1980, 3, 31))
    staff.get_by_label("Email address (optional)").fill("Jane.Doe@Example.com")
    staff.get_by_role("button", name="Add victim").click()
    expect_success(staff, "Victim added")
    expect(staff.locator(".govuk-summary-card", has_text="Jane Doe")).to_contain_text("Not invited")

    # Invites her.
    staff.get_by_role("button", name=re.compile(r"^Invite to follow the case online")).click()
    expect_success(staff, "Invitation sent to Jane Doe")
    expect(staff.locator(".govuk-summary-card", has_text="Jane Doe")).to_contain_text("Invited")
    [invitation] = messages()
    assert invitation["to"] == VICTIM_EMAIL

    # Posts an update with an internal note.
    staff.get_by_role("button", name="Post an update").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Post an update")
    staff.get_by_label("What kind of update is this?").select_option("arrest")
    staff.get_by_label("Update for the victim").fill(UPDATE_TEXT)
    staff.get_by_label("Yes, the victim can read it").check()
    staff.get_by_label("Internal note (optional)").fill(NOTE_TEXT)
    staff.get_by_role("button", name="Post update").click()
    expect_success(staff, "Update posted")
    timeline = staff.locator(".moj-timeline")
    expect(timeline).to_contain_text(UPDATE_TEXT)
    expect(timeline).to_contain_text(NOTE_TEXT)  # staff see the note

    # The victim, on her own device, opens the link and chooses a password.
    victim = new_context().new_page()
    victim.goto(live_server + activation_path(invitation))
    expect(victim.get_by_role("heading", level=1)).to_have_text("Set up your account")
    expect_portal_page(victim)
    victim.get_by_label("Create a password").fill(VICTIM_PASSWORD)
    victim.get_by_label("Confirm your password").fill(VICTIM_PASSWORD)
    victim.get_by_role("button", name="Set up account").click()

    # Signs in.
    expect(victim.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect_success(victim, "Your account is ready. Sign in to see your case.")
    expect_portal_page(victim)
    victim.get_by_label("Email address").fill(VICTIM_EMAIL)
    victim.get_by_label("Password", exact=True).fill(VICTIM_PASSWORD)
    victim.get_by_role("button", name="Sign in").click()

    # Opens her case from "Your crimes".
    expect(victim.get_by_role("heading", level=1)).to_have_text("Your crimes")
    expect_portal_page(victim)
    victim.get_by_role("link", name=re.compile(r"^View case")).click()
    expect(victim.get_by_role("heading", level=1)).to_have_text("Your case")
    expect_portal_page(victim)
    main = victim.locator("main")
    expect(main).to_contain_text("We are investigating")
    expect(main).to_contain_text(f"Sam Taylor, collar number {collar}")
    expect(main).to_contain_text("Suspect arrested")
    expect(main).to_contain_text(UPDATE_TEXT)
    html = victim.content()
    assert "4471" not in html and "ex-partner" not in html
    victim.evaluate("document.fonts.ready.then(() => true)")
    victim.screenshot(path=artifacts / "victim-case.png", full_page=True)

    # And signs out.
    victim.get_by_role("button", name="Sign out").click()
    expect(victim.get_by_role("heading", level=1)).to_have_text("You have signed out")
    expect_portal_page(victim)
