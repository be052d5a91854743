"""The warning before a session ends, in headless Chromium with both clocks controlled:
the server's by time-machine, the browser's by Playwright. The victim is warned in an
accessible dialog, stays signed in (the session's end moves on the server), is later
signed out after a while without losing the message she was writing, finds it again
after signing in, and signing out forgets it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import CrimeVictim, SecureMessage, UserSession
from tests import factories
from tests.browser.conftest import staff_sign_in, victim_sign_in
from tests.browser.test_accessibility import axe, violations

pytestmark = pytest.mark.browser

START = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
DRAFT = "I remembered something about the car: it had a dent in the back door."


def _sessions(app) -> list[UserSession]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession).order_by(UserSession.id)))


def crime_messages(public_id: str) -> int:
    """How many messages the victim's case has."""
    return db.session.scalar(
        select(func.count(SecureMessage.id))
        .join(CrimeVictim, CrimeVictim.id == SecureMessage.crime_victim_id)
        .where(CrimeVictim.public_id == public_id)
    )


def _at(time_machine, page, minutes: float, since: datetime = START) -> None:
    """Both clocks `minutes` after `since`: the server's moved there, the browser's run on
    to it (its timers fire)."""
    time_machine.move_to(since + timedelta(minutes=minutes), tick=True)
    page.clock.pause_at(since + timedelta(minutes=minutes))
    page.clock.resume()


def _browser_now(page) -> datetime:
    """The browser's clock. Both clocks run on in real time between steps, so a step is
    taken from the browser's own time when the session's end last moved: on a busy
    machine the seconds a step takes can never carry the next step past a deadline."""
    return datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, UTC)


def test_a_victim_is_warned_stays_signed_in_and_keeps_her_draft(app, page, time_machine):
    time_machine.move_to(START, tick=True)
    with app.app_context():
        officer = factories.staff(name="Sam Taylor")
        crime = factories.crime(officer)
        link = factories.active_victim(crime, officer, name="Jane Doe")
        email, public_id = link.victim.email, link.public_id
    messages_path = f"/cases/{public_id}/messages"
    page.clock.install(time=START)

    victim_sign_in(page, email)
    page.goto(messages_path)
    loaded = _browser_now(page)
    page.get_by_label("Your message").fill(DRAFT)
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_hidden()

    # Thirteen and a half minutes without doing anything: the warning, with the focus in it.
    _at(time_machine, page, 13.5, since=loaded)
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("We will sign you out in 2 minutes.")
    expect(dialog).to_contain_text("A message you are writing is kept in this browser tab")
    assert not violations(axe.run(page)).response["violations"]
    # Tab stays in the dialog: the page behind it is inert.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('timeout-warning').contains(document.activeElement)")

    # She stays signed in: the session's end moves on the server.
    with page.expect_response(re.compile(r"/session/stay-signed-in$")) as answer:
        stay.click()
    assert answer.value.status == 200
    expect(dialog).to_be_hidden()
    stayed = _browser_now(page)
    [row] = _sessions(app)
    assert row.ended_at is None and row.last_seen_at >= loaded + timedelta(minutes=13.5)

    # Warned again fourteen minutes later; Escape also means "stay signed in".
    _at(time_machine, page, 14, since=stayed)
    expect(dialog).to_be_visible()
    with page.expect_response(re.compile(r"/session/stay-signed-in$")):
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    [row] = _sessions(app)
    assert row.last_seen_at >= stayed + timedelta(minutes=14)
    stayed = _browser_now(page)

    # Then she leaves the page alone: when time is up the browser goes to the signed-out page.
    _at(time_machine, page, 14, since=stayed)
    expect(dialog).to_be_visible()
    _at(time_machine, page, 16, since=stayed)
    page.wait_for_url("**/session/timed-out")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have been signed out")
    [row] = _sessions(app)
    assert row.ended_reason == "idle_timeout"

    # Signed in again, her message is where she left it.
    victim_sign_in(page, email)
    page.goto(messages_path)
    expect(page.get_by_label("Your message")).to_have_value(DRAFT)

    # Signing out forgets it.
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/signed-out")
    assert page.evaluate("Object.keys(sessionStorage)") == []
    victim_sign_in(page, email)
    page.goto(messages_path)
    expect(page.get_by_label("Your message")).to_have_value("")


