"""A link to a page past the end of a list (an old bookmark, a list that has shrunk since,
a page number typed by hand) shows the list's last page, marked as the current one, and
never an empty list or a message that there is nothing to show. Every list shown a page
at a time, in the back office and the portal, is asked for page 99 here. A list shown only
in part ends at its limit instead, and says so only when something is left out."""

from datetime import UTC, datetime, timedelta

from backoffice.views import messages as backoffice_messages
from backoffice.views import presenters
from shared.extensions import db
from shared.models import ApiClient, AuditEvent, OutboxMessage, SecureMessage, StaffMember
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


def test_the_team_s_crimes_and_a_search_show_their_last_page(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    team = factories.team()
    officer = factories.staff(team)
    colleague = factories.staff(team)
    for n in range(3):
        factories.crime(colleague, reference=f"43/0000{n}/26")
    client = _client(app, officer)

    everything = _page_99(client, "/backoffice/cases?view=all", last=2)
    assert "There are no crimes to show." not in everything.main_text
    assert _texts(everything, "tbody td:first-child") == ["43/00000/26"]

    found = _page_99(client, "/backoffice/cases?q=43/", last=2)
    assert "No crimes you can see have a reference starting with" not in found.main_text
    assert _texts(found, "tbody td:first-child") == ["43/00000/26"]


def test_the_crime_page_shows_the_last_page_of_its_timeline_and_of_its_victims(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "TIMELINE_PER_PAGE", 2)
    monkeypatch.setitem(app.config, "VICTIMS_PER_PAGE", 2)
    officer = factories.staff()
    crime = factories.crime(officer)
    for n in range(3):
        factories.victim(crime, officer, name=f"Person {n}")
        factories.update(crime, officer, text=f"Update {n}")
    client = _client(app, officer)
    path = f"/backoffice/crimes/{crime.id}"

    timeline = _page_99(client, path, last=2, label="Pages of the timeline")
    assert "Showing updates 3 to 3 of 3, newest first" in timeline.main_text
    assert _texts(timeline, ".moj-timeline__description p.govuk-body") == ["Update 0"]

    victims = _page_99(client, path, last=2, label="Pages of victims", arg="victims_page")
    assert "Showing victims 3 to 3 of 3" in victims.main_text
    assert _texts(victims, ".govuk-summary-card__title") == ["Person 2"]


def test_a_thread_shows_its_last_page_of_messages_to_the_officer(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MESSAGES_PER_PAGE", 4)
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.thread(link, officer, 3)  # 6 messages
    client = _client(app, officer)

    page = _page_99(client, f"/backoffice/crimes/{crime.id}/victims/{link.id}/messages", last=2)
    assert "Showing messages 5 to 6 of 6, newest first" in page.main_text
    assert _texts(page, ".govuk-summary-card__content") == ["Answer 0", "Question 0"]


def test_the_audit_search_shows_its_last_page_of_results(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_PER_PAGE", 2)
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for n in range(3):
        db.session.add(
            AuditEvent(occurred_at=start + timedelta(minutes=n), actor_type="system", action=f"test.event{n}")
        )
    db.session.commit()
    client = _client(app, factories.staff(roles=("admin",)))

    page = _page_99(client, "/backoffice/audit?action=test.*", last=2)
    assert "No events match these filters." not in page.main_text
    assert [row.select("td")[2].get_text(strip=True) for row in page.soup.select("tbody tr")] == [
        "test.event0"
    ]
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


def test_the_staff_list_and_the_records_systems_list_show_their_last_page(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PER_PAGE", 2)
    team = factories.team()
    admin = factories.staff(team, roles=("admin",), name="Aaron Admin")
    for n in range(3):
        db.session.add(
            StaffMember(
                name=f"Zed {n}", collar_number=f"9{n}", email=f"zed{n}@police.example", team_id=team.id
            )
        )
        db.session.add(
            ApiClient(name=f"System {n}", client_id=f"tmc-{n}", secret_hash="x", scopes="crimes:write")
        )
    db.session.commit()
    client = _client(app, admin)

    staff = _page_99(client, "/backoffice/staff", last=2)
    assert [row.select_one("td").get_text(strip=True) for row in staff.soup.select("tbody tr")] == [
        "Zed 1",
        "Zed 2",
    ]

    systems = _page_99(client, "/backoffice/api-clients", last=2)
    assert _texts(systems, "#api-clients tbody th") == ["System 2"]
    assert "Registered records systems: 3" in systems.main_text


# ------------------------------------------------------------------------ the portal


def test_a_victim_sees_the_last_page_of_their_crimes(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer, reference="43/00001/26"), officer)
    for n in (2, 3):
        factories.same_person(factories.crime(officer, reference=f"43/0000{n}/26"), link.victim, officer)
    client = _client(app, link.victim, portal=True)

    page = _page_99(client, "/cases", last=2)
    assert "There are no crimes linked to your account yet." not in page.main_text
    assert "Showing crimes 3 to 3 of 3, newest first" in page.main_text
    assert "43/00001/26" in page.main_text and "43/00002/26" not in page.main_text


def test_a_victim_sees_the_last_page_of_the_updates_on_their_case(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "TIMELINE_PER_PAGE", 2)
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    for n in range(3):
        factories.update(crime, officer, text=f"Update {n}")
    client = _client(app, link.victim, portal=True)

    page = _page_99(client, f"/cases/{link.public_id}", last=2)
    assert "There are no updates yet." not in page.main_text
    assert "Showing updates 3 to 3 of 3, newest first" in page.main_text
    assert _texts(page, ".app-updates p.govuk-body") == ["Update 0"]


def test_a_victim_sees_the_last_page_of_their_messages(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MESSAGES_PER_PAGE", 4)
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    factories.thread(link, officer, 3)  # 6 messages
    client = _client(app, link.victim, portal=True)

    page = _page_99(client, f"/cases/{link.public_id}/messages", last=2)
    assert "There are no messages yet." not in page.main_text
    assert "Showing messages 5 to 6 of 6, newest first" in page.main_text
    assert _texts(page, "#your-messages ~ ol p.govuk-body") == ["Answer 0", "Question 0"]


# ------------------------------------------------------- lists shown only in part


def test_the_unanswered_list_says_it_stops_short_only_when_more_are_waiting(app, ctx, monkeypatch):
    monkeypatch.setattr(backoffice_messages, "UNANSWERED_SHOWN", 2)
    team = factories.team()
    supervisor = factories.staff(team, roles=("officer", "supervisor"))
    officer = factories.staff(team)
    client = _client(app, supervisor)

    def waiting(days):
        link = factories.active_victim(factories.crime(officer, reference=f"43/000{days}/26"), officer)
        db.session.add(
            SecureMessage(
                crime_victim_id=link.id,
                crime_id=link.crime_id,
                sender="victim",
                to_staff_id=officer.id,
                body="Hello?",
                sent_at=utcnow() - timedelta(days=days),
            )
        )
        db.session.commit()

    waiting(30)
    waiting(31)

    def references(page):
        # The link's text, without what it says only to screen readers.
        return [
            a.find(string=True, recursive=False).strip()
            for a in page.soup.select("main tbody td:nth-of-type(2) a")
        ]

    page = client.get("/backoffice/messages/unanswered")
    assert references(page) == ["43/00031/26", "43/00030/26"]
    assert "longest waiting." not in page.main_text

    waiting(32)
    page = client.get("/backoffice/messages/unanswered")
    assert references(page) == ["43/00032/26", "43/00031/26"]
    assert "Showing the 2 longest waiting." in page.main_text


def test_the_messages_that_could_not_be_sent_say_they_stop_short_only_when_older_ones_wait(
    app, ctx, monkeypatch
):
    monkeypatch.setattr(presenters, "FAILED_SHOWN", 2)
    officer = factories.staff()
    crime = factories.crime(officer)
    client = _client(app, officer)
    path = f"/backoffice/crimes/{crime.id}"

    def failed(name, hours_ago):
        link = factories.victim(crime, officer, name=name)
        db.session.add(
            OutboxMessage(
                kind="new_update",
                victim_id=link.victim_id,
                crime_id=crime.id,
                status="failed",
                reason="bounced",
                finished_at=utcnow() - timedelta(hours=hours_ago),
            )
        )
        db.session.commit()

    failed("Alex Older", 2)
    failed("Bea Newer", 1)
    page = client.get(path)
    assert page.main_text.index("Bea Newer was not sent") < page.main_text.index("Alex Older was not sent")
    assert "Mark them as dealt with to see older ones." not in page.main_text

    failed("Cal Oldest", 3)
    page = client.get(path)
    assert "Bea Newer was not sent" in page.main_text and "Alex Older was not sent" in page.main_text
    assert "Cal Oldest was not sent" not in page.main_text
    assert "These are the latest 2. Mark them as dealt with to see older ones." in page.main_text
