"""axe-core on every page of both blueprints, in English and in Welsh.

Each page is one line in SCREENS. A test per language signs in once as each kind of
reader (nobody, a victim, an officer), visits every screen, and fails with a report of
all the violations it found, page by page."""

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from shared.services import crimes, victims
from tests import factories
from tests.browser.conftest import staff_sign_in, victim_sign_in
from tests.conftest import activation_path

pytestmark = pytest.mark.browser

VISITOR, VICTIM, STAFF = "visitor", "victim", "staff"
LANGUAGES = ["en", "cy"]


@dataclass(frozen=True)
class Screen:
    """A page to scan. `path` is formatted with the scenario's ids; `submit_empty`
    sends the form on it with nothing filled in, to scan the page showing errors."""

    name: str
    who: str
    path: str
    status: int = 200
    submit_empty: bool = False


CRIME = "/backoffice/crimes/{crime_id}"
SCREENS = [
    # The victims' portal.
    Screen("start page", VISITOR, "/"),
    Screen("sign in", VISITOR, "/sign-in"),
    Screen("sign in, with errors", VISITOR, "/sign-in", submit_empty=True),
    Screen("signed out", VISITOR, "/signed-out"),
    Screen("set up your account", VISITOR, "/activate/{token}"),
    Screen("set up your account, with errors", VISITOR, "/activate/{token}", submit_empty=True),
    Screen("activation link not valid", VISITOR, "/activate/not-a-real-token", status=404),
    Screen("page not found", VISITOR, "/no-such-page", status=404),
    Screen("your crimes", VICTIM, "/cases"),
    Screen("your case", VICTIM, "/cases/{public_id}"),
    Screen("case not found, signed in", VICTIM, "/cases/not-a-case", status=404),
    # The back office.
    Screen("staff sign in", VISITOR, "/backoffice/sign-in"),
    Screen("staff sign in, with errors", VISITOR, "/backoffice/sign-in", submit_empty=True),
    Screen("my cases", STAFF, "/backoffice/cases"),
    Screen("my cases, page 2", STAFF, "/backoffice/cases?page=2"),
    Screen("search results", STAFF, "/backoffice/cases?q=43/1000"),
    Screen("search, nothing found", STAFF, "/backoffice/cases?q=99/"),
    Screen("record a crime", STAFF, "/backoffice/crimes/new"),
    Screen("record a crime, with errors", STAFF, "/backoffice/crimes/new", submit_empty=True),
    Screen("crime", STAFF, CRIME),
    Screen("post an update", STAFF, CRIME + "/updates/new"),
    Screen("post an update, with errors", STAFF, CRIME + "/updates/new", submit_empty=True),
    Screen("change stage", STAFF, CRIME + "/stage"),
    Screen("record outcome", STAFF, CRIME + "/outcome"),
    Screen("add a victim", STAFF, CRIME + "/victims/new"),
    Screen("add a victim, with errors", STAFF, CRIME + "/victims/new", submit_empty=True),
    Screen("crime not found", STAFF, "/backoffice/crimes/999999", status=404),
]

axe = Axe()

# Violations we accept, as {rule: CSS classes whose elements it may flag}. Keep this
# short and say why. GOV.UK Frontend places the back link before <main>, outside any
# landmark, on purpose (so that "Skip to main content" skips it), which axe's
# best-practice "region" rule flags; GOV.UK has decided to keep it there
# (alphagov/govuk-frontend#6460, alphagov/govuk-design-system#5024).
ACCEPTED = {"region": ("govuk-back-link",)}


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


def build_scenario(messages) -> dict:
    """An officer with 30 crimes (two pages of cases). One crime has three victims
    (signed up, invited, not invited) and a timeline with an update for the victim,
    a staff-only update, an internal note, a stage change and an outcome."""
    team = factories.team("Response team")
    officer = factories.staff(team, name="Sam Taylor")
    factories.staff(team, name="Alex Morgan")
    for n in range(29):
        factories.crime(officer, reference=f"43/{10000 + n:05d}/26")
    crime = factories.crime(officer, reference="43/20001/26")
    signed_up = factories.active_victim(crime, officer, name="Jane Doe")
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
    victims.invite(invited, by=officer)
    [invitation] = messages()
    return {
        "staff_email": officer.email,
        "victim_email": signed_up.victim.email,
        "crime_id": crime.id,
        "public_id": signed_up.public_id,
        "token": activation_path(invitation).rsplit("/", 1)[1],
    }


def choose_language(page: Page, language: str, then: str) -> None:
    """Choose the language as a reader would, through the language switch link."""
    page.goto(f"/language/{language}?next={then}")
    expect(page.locator("html")).to_have_attribute("lang", language)


def scan(page: Page, screen: Screen, ids: dict, language: str) -> tuple[str, str] | None:
    """Show the screen and run axe on it; a one-line summary and a full report of its
    violations, or None."""
    path = screen.path.format(**ids)
    response = page.goto(path)
    assert response is not None and response.status == screen.status, (
        f"{screen.name}: {path} answered {response and response.status}, not {screen.status}"
    )
    assert page.url.endswith(path), f"{screen.name}: {path} went to {page.url}"
    if screen.submit_empty:
        page.locator("main form #submit").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()  # the page sent back
        page.wait_for_load_state()  # and its scripts have run
    expect(page.locator("html")).to_have_attribute("lang", language)
    results = violations(axe.run(page))
    if results.violations_count == 0:
        return None
    where = f"{screen.name} ({path}{', submitted empty' if screen.submit_empty else ''})"
    rules = ", ".join(f"{v['id']} ({len(v['nodes'])})" for v in results.response["violations"])
    return f"{where}: {rules}", f"--- {where} ---\n{results.generate_report()}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_axe_violations(app, new_context, messages, language):
    with app.app_context():
        ids = build_scenario(messages)

    readers = {who: new_context().new_page() for who in (VISITOR, VICTIM, STAFF)}
    choose_language(readers[VISITOR], language, "/")
    choose_language(readers[VICTIM], language, "/sign-in")
    victim_sign_in(readers[VICTIM], ids["victim_email"])
    choose_language(readers[STAFF], language, "/backoffice/sign-in")
    staff_sign_in(readers[STAFF], ids["staff_email"])

    reports = [scan(readers[screen.who], screen, ids, language) for screen in SCREENS]
    failures = [report for report in reports if report]
    assert not failures, (
        f"axe found violations on {len(failures)} of {len(SCREENS)} pages in {language!r}:\n"
        + "\n".join(f"  {summary}" for summary, _ in failures)
        + "\n\n"
        + "\n\n".join(report for _, report in failures)
    )
