"""The pages a UK public service publishes (accessibility statement, privacy notice,
cookies, help and contact, the phase banner), in English and Welsh, open to anyone and
linked from every page's footer; and what they say follows the code and the settings."""

from contextlib import contextmanager
from datetime import timedelta

import pytest

from tests import factories
from tests.pages import PageClient

PORTAL_PAGES = {
    "/help": ("Help and contact", "Help a chysylltu"),
    "/accessibility": ("Accessibility statement for Track My Crime", "Datganiad hygyrchedd ar gyfer"),
    "/privacy": ("Privacy notice", "Hysbysiad preifatrwydd"),
    "/cookies": ("Cookies", "Cwcis"),
}


@contextmanager
def settings(app, **values):
    """The app's settings changed for the block, then put back."""
    before = {name: app.config[name] for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(before)


def _in_welsh(client: PageClient) -> None:
    client.get("/language/cy?next=/")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_each_page_is_open_to_anyone_in_both_languages_and_in_the_footer(victim_client, language):
    if language == "cy":
        _in_welsh(victim_client)
    start = victim_client.get("/sign-in")
    footer = [a["href"] for a in start.soup.select(".govuk-footer a")]
    assert footer == ["/help", "/accessibility", "/privacy", "/cookies"]
    for path, headings in PORTAL_PAGES.items():
        page = victim_client.get(path)
        assert page.status == 200, path
        assert page.soup.html["lang"] == language
        assert page.h1.startswith(headings[0 if language == "en" else 1]), (path, page.h1)
        # The phase banner, with its feedback link, on every page.
        banner = page.soup.select_one(".govuk-phase-banner")
        assert banner.select_one("a")["href"] == "/help#feedback"


def test_the_cookies_page_lists_exactly_the_cookies_the_service_sets(app, victim_client, ctx):
    crime = factories.crime(factories.staff())
    victim = factories.active_victim(crime, crime.officer_in_charge).victim
    set_by_service: dict[str, list[str]] = {}

    def remember(page):
        for header in page.response.headers.getlist("Set-Cookie"):
            set_by_service.setdefault(header.split("=", 1)[0], []).append(header)
        return page

    remember(victim_client.get("/sign-in"))
    remember(victim_client.victim_sign_in(victim.email, factories.PASSWORD))
    remember(victim_client.get("/cases"))
    remember(victim_client.get("/language/cy?next=/cases"))
    remember(victim_client.post("/sign-out", {"csrf_token": victim_client.get("/cases").csrf()}))

    page = victim_client.get("/cookies")
    listed = [row.select_one("th").get_text(strip=True) for row in page.soup.select("#cookies tbody tr")]
    assert set(listed) == set(set_by_service) == {app.config["SESSION_COOKIE_NAME"], "lang"}
    assert "Pan fyddwch yn cau eich porwr" in page.main_text  # the session cookie's expiry, in Welsh
    assert "1 flwyddyn" in page.main_text
    # The expiries said: the language lasts a year, the session cookie has no expiry of its own.
    assert all("Max-Age=31536000" in header for header in set_by_service["lang"])
    for header in set_by_service[app.config["SESSION_COOKIE_NAME"]]:
        # Set without an expiry (gone when the browser closes), or deleted on signing out.
        deleted = "Max-Age=0;" in header and "1970" in header
        assert deleted or ("Max-Age" not in header and "Expires=" not in header), header


def test_the_privacy_notice_gives_the_retention_periods_the_service_is_set_to(app, victim_client):
    with settings(
        app,
        RETAIN_SESSIONS=timedelta(days=45),
        RETAIN_LINKS=timedelta(days=1),
        RETAIN_NOTIFICATIONS=timedelta(days=120),
    ):
        text = victim_client.get("/privacy").soup.select_one("#retention").get_text(" ", strip=True)
    assert "Sign-in records: 45 days after you signed out" in text
    assert "reset your password: 1 day after they stopped working" in text
    assert "text messages we sent you: 120 days after they were sent" in text
    text = victim_client.get("/privacy").main_text
    assert "Part 3 of the Data Protection Act 2018" in text and "section 35" in text
    assert "Chief Constable of your local police force" in text
    assert "call 101 and ask for the data protection officer" in text


def test_the_force_s_own_name_and_contacts_are_shown_when_set(app, victim_client):
    with settings(
        app,
        FORCE_NAME="Dyfed-Powys Police",
        DATA_PROTECTION_CONTACT="mailto:dpo@police.example",
        ACCESSIBILITY_CONTACT="https://police.example/accessibility-problem",
        FEEDBACK_CONTACT="mailto:feedback@police.example",
    ):
        privacy = victim_client.get("/privacy")
        accessibility = victim_client.get("/accessibility")
        help_page = victim_client.get("/help")
    assert "Chief Constable of Dyfed-Powys Police" in privacy.main_text
    assert [a["href"] for a in privacy.soup.select("main a[href^='mailto:']")] == [
        "mailto:dpo@police.example"
    ]
    assert "It is run by Dyfed-Powys Police." in accessibility.main_text
    assert accessibility.links("accessibility-problem") == ["https://police.example/accessibility-problem"]
    assert help_page.soup.select_one(".govuk-phase-banner a")["href"] == "mailto:feedback@police.example"
    assert "mailto:feedback@police.example" in help_page.links("^mailto:")


def test_the_accessibility_statement_says_what_was_tested_and_how_to_complain(victim_client):
    text = victim_client.get("/accessibility").main_text
    for words in (
        "Web Content Accessibility Guidelines version 2.2 AA",
        "axe-core in the Chromium browser",
        "in English and in Welsh",
        "keyboard only",
        "screen readers",
        "Known issues",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Commission for Northern Ireland (ECNI)",
        "This statement was prepared on 5 December 2026",
    ):
        assert words in text, words


def test_help_and_contact_gives_the_numbers_a_victim_needs(victim_client):
    _in_welsh(victim_client)
    text = victim_client.get("/help").main_text
    for words in ("999", "101", "18001 101", "BSL", "Cefnogi Dioddefwyr", "08 08 16 89 111"):
        assert words in text, words


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_back_office_has_its_own_accessibility_statement_in_its_footer(app, language):
    client = PageClient(app)
    if language == "cy":
        _in_welsh(client)
    sign_in = client.get("/backoffice/sign-in")
    assert [a["href"] for a in sign_in.soup.select(".govuk-footer a")] == ["/backoffice/accessibility"]
    page = client.get("/backoffice/accessibility")
    assert page.status == 200
    assert page.h1 == (
        "Accessibility statement for the Track My Crime back office"
        if language == "en"
        else "Datganiad hygyrchedd ar gyfer swyddfa gefn Olrhain Fy Nhrosedd"
    )
    assert "Ministry of Justice" in page.main_text or "Weinyddiaeth Gyfiawnder" in page.main_text
