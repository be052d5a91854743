"""axe-core on every page of both blueprints, in English and in Welsh.

Each page is one line in SCREENS. A test per language signs in once as each kind of
reader (nobody, a victim, an officer who is also an administrator, and two members of
staff part-way through signing in), visits every screen, and fails with a report of all
the violations it found, page by page. Some screens are also saved as full-page
screenshots in test-artifacts/ for people to review."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect
from sqlalchemy import select

from shared.domain.cdi_audit import checklist as cdi_checklist
from shared.domain.scrutiny import CRITERIA
from shared.extensions import db
from shared.models import Crime, Entitlement, Incident, ScrutinyCase, SecureMessage
from shared.models.types import utcnow
from shared.services import (
    action_plan,
    api_clients,
    calendar,
    cdi_audits,
    cdi_findings,
    cdi_rulings,
    contact_preferences,
    court,
    crimes,
    incidents,
    information_requests,
    scrutiny,
    secure_messages,
    staff,
    updates,
    victim_accounts,
    victims,
    victims_code_actions,
)
from shared.services.unit_of_work import unit_of_work
from shared.services.victims_code_actions import Intermediary
from tests import factories
from tests.browser.conftest import ARTIFACTS, staff_password_step, staff_sign_in, victim_sign_in
from tests.code_versions import add_later_code

# The pages are the same whichever database holds their data.
pytestmark = [pytest.mark.browser, pytest.mark.once]

VISITOR, VICTIM, STAFF = "visitor", "victim", "staff"
# Members of staff who have given their password: one is asked for the code from their
# authenticator app, the other (who has none yet) to set one up.
SIGNING_IN, ENROLLING = "signing in", "setting up an authenticator app"
LANGUAGES = ["en", "cy"]


def submit(page: Page, fields: dict[str, str] | None = None) -> Response:
    """Fill in the form on the page and send it; the response to it."""
    for selector, value in (fields or {}).items():
        page.locator(selector).fill(value)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.request.is_navigation_request()
    ) as sent:
        page.locator("main form #submit").click()
    page.wait_for_load_state()
    return sent.value


def write_too_much(page: Page) -> Response:
    """A note longer than the box takes: the form comes back with the error summary."""
    response = submit(page, {"main form textarea": "x" * 201})
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    return response


def name_no_other_language(page: Page) -> Response:
    """Choose another language without saying which: the form comes back with the error
    summary."""
    page.locator("main form input[name=language][value=other]").check()
    response = submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    return response


def enrol(page: Page) -> Response:
    """Add the key shown on the page to an "authenticator app" and send its code: the
    recovery codes are shown next."""
    secret = page.locator("#secret").inner_text().replace(" ", "")
    response = submit(page, {"#code": pyotp.TOTP(secret).now()})
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    return response


def register_a_records_system(page: Page) -> Response:
    """Register a records system: the page that follows shows its secret, once."""
    page.locator("main form input[value='crimes:read']").check()
    response = submit(page, {"#name": "Connect"})
    expect(page.locator("#client-secret")).to_be_visible()
    return response


def ask_for_a_reset_link(page: Page) -> Response:
    """Any address: the page that follows is the same whether or not it has an account."""
    response = submit(page, {"#email": "nobody@example.com"})
    expect(page.locator("main form")).to_have_count(0)  # not the form again, with errors
    return response


def until_throttled(page: Page) -> Response:
    """Send the form on the page until the service says "too many attempts", then once
    more from the page itself, to show the reader what they would see."""
    token = page.locator("main form input[name=csrf_token]").input_value()
    for _ in range(20):
        if page.request.post(page.url, form={"csrf_token": token, "email": ""}).status == 429:
            break
    else:
        raise AssertionError(f"{page.url} was never throttled")
    return submit(page)


@dataclass(frozen=True)
class Screen:
    """A page to scan. `path` is formatted with the scenario's ids; `submit_empty`
    sends the form on it with nothing filled in, to scan the page showing errors;
    `then` is what the reader does on the page to reach the screen (it returns the
    response of the page it ends on, whose status is `status`); `screenshot` names a
    full-page screenshot to save for review."""

    name: str
    who: str
    path: str
    status: int = 200
    submit_empty: bool = False
    then: Callable[[Page], Response | None] | None = None
    screenshot: str | None = None


CRIME = "/backoffice/crimes/{crime_id}"
FINDING = "/backoffice/audits/{cdi_findings_audit_id}/records/1"
AUDIT_FILTER_ERRORS = "/backoffice/audit?actor=nobody&from_date-day=31&from_date-month=2&from_date-year=2026"
SCREENS = [
    # The victims' portal.
    Screen("start page", VISITOR, "/"),
    Screen("sign in", VISITOR, "/sign-in"),
    Screen("sign in, with errors", VISITOR, "/sign-in", submit_empty=True),
    Screen("sign in, account ready", VISITOR, "/sign-in?activated=1"),
    Screen("sign in, password reset", VISITOR, "/sign-in?reset=1"),
    Screen("signed out", VISITOR, "/signed-out"),
    Screen("set up your account", VISITOR, "/activate/{token}"),
    Screen("set up your account, with errors", VISITOR, "/activate/{token}", submit_empty=True),
    Screen("activation link not valid", VISITOR, "/activate/not-a-real-token", status=404),
    Screen("forgot your password", VISITOR, "/forgot-password", screenshot="forgot-password"),
    Screen("forgot your password, with errors", VISITOR, "/forgot-password", submit_empty=True),
    Screen("reset link sent", VISITOR, "/forgot-password", then=ask_for_a_reset_link),
    Screen("reset your password", VISITOR, "/reset-password/{reset_token}"),
    Screen("reset your password, with errors", VISITOR, "/reset-password/{reset_token}", submit_empty=True),
    Screen("reset link not valid", VISITOR, "/reset-password/not-a-real-token", status=404),
    Screen("page not found", VISITOR, "/no-such-page", status=404),
    Screen("help and contact", VISITOR, "/help"),
    Screen("accessibility statement", VISITOR, "/accessibility", screenshot="accessibility-statement"),
    Screen("privacy notice", VISITOR, "/privacy", screenshot="privacy-notice"),
    Screen("cookies", VISITOR, "/cookies"),
    Screen("signed out after a while", VISITOR, "/session/timed-out"),
    Screen("your crimes", VICTIM, "/cases"),
    Screen("your case", VICTIM, "/cases/{public_id}"),
    Screen("your child’s case", VICTIM, "/cases/{child_public_id}", screenshot="your-childs-case"),
    Screen(
        "your case, not being investigated", VICTIM, "/cases/{filed_public_id}", screenshot="not-investigated"
    ),
    Screen("case not found, signed in", VICTIM, "/cases/not-a-case", status=404),
    Screen("your rights", VICTIM, "/cases/{public_id}/rights", screenshot="your-rights"),
    Screen("messages with the officer", VICTIM, "/cases/{public_id}/messages", screenshot="victim-messages"),
    Screen(
        "messages with the officer, with errors", VICTIM, "/cases/{public_id}/messages", submit_empty=True
    ),
    Screen("ask for an update", VICTIM, "/cases/{public_id}/update-request", screenshot="ask-for-an-update"),
    Screen(
        "ask for an update, with errors",
        VICTIM,
        "/cases/{public_id}/update-request",
        status=400,
        then=write_too_much,
    ),
    Screen(
        "how we contact you",
        VICTIM,
        "/cases/{public_id}/contact-preferences",
        screenshot="how-we-contact-you",
    ),
    Screen(
        "how we contact you, with errors",
        VICTIM,
        "/cases/{public_id}/contact-preferences",
        status=400,
        then=name_no_other_language,
    ),
    Screen("information we asked others for", VICTIM, "/cases/{public_id}/information-requests"),
    Screen("ask for a review", VICTIM, "/cases/{public_id}/review"),
    Screen("make a complaint", VICTIM, "/cases/{public_id}/complaint", screenshot="make-a-complaint"),
    Screen(
        "make a complaint, with errors",
        VICTIM,
        "/cases/{public_id}/complaint",
        status=400,
        then=write_too_much,
    ),
    Screen("your property", VICTIM, "/cases/{public_id}/property", screenshot="your-property"),
    Screen("feedback survey", VICTIM, "/cases/{public_id}/feedback", screenshot="feedback-survey"),
    Screen("feedback survey, with errors", VICTIM, "/cases/{public_id}/feedback", submit_empty=True),
    Screen("change your password", VICTIM, "/account/password", screenshot="change-password"),
    Screen("change your password, with errors", VICTIM, "/account/password", submit_empty=True),
    # The back office.
    Screen("staff sign in", VISITOR, "/backoffice/sign-in"),
    Screen("staff sign in, with errors", VISITOR, "/backoffice/sign-in", submit_empty=True),
    Screen("staff sign-in code", SIGNING_IN, "/backoffice/sign-in/code", screenshot="staff-sign-in-code"),
    Screen("staff sign-in code, with errors", SIGNING_IN, "/backoffice/sign-in/code", submit_empty=True),
    Screen(
        "set up authenticator app",
        ENROLLING,
        "/backoffice/sign-in/set-up-authenticator",
        screenshot="staff-set-up-authenticator",
    ),
    Screen(
        "set up authenticator app, with errors",
        ENROLLING,
        "/backoffice/sign-in/set-up-authenticator",
        submit_empty=True,
    ),
    Screen("recovery codes", ENROLLING, "/backoffice/sign-in/set-up-authenticator", then=enrol),
    Screen("set up a staff account", VISITOR, "/backoffice/set-up/{set_up_token}"),
    Screen(
        "set up a staff account, with errors", VISITOR, "/backoffice/set-up/{set_up_token}", submit_empty=True
    ),
    Screen("staff set-up link not valid", VISITOR, "/backoffice/set-up/not-a-real-token", status=404),
    Screen("back office accessibility statement", VISITOR, "/backoffice/accessibility"),
    Screen("staff signed out after a while", VISITOR, "/backoffice/session/timed-out"),
    Screen("my cases", STAFF, "/backoffice/cases"),
    Screen("my cases, page 2", STAFF, "/backoffice/cases?page=2"),
    Screen("search results", STAFF, "/backoffice/cases?q=43/1000"),
    Screen("search, nothing found", STAFF, "/backoffice/cases?q=99/"),
    Screen("record a crime", STAFF, "/backoffice/crimes/new"),
    Screen("record a crime, with errors", STAFF, "/backoffice/crimes/new", submit_empty=True),
    Screen("crime", STAFF, CRIME, screenshot="crime"),
    Screen("crime, a decision not to investigate", STAFF, "/backoffice/crimes/{filed_crime_id}"),
    Screen("post an update", STAFF, CRIME + "/updates/new"),
    Screen("post an update, with errors", STAFF, CRIME + "/updates/new", submit_empty=True),
    Screen("change stage", STAFF, CRIME + "/stage"),
    Screen("record outcome", STAFF, CRIME + "/outcome"),
    Screen("record a court event", STAFF, CRIME + "/court/new"),
    Screen("record a court event, with errors", STAFF, CRIME + "/court/new", submit_empty=True),
    Screen("add a victim", STAFF, CRIME + "/victims/new"),
    Screen("add a victim, with errors", STAFF, CRIME + "/victims/new", submit_empty=True),
    Screen("parent or guardian", STAFF, CRIME + "/victims/{child_link_id}/guardian"),
    Screen(
        "parent or guardian, with errors",
        STAFF,
        CRIME + "/victims/{unrecorded_child_link_id}/guardian",
        submit_empty=True,
    ),
    Screen("crime not found", STAFF, "/backoffice/crimes/999999", status=404),
    Screen("record an item of property", STAFF, CRIME + "/property/new"),
    Screen("record an item of property, with errors", STAFF, CRIME + "/property/new", submit_empty=True),
    Screen("change an item of property", STAFF, CRIME + "/property/{item_id}", screenshot="property-item"),
    # The Victims' Code.
    Screen(
        "record what was done",
        STAFF,
        CRIME + "/entitlements/{entitlement_id}",
        screenshot="record-what-was-done",
    ),
    Screen(
        "record what was done, with errors",
        STAFF,
        CRIME + "/entitlements/{entitlement_id}",
        submit_empty=True,
    ),
    Screen("does not apply", STAFF, CRIME + "/entitlements/{entitlement_id}/not-applicable"),
    Screen(
        "does not apply, with errors",
        STAFF,
        CRIME + "/entitlements/{entitlement_id}/not-applicable",
        submit_empty=True,
    ),
    Screen("contact plan", STAFF, CRIME + "/victims/{link_id}/contact-plan"),
    Screen(
        "enhanced rights", STAFF, CRIME + "/victims/{link_id}/enhanced-rights", screenshot="enhanced-rights"
    ),
    Screen(
        "enhanced rights, with errors", STAFF, CRIME + "/victims/{link_id}/enhanced-rights", submit_empty=True
    ),
    Screen("requests for information", STAFF, CRIME + "/victims/{link_id}/information-requests"),
    Screen(
        "requests for information, with errors",
        STAFF,
        CRIME + "/victims/{link_id}/information-requests",
        submit_empty=True,
    ),
    Screen("record a complaint", STAFF, CRIME + "/victims/{link_id}/complaint"),
    Screen(
        "record a complaint, with errors", STAFF, CRIME + "/victims/{link_id}/complaint", submit_empty=True
    ),
    Screen("request for review, does not apply", STAFF, CRIME + "/victims/{link_id}/review"),
    Screen("my tasks", STAFF, "/backoffice/tasks", screenshot="my-tasks"),
    Screen("messages", STAFF, "/backoffice/messages", screenshot="staff-inbox"),
    Screen("message thread", STAFF, CRIME + "/victims/{link_id}/messages", screenshot="staff-thread"),
    Screen("message thread, with errors", STAFF, CRIME + "/victims/{link_id}/messages", submit_empty=True),
    Screen("unanswered messages", STAFF, "/backoffice/messages/unanswered", screenshot="unanswered-messages"),
    Screen("team tasks", STAFF, "/backoffice/tasks/team"),
    Screen("cancel a crime record", STAFF, CRIME + "/cancel"),
    Screen("cancel a crime record, with errors", STAFF, CRIME + "/cancel", submit_empty=True),
    Screen("compliance report", STAFF, "/backoffice/reports", screenshot="compliance-report"),
    Screen("compliance report by officer", STAFF, "/backoffice/reports?period=quarter&split=officer"),
    Screen("compliance report, with errors", STAFF, "/backoffice/reports?period=custom", status=400),
    # Out-of-court disposal scrutiny.
    Screen("disposal scrutiny", STAFF, "/backoffice/scrutiny/samples"),
    Screen("disposal scrutiny, with errors", STAFF, "/backoffice/scrutiny/samples", submit_empty=True),
    Screen(
        "scrutiny sample", STAFF, "/backoffice/scrutiny/samples/{sample_id}", screenshot="scrutiny-sample"
    ),
    Screen("scrutiny panel", STAFF, "/backoffice/scrutiny/panel"),
    Screen("scrutiny panel sample", STAFF, "/backoffice/scrutiny/panel/{sample_id}"),
    Screen(
        "scrutiny panel case",
        STAFF,
        "/backoffice/scrutiny/panel/{sample_id}/{case_key}",
        screenshot="panel-case",
    ),
    Screen(
        "scrutiny panel case, with errors",
        STAFF,
        "/backoffice/scrutiny/panel/{sample_id}/{case_key}",
        submit_empty=True,
    ),
    Screen("action plan", STAFF, "/backoffice/action-plan"),
    Screen("action plan, with errors", STAFF, "/backoffice/action-plan?owner=nobody", status=400),
    Screen("my actions", STAFF, "/backoffice/action-plan/mine"),
    Screen("action", STAFF, "/backoffice/action-plan/actions/{action_id}"),
    Screen("add an action", STAFF, "/backoffice/action-plan/actions/new"),
    Screen("add an action, with errors", STAFF, "/backoffice/action-plan/actions/new", submit_empty=True),
    Screen("add a recommendation", STAFF, "/backoffice/action-plan/recommendations/new"),
    Screen("add a theme", STAFF, "/backoffice/action-plan/themes/new"),
    Screen("staff accounts", STAFF, "/backoffice/staff", screenshot="staff-list"),
    Screen("create a staff account", STAFF, "/backoffice/staff/new"),
    Screen("create a staff account, with errors", STAFF, "/backoffice/staff/new", submit_empty=True),
    Screen("staff member", STAFF, "/backoffice/staff/{member_id}", screenshot="staff-member"),
    Screen("staff member, not set up yet", STAFF, "/backoffice/staff/{new_member_id}"),
    Screen("records systems", STAFF, "/backoffice/api-clients", screenshot="records-systems"),
    Screen("register a records system", STAFF, "/backoffice/api-clients/new"),
    Screen("register a records system, with errors", STAFF, "/backoffice/api-clients/new", submit_empty=True),
    Screen(
        "records system registered",
        STAFF,
        "/backoffice/api-clients/new",
        then=register_a_records_system,
        screenshot="records-system-registered",
    ),
    # The versions of the Victims' Code (a made-up later one waits for its date).
    Screen("victims' code versions", STAFF, "/backoffice/code-versions", screenshot="code-versions"),
    Screen("victims' code versions, with errors", STAFF, "/backoffice/code-versions", submit_empty=True),
    # Crime data integrity audits.
    Screen("data integrity audits", STAFF, "/backoffice/audits"),
    Screen("plan an audit", STAFF, "/backoffice/audits/new", screenshot="plan-an-audit"),
    Screen("plan an audit, with errors", STAFF, "/backoffice/audits/new", submit_empty=True),
    Screen("an audit's sample", STAFF, "/backoffice/audits/{cdi_audit_id}", screenshot="cdi-audit"),
    Screen("an audited record, judged", STAFF, "/backoffice/audits/{cdi_audit_id}/records/1"),
    Screen(
        "an audit's results",
        STAFF,
        "/backoffice/audits/{cdi_audit_id}/results",
        screenshot="cdi-audit-results",
    ),
    Screen("results across audits", STAFF, "/backoffice/audits/results"),
    Screen(
        "an audited record, with errors",
        STAFF,
        "/backoffice/audits/{cdi_audit_id}/records/1",
        submit_empty=True,
    ),
    Screen("audit findings", STAFF, "/backoffice/findings", screenshot="cdi-findings"),
    Screen("an audit's findings", STAFF, "/backoffice/audits/{cdi_findings_audit_id}/findings"),
    Screen("a finding", STAFF, FINDING + "/finding", screenshot="cdi-finding"),
    Screen("put a finding right, with errors", STAFF, FINDING + "/finding/put-right", submit_empty=True),
    Screen("dispute a finding", STAFF, FINDING + "/finding/dispute"),
    Screen("dispute a finding, with errors", STAFF, FINDING + "/finding/dispute", submit_empty=True),
    Screen("rule on a dispute", STAFF, "/backoffice/audits/{cdi_findings_audit_id}/records/2/ruling"),
    Screen(
        "rule on a dispute, with errors",
        STAFF,
        "/backoffice/audits/{cdi_findings_audit_id}/records/2/ruling",
        submit_empty=True,
    ),
    Screen("incidents", STAFF, "/backoffice/incidents", screenshot="incidents"),
    Screen("incidents awaiting sign-off", STAFF, "/backoffice/incidents?show=awaiting_sign_off"),
    Screen("incident with its crimes", STAFF, "/backoffice/incidents/INC/2026/000101", screenshot="incident"),
    Screen("incident awaiting sign-off", STAFF, "/backoffice/incidents/INC/2026/000102"),
    Screen("incident, N100", STAFF, "/backoffice/incidents/INC/2026/000103"),
    Screen("decide not to record", STAFF, "/backoffice/incidents/INC/2026/000104/not-recorded"),
    Screen(
        "decide not to record, with errors",
        STAFF,
        "/backoffice/incidents/INC/2026/000104/not-recorded",
        submit_empty=True,
    ),
    Screen("audit trail", STAFF, "/backoffice/audit", screenshot="audit-trail"),
    Screen("audit trail, nothing found", STAFF, "/backoffice/audit?action=nothing.here"),
    Screen("audit trail, with filter errors", STAFF, AUDIT_FILTER_ERRORS, status=400),
    # Last: it uses up the reader's attempts at the form.
    Screen(
        "too many attempts",
        VISITOR,
        "/forgot-password",
        status=429,
        then=until_throttled,
        screenshot="too-many-attempts",
    ),
]

axe = Axe()

# Violations we accept, as {rule: CSS classes whose elements it may flag}. Keep this
# short and say why. GOV.UK Frontend places the back link before <main>, outside any
# landmark, on purpose (so that "Skip to main content" skips it), which axe's
# best-practice "region" rule flags; GOV.UK has decided to keep it there
# (alphagov/govuk-frontend#6460, alphagov/govuk-design-system#5024).
# GOV.UK Frontend also sets aria-expanded on a radio that reveals a conditional question,
# which ARIA does not yet allow on radios: kept on purpose because screen readers announce
# it and research found no barrier (alphagov/govuk-frontend#979, a documented known issue).
ACCEPTED = {"region": ("govuk-back-link",), "aria-allowed-attr": ("govuk-radios__input",)}


def _accepted(rule: str, node: dict) -> bool:
    opening_tag = node["html"].split(">", 1)[0]
    classes = re.search(r'class="([^"]*)"', opening_tag)
    return bool(classes) and any(c in classes.group(1).split() for c in ACCEPTED.get(rule, ()))


def violations(results: AxeResults) -> AxeResults:
    """The results without the accepted violations."""
    kept = []
    for violation in results.response["violations"]:
        nodes = [n for n in violation["nodes"] if not _accepted(violation["id"], n)]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return AxeResults({"violations": kept})


def _link(messages, pattern: str, to: str | None = None) -> str:
    """The token in the one link sent (to `to`, if given) that matches `pattern` (a path
    before the token)."""
    [token] = [
        m.group(1)
        for msg in messages()
        if (m := re.search(pattern + r"([A-Za-z0-9_-]+)", msg["body"])) and to in (None, msg["to"])
    ]
    return token


def build_scenario(messages) -> dict:
    """An officer, who is also a supervisor, a designated decision maker and an
    administrator, with 30 crimes (two pages of cases).
    One crime has three victims (signed up, invited, not invited) and a timeline with
    an update for the victim, a staff-only update, an internal note, a stage change and
    an outcome. The signed-up victim has asked to reset their password; a new member of
    staff has been sent a set-up link; another has a password but no authenticator app.
    Two records systems are registered for the API, one of them since revoked."""
    team = factories.team("Response team")
    officer = factories.staff(
        team, roles=("officer", "supervisor", "ddm", "admin", "fcr", "panel"), name="Sam Taylor"
    )
    colleague = factories.staff(team, name="Alex Morgan")
    enrolling = factories.staff(factories.team("Control room"), roles=("supervisor",), name="Chris Jones")
    enrolling.totp_secret = None
    db.session.commit()
    for n in range(29):
        factories.crime(officer, reference=f"43/{10000 + n:05d}/26")
    crime = factories.crime(officer, reference="43/20001/26")
    signed_up = factories.active_victim(crime, officer, name="Jane Doe")
    referral = db.session.scalar(
        select(Entitlement).where(Entitlement.crime_victim_id == signed_up.id, Entitlement.rule == "referral")
    )
    invited = factories.victim(crime, officer, name="Rhys Evans", language="cy")
    factories.victim(crime, officer, name="Pat Lee", email="")
    factories.update(
        crime,
        officer,
        kind="arrest",
        text="We arrested a man this morning.",
        note="Suspect is the ex-partner; see intelligence log 4471.",
    )
    factories.update(crime, officer, text="CCTV requested from the shop.", visible=False)
    crimes.change_stage(crime, "suspect_identified", "We have spoken to the suspect.", True, officer)
    crimes.record_outcome(crime, 1, "The first hearing is at the magistrates’ court.", True, officer)
    # At court: the first hearing listed a fortnight ahead, on the victim's case page.
    court.record_event(
        crime,
        court.CourtEventDetails(
            kind="first_hearing_listed",
            occurred_at=utcnow(),
            court="Cardiff Magistrates’ Court",
            starts_at=utcnow() + timedelta(days=14),
        ),
        officer,
    )
    victim_accounts.invite(invited, by=officer)
    # A child victim whose parent is the signed-up victim: once she confirms, her account
    # follows the child's case. Another child, with no parent or guardian recorded yet.
    child = factories.child(crime, officer, age=13, name="Sam Doe")
    factories.guardian(child, officer, email=signed_up.victim.email, active=False)
    victim_accounts.invite_guardian(child, by=officer)
    victims.confirm_case(signed_up.victim, child.public_id)
    unrecorded_child = factories.child(crime, officer, age=15, name="Ali Doe")
    victim_accounts.request_reset(signed_up.victim.email)
    # A request to her counsellor for information about her, and the notice it owes.
    information_requests.record_request(
        signed_up,
        information_requests.RequestDetails(
            recipient_kind="counsellor",
            recipient_name="Riverside Counselling",
            information_sought="Notes of your sessions since the burglary.",
            purpose="To check what you told the counsellor about that night.",
            handling="Kept with the case file; shared only with the Crown Prosecution Service.",
            requested_at=utcnow(),
        ),
        officer,
    )
    # A conversation: the victim's first message waited a fortnight for a reply, and
    # there is a new one; a notice to the victim who asked for texts could not be sent.
    weeks_ago = utcnow() - timedelta(days=14)
    db.session.add(
        SecureMessage(
            crime_victim_id=signed_up.id,
            crime_id=crime.id,
            sender="victim",
            to_staff_id=officer.id,
            body="Is there any news about the CCTV?",
            sent_at=weeks_ago,
        )
    )
    db.session.commit()
    secure_messages.send_from_staff(signed_up, "We have the footage and are going through it.", officer)
    secure_messages.send_from_victim(
        signed_up, "Thank you.\nA grey van was parked outside that night.", signed_up.victim
    )
    victims_code_actions.change_contact_plan(
        signed_up,
        frequency_days=28,
        channel="sms",
        language="en",
        safe_to_contact=True,
        opted_out=False,
        note=None,
        by=officer,
        intermediary=Intermediary("Jo Adviser", "isva", "01632 960000"),
    )
    # The victim chose to hear through her adviser, every fortnight: on the officer's tasks.
    contact_preferences.change(
        signed_up,
        signed_up.victim,
        frequency_days=14,
        channel="intermediary",
        language="en",
        interpreter_language=None,
    )
    factories.update(crime, officer, text="The CCTV shows a van.")
    # Another crime of the same victim, which the officer decided not to investigate further.
    filed = factories.crime(officer, reference="43/20002/26")
    filed_link = factories.same_person(filed, signed_up.victim, officer)
    updates.post_update(
        filed,
        kind="not_investigated",
        victim_text="We have looked at all the information we have.",
        internal_note=None,
        visible=True,
        by=officer,
        factors=["solvability", "resources"],
    )
    item = _property(crime, officer, signed_up, invited)
    details = staff.StaffDetails("Dana Price", "7001", "dana.price@police.example", team.id, ["officer"])
    newcomer = staff.create_member(details, by=officer)
    # Out-of-court disposals, a scrutiny sample of them, one case graded.
    approver = factories.staff(team, roles=("supervisor",), name="Sergeant Kim Hale")
    for n in range(3):
        factories.out_of_court_disposal(
            officer, approver, outcome=(3, 8, 6)[n], reference=f"43/{30000 + n}/26"
        )
    sample = factories.scrutiny_sample(officer, 3, seed=2027)
    cases = db.session.scalars(select(ScrutinyCase).order_by(ScrutinyCase.position)).all()
    scrutiny.grade_case(cases[1], 2, dict.fromkeys(CRITERIA, "met"), "The history check was brief.", officer)
    _incidents(team, officer, crime)
    cdi_audit = _cdi_audit(team, officer, crime)
    cdi_findings_audit = _cdi_findings(officer)
    api_clients.register("Niche RMS", ["crimes:write", "crimes:read", "victims:invite"], by=officer)
    retired, _secret = api_clients.register("Athena", ["reports:read"], by=officer)
    api_clients.revoke(retired, by=officer)
    recommendation = action_plan.create_recommendation(
        source="inspection",
        source_title="Crime data integrity inspection 2014",
        source_date=date(2014, 8, 21),
        reference="Recommendation 3",
        text="Victims should be told when a crime is cancelled, and why.",
        by=officer,
    )
    action = action_plan.create_action(
        recommendation_id=recommendation.id,
        title="Tell every victim when their crime is cancelled",
        description=None,
        theme="victim_focus",
        owner=str(officer.id),
        due_on=calendar.local_date(utcnow()),
        comment="Agreed at the board.",
        by=officer,
    )
    action_plan.change_status(action, "in_progress", "Letters drafted.", officer)
    return {
        "action_id": action.id,
        "staff_email": officer.email,
        "signing_in_email": colleague.email,
        "enrolling_email": enrolling.email,
        "victim_email": signed_up.victim.email,
        "crime_id": crime.id,
        "public_id": signed_up.public_id,
        "filed_public_id": filed_link.public_id,
        "child_public_id": child.public_id,
        "child_link_id": child.id,
        "unrecorded_child_link_id": unrecorded_child.id,
        "filed_crime_id": filed.id,
        "link_id": signed_up.id,
        "item_id": item.id,
        "entitlement_id": referral.id,
        "member_id": colleague.id,
        "new_member_id": newcomer.id,
        "sample_id": sample.id,
        "cdi_audit_id": cdi_audit.id,
        "cdi_findings_audit_id": cdi_findings_audit.id,
        "case_key": cases[0].case_key,
        # Sending these fails the notice by text: the victim gave no mobile number.
        # The invitation to set up an account (the signed-up victim's to her second case aside).
        "token": _link(messages, "/activate/", to=invited.victim.email),
        "reset_token": _link(messages, "/reset-password/"),
        "set_up_token": _link(messages, "/backoffice/set-up/"),
    }


def _property(crime, officer, signed_up, other):
    """The victim's laptop, found and its return being arranged; her door, damaged; and
    another victim's bicycle, which she never sees."""
    found = utcnow() - timedelta(hours=20)
    item = factories.property_item(
        crime,
        officer,
        signed_up,
        description="Silver laptop",
        status="return_arranging",
        held_at=found,
        return_details="Collect it from the front desk at Central police station, 9am to 4pm on weekdays.",
        officer_note="Fingerprinted; the lab has finished with it.",
    )
    factories.property_item(
        crime, officer, signed_up, kind="damaged", description="Back door", value_pence=42000
    )
    factories.property_item(crime, officer, other, description="Red bicycle")
    return item


