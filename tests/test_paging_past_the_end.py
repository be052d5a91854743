"""A link to a page past the end of a list (an old bookmark, a list that has shrunk since,
a page number typed by hand) shows the list's last page, marked as the current one, and
never an empty list or a message that there is nothing to show. Every list shown a page
at a time, in the back office and the portal, is asked for page 99 here. A list shown only
in part ends at its limit instead, and says so only when something is left out."""

from datetime import UTC, datetime, timedelta

from backoffice.views import messages as backoffice_messages
from shared.extensions import db
from shared.models import AuditEvent, SecureMessage
from shared.models.types import utcnow
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as


def _client(app, user, portal=False) -> PageClient:
    client = PageClient(app, portal=portal)
    sign_in_as(client, user)
    return client


def _texts(page, selector) -> list[str]:
    return [tag.get_text(" ", strip=True) for tag in page.soup.select(selector)]


def _current_page(page, label="Pages of results") -> str:
    nav = page.soup.find("nav", attrs={"class": "govuk-pagination", "aria-label": label})
    return nav.select_one(".govuk-pagination__item--current").get_text(strip=True)


def _page_99(client, path, last: int, label="Pages of results", arg="page"):
    """Page 99 of the list at `path` (its page number in `arg`), which holds `last`
    pages: the page answers, and its pagination marks the last page as the current one."""
    joiner = "&" if "?" in path else "?"
    page = client.get(f"{path}{joiner}{arg}=99")
    assert page.status == 200, path
    assert _current_page(page, label) == str(last), path
    return page


# --------------------------------------------------------------------- the back office


def test_an_officer_with_cases_sees_the_last_page_of_them_not_that_they_have_none(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    officer = factories.staff()
    for n in range(3):
        factories.crime(officer, reference=f"43/0000{n}/26")
    client = _client(app, officer)

    page = _page_99(client, "/backoffice/cases", last=2)
    assert "You are not the officer in charge of any crimes" not in page.main_text
    # Newest first: the oldest is alone on the last page.
    assert _texts(page, "tbody td:first-child") == ["43/00000/26"]
    assert "Crimes where you are the officer in charge: 3" in page.main_text


def test_the_audit_search_shows_its_last_page_of_results(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_PER_PAGE", 2)
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for n in range(3):
        db.session.add(AuditEvent(occurred_at=start + timedelta(minutes=n), actor_type="system", action=f"test.event{n}"))
    db.session.commit()
    client = _client(app, factories.staff(roles=("admin",)))

    page = _page_99(client, "/backoffice/audit?action=test.*", last=2)
    assert "No events match these filters." not in page.main_text
    assert [row.select("td")[2].get_text(strip=True) for row in page.soup.select("tbody tr")] == ["test.event0"]
    assert "Events found: 3" in page.main_text


def test_the_officer_s_inbox_shows_its_last_page_of_threads(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    officer = factories.staff()
    for n in range(3):
        link = factories.victim(factories.crime(officer, reference=f"43/0000{n}/26"), officer)
        factories.thread(link, officer, 1)
    client = _client(app, officer)

    page = _page_99(client, "/backoffice/messages", last=2)
    assert "There are no messages yet" not in page.main_text
    # The oldest thread comes last.
    assert _texts(page, "main tbody td:nth-of-type(2)") == ["43/00000/26"]


# ------------------------------------------------------- lists shown only in part


def test_the_unanswered_list_says_it_stops_short_only_when_more_are_waiting(app, ctx, monkeypatch):
    monkeypatch.setattr(backoffice_messages, "UNANSWERED_SHOWN", 2)
    team = factories.team()
    supervisor = factories.staff(team, roles=("officer", "supervisor"))
    officer = factories.staff(team)
    client = _client(app, supervisor)

    def waiting(days):
        link = factories.active_victim(factories.crime(officer, reference=f"43/000{days}/26"), officer)
        db.session.add(SecureMessage(crime_victim_id=link.id, crime_id=link.crime_id, sender="victim", to_staff_id=officer.id,
                                     body="Hello?", sent_at=utcnow() - timedelta(days=days)))
        db.session.commit()

    waiting(30)
    waiting(31)
    def references(page):
        # The link's text, without what it says only to screen readers.
        return [a.find(string=True, recursive=False).strip() for a in page.soup.select("main tbody td:nth-of-type(2) a")]

    page = client.get("/backoffice/messages/unanswered")
    assert references(page) == ["43/00031/26", "43/00030/26"]
    assert "longest waiting." not in page.main_text

    waiting(32)
    page = client.get("/backoffice/messages/unanswered")
    assert references(page) == ["43/00032/26", "43/00031/26"]
    assert "Showing the 2 longest waiting." in page.main_text