def test_a_message_sent_after_the_session_ended_is_kept_for_after_signing_in(app, page, time_machine):
    time_machine.move_to(START, tick=True)
    with app.app_context():
        officer = factories.staff()
        crime = factories.crime(officer)
        link = factories.active_victim(crime, officer)
        email, public_id = link.victim.email, link.public_id
    messages_path = f"/cases/{public_id}/messages"
    victim_sign_in(page, email)
    page.goto(messages_path)
    page.get_by_label("Your message").fill(DRAFT)

    # The session ends on the server (the laptop slept, say) before she presses Send.
    time_machine.move_to(START + timedelta(minutes=16), tick=True)
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(f"**{messages_path}")
    expect(page.get_by_label("Your message")).to_have_value(DRAFT)
    with app.app_context():
        assert crime_messages(public_id) == 0


def test_a_sent_message_is_not_put_back_and_exit_this_page_forgets_a_draft(app, page, time_machine):
    time_machine.move_to(START, tick=True)
    with app.app_context():
        officer = factories.staff()
        crime = factories.crime(officer)
        link = factories.active_victim(crime, officer)
        email, public_id = link.victim.email, link.public_id
    messages_path = f"/cases/{public_id}/messages"
    victim_sign_in(page, email)
    page.goto(messages_path)

    page.get_by_label("Your message").fill("Sent, so not kept.")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator(".govuk-notification-banner__heading")).to_have_text("Message sent")
    expect(page.get_by_label("Your message")).to_have_value("")
    assert page.evaluate("Object.keys(sessionStorage)") == []

    page.get_by_label("Your message").fill(DRAFT)
    assert page.evaluate("Object.keys(sessionStorage)") != []
    # Where Exit this page goes, answered here: the tests have no internet.
    exit_to = page.locator(".govuk-exit-this-page__button").get_attribute("href")
    page.route(exit_to, lambda route: route.fulfill(body="Elsewhere", content_type="text/plain"))
    page.locator(".govuk-exit-this-page__button").click()
    page.wait_for_url(exit_to)
    page.go_back()
    page.wait_for_url(f"**{messages_path}")
    assert page.evaluate("Object.keys(sessionStorage)") == []


def test_a_member_of_staff_is_warned_in_welsh_and_stays_signed_in(app, page, time_machine):
    time_machine.move_to(START, tick=True)
    with app.app_context():
        member = factories.staff(roles=("analyst",))
        email = member.email
    page.clock.install(time=START)
    page.goto("/language/cy?next=/backoffice/sign-in")
    staff_sign_in(page, email)
    loaded = _browser_now(page)

    _at(time_machine, page, 28.5, since=loaded)
    dialog = page.get_by_role("dialog", name="Rydych ar fin cael eich allgofnodi")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Byddwn yn eich allgofnodi ymhen 2 munud.")
    stay = dialog.get_by_role("button", name="Aros wedi mewngofnodi")
    expect(stay).to_be_focused()
    assert not violations(axe.run(page)).response["violations"]
    with page.expect_response(re.compile(r"/backoffice/session/stay-signed-in$")) as answer:
        stay.click()
    assert answer.value.json() == {"seconds_left": 30 * 60}
    expect(dialog).to_be_hidden()
    [row] = _sessions(app)
    assert row.user_type == "staff" and row.last_seen_at >= loaded + timedelta(minutes=28.5)

    # Left alone after that, the browser goes to the back office's signed-out page.
    _at(time_machine, page, 31, since=_browser_now(page))
    page.wait_for_url("**/backoffice/session/timed-out")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rydych wedi cael eich allgofnodi")
