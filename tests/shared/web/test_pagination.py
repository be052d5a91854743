"""Lists that grow with the data come a page at a time, newest first: page 2 holds the
older items, a page number that is junk or past the end never breaks the page, and the
histories and Victims' Code rows that are shown only in part say so."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.models import (
    ApiClient,
    ContactPlan,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    OutboxMessage,
    SecureMessage,
    StaffMember,
)
from shared.models.types import utcnow
from shared.services import secure_messages, updates
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

# A NUL byte is not here: every request holding one is refused with 400
# (tests/shared/web/test_hostile_input.py).
JUNK = ["abc", "-1", "0", "1.5", "²", "٣", "99999999999999999999", "", "2%20", "1e3", "0x10"]


def _client(app, user, portal=False) -> PageClient:
    client = PageClient(app, portal=portal)
    sign_in_as(client, user)
    return client


def _titles(page, selector) -> list[str]:
    return [tag.get_text(" ", strip=True) for tag in page.soup.select(selector)]


def _pagination(page, label="Pages of results"):
    return page.soup.find("nav", attrs={"class": "govuk-pagination", "aria-label": label})


def _current(nav) -> str:
    return nav.select_one(".govuk-pagination__item--current").get_text(strip=True)


def _updates(crime, officer, count, **kwargs):
    return [factories.update(crime, officer, text=f"Update {n}", **kwargs) for n in range(count)]


# ------------------------------------------------------------------- the crime's page


def test_the_staff_timeline_comes_newest_first_and_page_2_holds_the_older_updates(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    _updates(crime, officer, 45, note="A note")
    client = _client(app, officer)
    path = f"/backoffice/crimes/{crime.id}"

    first = client.get(path)
    assert "Showing updates 1 to 20 of 45, newest first" in first.main_text
    texts = _titles(first, ".moj-timeline__description p.govuk-body")
    assert "Update 44" in texts and "Update 25" in texts and "Update 24" not in texts
    nav = _pagination(first, "Pages of the timeline")
    assert _current(nav) == "1"
    assert nav.select_one(".govuk-pagination__next a")["href"] == f"{path}?page=2#timeline"

    second = client.get(path + "?page=2")
    assert "Showing updates 21 to 40 of 45, newest first" in second.main_text
    texts = _titles(second, ".moj-timeline__description p.govuk-body")
    assert texts.index("Update 24") < texts.index("Update 5")
    assert "Update 25" not in texts and "Update 4" not in texts
    assert second.main_text.count("Internal note") == 20

    last = client.get(path + "?page=3")
    assert "Showing updates 41 to 45 of 45, newest first" in last.main_text
    assert "Update 0" in last.main_text


@pytest.mark.parametrize("junk", JUNK)
def test_a_junk_page_number_shows_the_first_page_of_the_timeline(app, ctx, junk):
    officer = factories.staff()
    crime = factories.crime(officer)
    _updates(crime, officer, 22)
    page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}?page={junk}&victims_page={junk}")
    assert page.status == 200
    assert "Showing updates 1 to 20 of 22" in page.main_text


def test_a_page_past_the_end_shows_the_last_page(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    _updates(crime, officer, 22)
    page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}?page=999")
    assert page.status == 200
    assert "Showing updates 21 to 22 of 22" in page.main_text
    assert _current(_pagination(page, "Pages of the timeline")) == "2"


def test_the_crime_s_victims_come_a_page_at_a_time_with_their_victims_code(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "VICTIMS_PER_PAGE", 3)
    monkeypatch.setitem(app.config, "TIMELINE_PER_PAGE", 2)
    officer = factories.staff()
    crime = factories.crime(officer)
    for n in range(7):
        factories.victim(crime, officer, name=f"Person {n}")
    _updates(crime, officer, 5)
    client = _client(app, officer)
    path = f"/backoffice/crimes/{crime.id}"

    first = client.get(path)
    assert "Showing victims 1 to 3 of 7" in first.main_text
    assert _titles(first, ".govuk-summary-card__title") == ["Person 0", "Person 1", "Person 2"]
    assert _titles(first, "#victims-code ~ div > h3") == ["Person 0", "Person 1", "Person 2"]

    # Each list's links keep the other's place.
    page = client.get(path + "?victims_page=2&page=2")
    assert "Showing victims 4 to 6 of 7" in page.main_text
    assert "For victims 4 to 6 of 7, as listed under Victims." in page.main_text
    assert _titles(page, ".govuk-summary-card__title") == ["Person 3", "Person 4", "Person 5"]
    assert _titles(page, "#victims-code ~ div > h3") == ["Person 3", "Person 4", "Person 5"]
    assert "Showing updates 3 to 4 of 5" in page.main_text
    victims_nav = _pagination(page, "Pages of victims")
    assert (
        victims_nav.select_one(".govuk-pagination__next a")["href"] == f"{path}?page=2&victims_page=3#victims"
    )
    timeline_nav = _pagination(page, "Pages of the timeline")
    assert (
        timeline_nav.select_one(".govuk-pagination__next a")["href"]
        == f"{path}?victims_page=2&page=3#timeline"
    )

    last = client.get(path + "?victims_page=3")
    assert _titles(last, ".govuk-summary-card__title") == ["Person 6"]


def test_a_message_that_could_not_be_sent_shows_whichever_page_of_victims_is_shown(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "VICTIMS_PER_PAGE", 2)
    officer = factories.staff()
    crime = factories.crime(officer)
    links = [factories.victim(crime, officer, name=f"Person {n}") for n in range(3)]
    db.session.add(
        OutboxMessage(
            kind="invitation",
            victim_id=links[2].victim_id,
            status="failed",
            reason="bounced",
            finished_at=utcnow(),
        )
    )
    db.session.commit()
    page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    assert "Person 2" not in _titles(page, ".govuk-summary-card__title")
    assert "Person 2 was not sent" in page.main_text


def test_the_crime_page_warns_of_the_latest_messages_that_could_not_be_sent(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Bounced")
    now = utcnow()
    for n in range(23):
        db.session.add(
            OutboxMessage(
                kind="new_update",
                victim_id=link.victim_id,
                crime_id=crime.id,
                status="failed",
                reason="bounced",
                finished_at=now - timedelta(hours=n),
            )
        )
    db.session.commit()
    page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    assert page.main_text.count("Alex Bounced was not sent") == 20
    assert "These are the latest 20. Mark them as dealt with to see older ones." in page.main_text


def test_the_victims_code_panel_shows_what_is_to_do_and_the_latest_of_each_right(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer, name="Alex Online")
    # Every update the victim reads meets an agreed update and opens the next one.
    _updates(crime, officer, 9)
    updates_owed = db.session.scalars(
        select(Entitlement).where(
            Entitlement.crime_victim_id == link.id, Entitlement.rule == "contact_update"
        )
    ).all()
    assert len(updates_owed) == 10

    page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    section = page.soup.select_one("#victims-code ~ div")
    rows = [row.select_one("th").get_text(" ", strip=True) for row in section.select("tbody tr")]
    assert len([r for r in rows if r.startswith("Agreed update")]) == 5
    text = section.get_text(" ", strip=True)
    assert (
        "5 older entitlements are not shown: of each right, the table shows at most 5, those still to do first, then the most recent."
        in text
    )
    # What is still to do is never the part left out.
    actions = [a.get_text(strip=True) for a in section.find_all("a")]
    assert "Record what was done: Agreed update, Alex Online" in actions

    client = _client(app, link.victim, portal=True)
    rights = client.get(f"/cases/{link.public_id}/rights")
    assert rights.status == 200
    assert "5 earlier ones are not listed here." in rights.main_text
    assert rights.main_text.count("We updated you on") == 4


# --------------------------------------------------------------- the victim's pages


def test_the_victim_s_timeline_comes_newest_first_in_pages(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    _updates(crime, officer, 23)
    factories.update(crime, officer, text="Staff only", visible=False)
    client = _client(app, link.victim, portal=True)
    path = f"/cases/{link.public_id}"

    first = client.get(path)
    assert "Showing updates 1 to 20 of 23, newest first" in first.main_text
    assert "Update 22" in first.main_text and "Update 2" not in _titles(first, ".app-updates p.govuk-body")
    nav = _pagination(first)
    assert nav.select_one(".govuk-pagination__next a")["href"] == f"{path}?page=2#updates"

    second = client.get(path + "?page=2")
    assert _titles(second, ".app-updates p.govuk-body") == ["Update 2", "Update 1", "Update 0"]
    assert "Staff only" not in second.text
    for junk in JUNK:
        assert "Showing updates 1 to 20 of 23" in client.get(f"{path}?page={junk}").main_text, junk
    assert "Showing updates 21 to 23 of 23" in client.get(path + "?page=7").main_text


def test_a_statement_built_once_counts_and_pages_like_any_other(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    _updates(crime, officer, 23)
    factories.update(crime, officer, text="Staff only", visible=False)
    # Counted here (no total given), from the same kept statement, twice over.
    for _ in range(2):
        first, third = updates.victim_timeline(crime.id, 1, 10), updates.victim_timeline(crime.id, 3, 10)
        assert (first.total, first.pages, len(first.items)) == (23, 3, 10)
        assert [row.victim_text for row in third.items] == ["Update 2", "Update 1", "Update 0"]
    assert updates.victim_timeline(crime.id, 9, 10).page == 3


def test_the_victim_s_list_of_crimes_comes_in_pages(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 2)
    officer = factories.staff()
    first = factories.crime(officer, reference="43/00001/26")
    link = factories.active_victim(first, officer, email="alex@example.com", name="Alex")
    for _ in range(2):
        factories.same_person(factories.crime(officer), link.victim, officer)
    client = _client(app, link.victim, portal=True)

    page = client.get("/cases")
    assert "Showing crimes 1 to 2 of 3, newest first" in page.main_text
    assert "43/00001/26" not in page.main_text
    second = client.get("/cases?page=2")
    assert "43/00001/26" in second.main_text
    assert len(second.soup.select(".govuk-summary-card")) == 1
    for junk in JUNK:
        assert client.get(f"/cases?page={junk}").status == 200, junk


def test_a_message_thread_comes_newest_first_in_pages_for_both_sides(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.thread(link, officer, 15)  # 30 messages
    # One unread message from each side, on the oldest page only.
    oldest = db.session.scalars(select(SecureMessage).where(SecureMessage.crime_victim_id == link.id)).all()
    for message in oldest:
        message.read_at = utcnow() if message.body not in ("Question 0", "Answer 0") else None
    db.session.commit()

    victim = _client(app, link.victim, portal=True)
    path = f"/cases/{link.public_id}/messages"
    first = victim.get(path)
    assert "Showing messages 1 to 20 of 30, newest first" in first.main_text
    assert "Answer 14" in first.main_text and "Question 4" not in first.main_text
    # Unread on another page still offers marking it read.
    assert first.soup.find("button", string=lambda s: s and "Mark as read" in s)
    second = victim.get(path + "?page=2")
    assert (
        "Question 4" in second.main_text
        and "Question 0" in second.main_text
        and "Answer 14" not in second.main_text
    )
    assert (
        _pagination(second).select_one(".govuk-pagination__prev a")["href"] == f"{path}?page=1#your-messages"
    )

    staff = _client(app, officer)
    staff_path = f"/backoffice/crimes/{crime.id}/victims/{link.id}/messages"
    first = staff.get(staff_path)
    assert "Showing messages 1 to 20 of 30, newest first" in first.main_text
    assert first.soup.find("button", string=lambda s: s and "Mark as read" in s)
    second = staff.get(staff_path + "?page=2")
    bodies = _titles(second, ".govuk-summary-card__content")
    assert bodies[0] == "Answer 4" and bodies[-1] == "Question 0"
    for junk in JUNK:
        assert staff.get(f"{staff_path}?page={junk}").status == 200, junk
        assert victim.get(f"{path}?page={junk}").status == 200, junk


def test_a_reply_sent_back_for_a_fault_shows_the_newest_messages(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.thread(link, officer, 15)
    staff = _client(app, officer)
    path = f"/backoffice/crimes/{crime.id}/victims/{link.id}/messages"
    page = staff.post(path + "/reply", {"body": ""}, csrf_from=path)
    assert page.status == 400
    assert "Showing messages 1 to 20 of 30" in page.main_text
    assert len(secure_messages.thread(link, 2, app.config["MESSAGES_PER_PAGE"]).items) == 10


# ------------------------------------------------------------ administrators' lists


def test_the_records_systems_list_comes_in_pages(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PER_PAGE", 3)
    admin = factories.staff(roles=("admin",))
    for n in range(5):
        db.session.add(
            ApiClient(name=f"System {n}", client_id=f"tmc-{n}", secret_hash="x", scopes="crimes:write")
        )
    db.session.commit()
    client = _client(app, admin)
    page = client.get("/backoffice/api-clients")
    assert _titles(page, "#api-clients tbody th") == ["System 0", "System 1", "System 2"]
    assert "Registered records systems: 5" in page.main_text
    second = client.get("/backoffice/api-clients?page=2")
    assert _titles(second, "#api-clients tbody th") == ["System 3", "System 4"]
    assert _titles(client.get("/backoffice/api-clients?page=40"), "#api-clients tbody th") == [
        "System 3",
        "System 4",
    ]
    for junk in JUNK:
        assert client.get(f"/backoffice/api-clients?page={junk}").status == 200, junk


def test_the_staff_list_comes_in_pages(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PER_PAGE", 2)
    team = factories.team()
    admin = factories.staff(team, roles=("admin",), name="Aaron Admin")
    for n in range(3):
        db.session.add(
            StaffMember(
                name=f"Zed {n}", collar_number=f"9{n}", email=f"zed{n}@police.example", team_id=team.id
            )
        )
    db.session.commit()
    client = _client(app, admin)
    second = client.get("/backoffice/staff?page=2")
    assert [row.select_one("td").get_text(strip=True) for row in second.soup.select("tbody tr")] == [
        "Zed 1",
        "Zed 2",
    ]
    assert "Zed 2" in client.get("/backoffice/staff?page=99").main_text
    for junk in JUNK:
        assert client.get(f"/backoffice/staff?page={junk}").status == 200, junk


@pytest.mark.parametrize(
    "path", ["/backoffice/cases", "/backoffice/cases?view=all", "/backoffice/messages", "/backoffice/audit"]
)
def test_lists_already_in_pages_refuse_junk_page_numbers_gracefully(app, ctx, path):
    member = factories.staff(roles=("officer", "admin"))
    client = _client(app, member)
    joiner = "&" if "?" in path else "?"
    for junk in JUNK:
        assert client.get(f"{path}{joiner}page={junk}").status == 200, junk


# ----------------------------------------------------------------------- histories


def test_histories_show_their_latest_rows_and_say_so(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "HISTORY_ROWS", 3)
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    for days in (7, 14, 21, 28):
        db.session.add(
            ContactPlan(
                crime_victim_id=link.id,
                frequency_days=days,
                channel="phone",
                language="en",
                changed_by_id=officer.id,
            )
        )
    for _ in range(4):
        db.session.add(
            EnhancedRight(
                crime_victim_id=link.id,
                category="persistently_targeted",
                reason="assessed",
                assessed_by_id=officer.id,
            )
        )
    ack = db.session.scalar(
        select(Entitlement).where(
            Entitlement.crime_victim_id == link.id, Entitlement.rule == "acknowledgement"
        )
    )
    for _ in range(3):
        db.session.add(
            EntitlementEvent(entitlement_id=ack.id, action="due_changed", state="open", due_at=ack.due_at)
        )
    db.session.commit()
    client = _client(app, officer)

    plan = client.get(f"/backoffice/crimes/{crime.id}/victims/{link.id}/contact-plan")
    rows = plan.soup.select("tbody tr")
    assert len(rows) == 3
    assert "Every 28 days" in rows[0].get_text() and "Current" in rows[0].get_text()
    assert "Only the latest 3 changes are shown." in plan.main_text
    # The form starts from the current plan.
    assert plan.soup.select_one("input[name=frequency_days]")["value"] == "28"

    rights = client.get(f"/backoffice/crimes/{crime.id}/victims/{link.id}/enhanced-rights")
    assert len(rights.soup.select("tbody tr")) == 3
    assert "Only the latest 3 assessments are shown." in rights.main_text

    entitlement = f"/backoffice/crimes/{crime.id}/entitlements/{ack.id}"
    for path in (entitlement, entitlement + "/not-applicable"):
        page = client.get(path)
        actions = [row.select("td")[1].get_text(strip=True) for row in page.soup.select("tbody tr")]
        # The latest three, oldest first: the event that started it is the one left out.
        assert actions == ["Due date changed"] * 3, path
        assert "Only the latest 3 events are shown." in page.main_text


def test_short_histories_say_nothing_of_a_limit(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    client = _client(app, officer)
    victim = f"/backoffice/crimes/{crime.id}/victims/{link.id}"
    for path in (victim + "/contact-plan", victim + "/enhanced-rights"):
        assert "Only the latest" not in client.get(path).main_text