def _cdi_audit(team, officer, crime):
    """A crime data integrity audit of two violence incidents, one of them judged."""
    for n in (1, 2):
        db.session.add(
            Incident(
                reference=f"INC/2026/00020{n}",
                received_at=crime.reported_at,
                route="control_room",
                disclosed_crime=True,
                offence_group="violence",
                summary="A neighbour pushed the caller in the street.",
                team=team,
            )
        )
    db.session.commit()
    today = calendar.local_date(utcnow())
    audit = cdi_audits.create_audit(
        "Summer audit", today - timedelta(days=30), today, {"violence": 2}, 7, officer
    )
    answers = dict.fromkeys(cdi_checklist("violence"), "yes") | {"n100_resolved": "not_applicable"}
    cdi_audits.judge(cdi_audits.record_at(audit, 1), answers, "yes", "Recorded within two hours.", officer)
    return audit


def _cdi_findings(officer):
    """A second audit of the same incidents, both failed: one finding to put right or
    dispute, the other disputed and waiting for the registrar's ruling."""
    today = calendar.local_date(utcnow())
    audit = cdi_audits.create_audit(
        "Spring audit", today - timedelta(days=30), today, {"violence": 2}, 8, officer
    )
    answers = dict.fromkeys(cdi_checklist("violence"), "yes") | {"within_24_hours": "no"}
    for position in (1, 2):
        cdi_audits.judge(
            cdi_audits.record_at(audit, position), answers, "no", "Recorded after three days.", officer
        )
    cdi_rulings.dispute(cdi_findings.finding(officer, audit, 2), "The call came in at midnight.", officer)
    return audit


