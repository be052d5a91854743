"""Secure messaging in headless Chromium, clicked through as people would: a victim
writes to the officer in charge from her case; the officer sees it in the inbox, opens
the thread from the crime page and replies; the victim is told by email that there is a
new message (with nothing else in it) and reads the reply."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import staff_sign_in, victim_sign_in

pytestmark = pytest.mark.browser

QUESTION = "Hello, is there any news? <script>alert(1)</script>"
ANSWER = "Hello Jane. We have the CCTV now and are going through it."


def test_a_victim_and_the_officer_in_charge_write_to_each_other(app, new_context, messages, artifacts):
    with app.app_context():
        officer = factories.staff(name="Sam Taylor")
        crime = factories.crime(officer, reference="43/66601/26")
        link = factories.active_victim(crime, officer, name="Jane Doe")
        officer_email, victim_email, crime_id = officer.email, link.victim.email, crime.id
    messages()  # nothing waiting before the conversation starts

    # The victim opens her case and writes to the officer in charge.
    victim = new_context().new_page()
    victim_sign_in(victim, victim_email)
    victim.get_by_role("link", name=re.compile(r"^View case")).click()
    victim.get_by_role("link", name="Send a message to the officer in charge").click()
    expect(victim.get_by_role("heading", level=1)).to_have_text("Messages with the officer in charge")
    expect(victim.locator("main")).to_contain_text("In an emergency, call 999")
    victim.get_by_role("button", name="Send message").click()  # nothing written yet
    expect(victim.locator(".govuk-error-summary")).to_contain_text("Enter your message")
    victim.get_by_label("Your message").fill(QUESTION)
    victim.get_by_role("button", name="Send message").click()
    expect(victim.locator(".govuk-notification-banner__heading")).to_have_text("Message sent")
    expect(victim.locator("main")).to_contain_text(QUESTION)  # as text, not as a script

    # The officer sees an unread message in the navigation and in the inbox.
    staff = new_context().new_page()
    staff_sign_in(staff, officer_email)
    nav = staff.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name=re.compile(r"^Messages"))).to_contain_text("1")
    nav.get_by_role("link", name=re.compile(r"^Messages")).click()
    expect(staff.locator("main")).to_contain_text("Jane Doe")
    expect(staff.locator("main")).to_contain_text("43/66601/26")

    # Opens the crime, then the thread from the victim's card, and replies.
    staff.goto(f"/backoffice/crimes/{crime_id}")
    card = staff.locator(".govuk-summary-card", has_text="Jane Doe")
    expect(card).to_contain_text("1 unread")
    card.get_by_role("link", name=re.compile(r"^Read and reply")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Messages with Jane Doe")
    expect(staff.locator("main")).to_contain_text(QUESTION)
    staff.get_by_label("Your message").fill(ANSWER)
    staff.get_by_role("button", name="Send message").click()
    expect(staff.locator("main")).to_contain_text(ANSWER)
    expect(nav.get_by_role("link", name=re.compile(r"^Messages"))).not_to_contain_text("1")
    staff.evaluate("document.fonts.ready.then(() => true)")
    staff.screenshot(path=artifacts / "journey-staff-thread.png", full_page=True)

    # The victim is told by email that there is a new message, and nothing more.
    [notice] = messages()
    assert notice["kind"] == "new_message" and notice["to"] == victim_email
    for detail in ("Jane", "Doe", "Sam Taylor", "43/66601/26", "urglary", "CCTV"):
        assert detail not in notice["subject"] + notice["body"], detail

    # She signs in again and reads the reply, marked new until she says she has read it.
    victim.goto("/cases")
    expect(victim.get_by_text("New message")).to_be_visible()
    victim.get_by_role("link", name=re.compile(r"^View case")).click()
    expect(victim.locator("main")).to_contain_text("You have 1 new message")
    victim.get_by_role("link", name="Read your messages").click()
    reply = victim.locator("main").get_by_text(ANSWER)
    expect(reply).to_be_visible()
    expect(victim.locator("main")).to_contain_text("From Sam Taylor, police")
    victim.get_by_role("button", name="Mark as read").click()
    expect(victim.get_by_role("button", name="Mark as read")).to_have_count(0)
    victim.evaluate("document.fonts.ready.then(() => true)")
    victim.screenshot(path=artifacts / "journey-victim-messages.png", full_page=True)
