"""Staff single sign-on and victims' GOV.UK One Login in headless Chromium, against the
real OpenID provider (tests/oidc) running on 127.0.0.1.

The app is served a second time, configured as a force with single sign-on and One
Login turned on, on the loopback port whose callbacks the provider accepts. People
click through the app's pages and the provider's own login and consent pages. The pages
that only such a force shows are scanned with axe, in English and in Welsh."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from shared.factory import create_app
from shared.services import victim_accounts
from tests import factories
from tests.browser.conftest import serve
from tests.browser.test_accessibility import LANGUAGES, VISITOR, Screen, choose_language, scan

pytestmark = pytest.mark.browser

STAFF_BUTTON = "Sign in with your force account"
SET_UP_BUTTON = "Set up with GOV.UK One Login"
ONELOGIN_BUTTON = "Sign in with GOV.UK One Login"


@dataclass(frozen=True)
class Force:
    """The app as a force with single sign-on and One Login, served on `base_url`."""

    app: object
    base_url: str
    issuer: str


@pytest.fixture(scope="module")
def force(app, oidc_provider):
    sso_app = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_BASE_URL": oidc_provider.browser_base_url,
            **oidc_provider.app_config(),
        }
    )
    with serve(sso_app, oidc_provider.browser_port) as base_url:
        yield Force(sso_app, base_url, oidc_provider.issuer)


def sign_in_at_provider(page: Page, login: str) -> Response | None:
    """On the provider's pages: log in as `login` (any password), then consent if it
    asks. Returns the response of the page the provider sends the browser back to."""
    response = None
    for _ in range(3):
        prompt = page.locator("form input[name=prompt]")
        if not prompt.count():
            return response
        if prompt.get_attribute("value") == "login":
            page.locator("input[name=login]").fill(login)
            page.locator("input[name=password]").fill("any-password")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Continue").click()
        response = navigation.value
    raise AssertionError(f"Still at the provider after three pages: {page.url}")


def through_provider(page: Page, button: str | Locator, login: str) -> Response | None:
    """Click the app's button (its name, or a locator) that goes to the provider, and
    sign in there."""
    if isinstance(button, str):
        button = page.get_by_role("button", name=button)
    with page.expect_navigation():
        button.click()
    assert page.locator("form input[name=prompt]").count(), f"not at the provider's login page: {page.url}"
    return sign_in_at_provider(page, login)


def expect_cases(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.evaluate("document.fonts.ready.then(() => true)")


def invitation_url(messages) -> str:
    match = re.search(r"http://127\.0\.0\.1:\d+/activate/[A-Za-z0-9_-]+", messages()[-1]["body"])
    assert match, messages()[-1]["body"]
    return match.group(0)


def test_staff_sign_in_with_single_sign_on(force, new_context, artifacts):
    with force.app.app_context():
        factories.staff(
            factories.team("Response team"), name="Alice Officer", email="alice.officer@police.example"
        )

    page = new_context(force.base_url).new_page()
    page.goto("/backoffice/sign-in")
    response = through_provider(page, STAFF_BUTTON, "alice")

    assert response is not None and response.ok
    page.wait_for_url(f"{force.base_url}/backoffice/cases")
    expect_cases(page, "My cases")
    expect(page.get_by_text("Signed in as Alice Officer")).to_be_visible()
    page.screenshot(path=artifacts / "sso-staff-cases.png", full_page=True)


def test_victim_sets_up_with_one_login_then_signs_in_with_it(force, new_context, messages, artifacts):
    with force.app.app_context():
        officer = factories.staff()
        link = factories.victim(factories.crime(officer), officer, email="victim.one@example.com")
        victim_accounts.invite(link, by=officer)

    # From the invitation email, on their phone.
    victim = new_context(force.base_url).new_page()
    victim.goto(invitation_url(messages))
    expect(victim.get_by_role("heading", level=1)).to_have_text("Set up your account")
    through_provider(victim, SET_UP_BUTTON, "victim-medium")
    victim.wait_for_url(f"{force.base_url}/cases")
    expect_cases(victim, "Your crimes")
    expect(victim.get_by_role("link", name=re.compile(r"^View case"))).to_have_count(1)
    victim.screenshot(path=artifacts / "onelogin-set-up-cases.png", full_page=True)

    # Later, in a browser that has never seen the service or the provider.
    again = new_context(force.base_url).new_page()
    again.goto("/sign-in")
    through_provider(again, ONELOGIN_BUTTON, "victim-medium")
    again.wait_for_url(f"{force.base_url}/cases")
    expect_cases(again, "Your crimes")
    expect(again.get_by_role("link", name=re.compile(r"^View case"))).to_have_count(1)
    again.screenshot(path=artifacts / "onelogin-sign-in-cases.png", full_page=True)


# The pages only a force with single sign-on and One Login shows. Each sign-in through
# the provider is made in a browser of its own, so that the provider's session from
# one does not carry into the next.
VICTIM_VISITOR = "visitor to the victims' pages"


def staff_without_an_account(page: Page) -> Response | None:
    return through_provider(page, page.locator("main a[href='/backoffice/sso/start']"), "sam")


def one_login_not_linked(page: Page) -> Response | None:
    return through_provider(page, page.locator("main a[href='/onelogin/start']"), "victim-medium")


SSO_SCREENS = [
    Screen("staff sign in, with single sign-on", VISITOR, "/backoffice/sign-in"),
    Screen(
        "single sign-on refused, no account",
        VISITOR,
        "/backoffice/sign-in",
        status=403,
        then=staff_without_an_account,
    ),
    Screen("sign in, with One Login", VICTIM_VISITOR, "/sign-in"),
    Screen("set up your account, with One Login", VICTIM_VISITOR, "/activate/{token}"),
    Screen("One Login not linked", VICTIM_VISITOR, "/sign-in", status=403, then=one_login_not_linked),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_single_sign_on_pages_have_no_axe_violations(force, new_context, messages, language):
    with force.app.app_context():
        officer = factories.staff()
        link = factories.victim(factories.crime(officer), officer)
        victim_accounts.invite(link, by=officer)
    ids = {"token": invitation_url(messages).rsplit("/", 1)[1]}

    readers = {who: new_context(force.base_url).new_page() for who in (VISITOR, VICTIM_VISITOR)}
    choose_language(readers[VISITOR], language, "/backoffice/sign-in")
    choose_language(readers[VICTIM_VISITOR], language, "/")

    reports = [scan(readers[screen.who], screen, ids, language) for screen in SSO_SCREENS]
    failures = [report for report in reports if report]
    assert not failures, (
        f"axe found violations on {len(failures)} of {len(SSO_SCREENS)} pages in {language!r}:\n"
        + "\n".join(f"  {summary}" for summary, _ in failures)
        + "\n\n"
        + "\n\n".join(report for _, report in failures)
    )