def _incidents(team, officer, crime) -> None:
    """Four incidents: the crime's (the principal, with another crime of the officer's
    linked to it), a rude message not recorded awaiting the supervisor's sign-off, an
    N100 resolved as rape, and a possible crime waiting for a decision."""
    received = crime.reported_at - timedelta(hours=2)
    rows = [
        Incident(
            reference=f"INC/2026/00010{n}", received_at=received, route=route, disclosed_crime=True, team=team
        )
        for n, route in ((1, "control_room"), (2, "online"), (3, "front_counter"))
    ]
    rows[0].summary = "Caller found the back door forced."
    rows[2].n100, rows[2].n100_resolution, rows[2].n100_resolved_at = True, "recorded_rape", crime.reported_at
    db.session.add_all(rows)
    factories.undecided_incident(team, received, "INC/2026/000104")
    db.session.commit()
    other = db.session.scalar(select(Crime).where(Crime.reference == "43/10000/26"))
    with unit_of_work():
        incidents.group_crimes(rows[0], [crime, other], crime, officer)
        incidents.decide_not_to_record(
            rows[1],
            incidents.Decision(
                "offensive_message", "One rude message; no threat.", received, by_staff=officer
            ),
            officer,
        )


def choose_language(page: Page, language: str, then: str) -> None:
    """Choose the language as a reader would, through the language switch link."""
    page.goto(f"/language/{language}?next={then}")
    expect(page.locator("html")).to_have_attribute("lang", language)


