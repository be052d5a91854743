"""Managing how she is contacted, in headless Chromium, clicked through as a victim
would: the officer has named her adviser as an intermediary; she opens "Change how we
contact you" from her case, asks for an update every fortnight through her adviser, in
another language through an interpreter; the officer finds the change on their tasks
and in the contact plan's history, as the victim's."""

import re

import pytest
from playwright.sync_api import expect

from shared.services import entitlements, victims_code_actions
from shared.services.victims_code_actions import Intermediary
from tests import factories
from tests.browser.conftest import staff_sign_in, victim_sign_in

pytestmark = pytest.mark.browser


def test_a_victim_changes_how_she_is_contacted_and_the_officer_sees_it(app, new_context, artifacts):
    with app.app_context():
        officer = factories.staff(name="Sam Taylor")
        crime = factories.crime(officer, reference="43/77701/26")
        link = factories.active_victim(crime, officer, name="Jane Doe")
        plan = entitlements.current_plans([link.id])[link.id]
        victims_code_actions.change_contact_plan(
            link,
            frequency_days=plan.frequency_days,
            channel=plan.channel,
            language=plan.language,
            safe_to_contact=False,
            opted_out=False,
            note="Perpetrator reads her post",
            by=officer,
            intermediary=Intermediary("Jo Adviser", "isva", "01632 960000"),
        )
        officer_email, victim_email, crime_id, link_id = officer.email, link.victim.email, crime.id, link.id

    victim = new_context().new_page()
    victim_sign_in(victim, victim_email)
    victim.get_by_role("link", name=re.compile(r"^View case")).click()
    victim.get_by_role("link", name="Change how we contact you").click()
    expect(victim.get_by_role("heading", level=1)).to_have_text("How we contact you")
    main = victim.locator("main")
    expect(main).not_to_contain_text("safe")
    expect(main).not_to_contain_text("Perpetrator")
    # Another language, but not which: the error summary says what to do.
    victim.get_by_label("Another language, with an interpreter").check()
    victim.get_by_role("button", name="Save your choices").click()
    expect(victim.locator(".govuk-error-summary")).to_contain_text("Enter the language you want to use")
    victim.get_by_label("Every 14 days").check()
    victim.get_by_label("Through Jo Adviser, Independent Sexual Violence Adviser (ISVA)").check()
    victim.get_by_label("Another language, with an interpreter").check()
    victim.get_by_label("Which language?").fill("Polish")
    victim.get_by_role("button", name="Save your choices").click()
    expect(victim.locator(".govuk-notification-banner__heading")).to_contain_text(
        "Your choices have been saved"
    )
    victim.get_by_role("link", name="Change how we contact you").click()
    expect(victim.get_by_label("Every 14 days")).to_be_checked()
    expect(victim.get_by_label("Which language?")).to_have_value("Polish")

    staff = new_context().new_page()
    staff_sign_in(staff, officer_email)
    staff.goto("/backoffice/tasks")
    changed = staff.locator("#contact-preferences")
    expect(changed).to_contain_text("Jane Doe")
    changed.get_by_role("link", name=re.compile(r"^See the new contact plan")).click()
    assert staff.url.endswith(f"/backoffice/crimes/{crime_id}/victims/{link_id}/contact-plan")
    history = staff.locator("table", has_text="Contact plan history")
    expect(history).to_contain_text("Changed by the victim, online")
    expect(history).to_contain_text("Changed by Sam Taylor")
    expect(history).to_contain_text("Polish, through an interpreter")
    # Still not safe to contact: her change switched nothing on.
    expect(staff.locator("input[name=safe_to_contact][value=no]")).to_be_checked()
    staff.goto("/backoffice/tasks")
    expect(staff.locator("#contact-preferences")).to_have_count(0)