def scan(page: Page, screen: Screen, ids: dict, language: str) -> tuple[str, str] | None:
    """Show the screen and run axe on it; a one-line summary and a full report of its
    violations, or None."""
    path = screen.path.format(**ids)
    response = page.goto(path)
    assert page.url.endswith(path), f"{screen.name}: {path} went to {page.url}"
    if screen.then:
        assert response is not None and response.ok, (
            f"{screen.name}: {path} answered {response and response.status}"
        )
        response = screen.then(page)
    assert response is not None and response.status == screen.status, (
        f"{screen.name}: {path} answered {response and response.status}, not {screen.status}"
    )
    if screen.submit_empty:
        page.locator("main form #submit").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()  # the page sent back
        page.wait_for_load_state()  # and its scripts have run
    expect(page.locator("html")).to_have_attribute("lang", language)
    if screen.screenshot:
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=ARTIFACTS / f"{screen.screenshot}-{language}.png", full_page=True)
    results = violations(axe.run(page))
    if results.violations_count == 0:
        return None
    done = (
        ", submitted empty"
        if screen.submit_empty
        else f", then {screen.then.__name__}"
        if screen.then
        else ""
    )
    where = f"{screen.name} ({path}{done})"
    rules = ", ".join(f"{v['id']} ({len(v['nodes'])})" for v in results.response["violations"])
    return f"{where}: {rules}", f"--- {where} ---\n{results.generate_report()}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_axe_violations(app, new_context, messages, artifacts, language, monkeypatch):
    add_later_code(monkeypatch)
    with app.app_context():
        ids = build_scenario(messages)

    readers = {who: new_context().new_page() for who in (VISITOR, VICTIM, STAFF, SIGNING_IN, ENROLLING)}
    choose_language(readers[VISITOR], language, "/")
    choose_language(readers[VICTIM], language, "/sign-in")
    victim_sign_in(readers[VICTIM], ids["victim_email"])
    choose_language(readers[STAFF], language, "/backoffice/sign-in")
    staff_sign_in(readers[STAFF], ids["staff_email"])
    choose_language(readers[SIGNING_IN], language, "/backoffice/sign-in")
    staff_password_step(readers[SIGNING_IN], ids["signing_in_email"], "**/backoffice/sign-in/code")
    choose_language(readers[ENROLLING], language, "/backoffice/sign-in")
    staff_password_step(
        readers[ENROLLING], ids["enrolling_email"], "**/backoffice/sign-in/set-up-authenticator"
    )

    reports = [scan(readers[screen.who], screen, ids, language) for screen in SCREENS]
    failures = [report for report in reports if report]
    assert not failures, (
        f"axe found violations on {len(failures)} of {len(SCREENS)} pages in {language!r}:\n"
        + "\n".join(f"  {summary}" for summary, _ in failures)
        + "\n\n"
        + "\n\n".join(report for _, report in failures)
    )
