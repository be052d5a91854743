"""A victim's secure messages with the officer in charge: writing, reading the police's
replies, marking them read; only on their own case, with hostile text kept inert, bad
input sent back with the error summary, and reading a page changing nothing."""

from datetime import date

import pytest
from sqlalchemy import func, select

from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import AuditEvent, SecureMessage
from shared.services import secure_messages, victim_accounts, victims
from shared.services.secure_messages import HOURLY_LIMIT
from tests import factories
from tests.queries import count_queries
from tests.signed_in import sign_in_as


@pytest.fixture
def case(app, ctx, victim_client):
    """An officer, a crime, its victim signed in on `victim_client`."""
    officer = factories.staff(name="Sam Patel")
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    sign_in_as(victim_client, link.victim)
    victim_client.forbidden_in_title = [crime.reference, str(OFFENCES[crime.offence].label)]
    return {"officer": officer, "crime": crime, "link": link, "path": f"/cases/{link.public_id}/messages"}


def _messages(link) -> list[SecureMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(SecureMessage).where(SecureMessage.crime_victim_id == link.id).order_by(SecureMessage.id)
        )
    )


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _textarea(page) -> str:
    return page.soup.find("textarea", attrs={"name": "body"}).get_text()


def _second_case(victim, officer):
    """Another crime of the same victim (linked by the officer as the same person)."""
    crime = factories.crime(officer)
    details = victims.VictimDetails(
        name=victim.name,
        date_of_birth=date(1980, 1, 1),
        email=victim.email,
        phone=None,
        preferred_language="en",
        contact_channel="email",
        interpreter_language=None,
        communication_needs=None,
    )
    link = victims.add_victim(crime, details, by=officer)
    victim_accounts.invite(link, by=officer)
    return victims.confirm_case(victim, link.public_id)


def test_the_page_names_the_officer_and_says_what_to_do_in_an_emergency(victim_client, case):
    page = victim_client.get(case["path"])
    assert page.status == 200
    assert page.title.startswith("Messages –")
    assert page.h1 == "Messages with the officer in charge"
    officer = case["officer"]
    assert f"{officer.name}, collar number {officer.collar_number}" in page.main_text
    inset = page.soup.select_one(".govuk-inset-text").get_text(" ", strip=True)
    assert "call 999" in inset and "call 101" in inset
    assert "reply within 2 working days" in inset
    assert "There are no messages yet." in page.main_text
    assert not page.soup.find("button", string=lambda s: s and "Mark as read" in s)
    # The character count with its limit from the configuration and its words passed in,
    # so that they follow the reader's language rather than the component's English.
    count = page.soup.select_one("[data-module=govuk-character-count]")
    assert count["data-maxlength"] == "2000"
    assert count.has_attr("data-i18n.characters-under-limit.other")
    assert count.has_attr("data-i18n.characters-over-limit.one")
    assert "You can enter up to 2000 characters" in page.main_text
    assert page.soup.find("button", string=lambda s: s and "Send message" in s)


def test_a_victim_writes_to_the_officer_in_charge(victim_client, case):
    link, crime = case["link"], case["crime"]
    # The crime changed hands: the message goes to whoever is in charge now.
    new_officer = factories.staff(name="Jo Evans")
    crime.officer_in_charge_id = new_officer.id
    db.session.commit()

    page = victim_client.post(
        case["path"], {"body": "Hello, I have found a receipt.\r\n\r\nIt is for the laptop."}
    )
    assert page.status == 302 and page.response.headers["Location"] == case["path"]
    page = victim_client.follow(page)
    assert "Message sent" in page.soup.select_one(".govuk-notification-banner").get_text()
    assert "From you" in page.main_text
    assert "Hello, I have found a receipt." in page.main_text and "It is for the laptop." in page.main_text
    assert _textarea(page) == ""

    [message] = _messages(link)
    assert message.sender == "victim"
    assert message.crime_id == crime.id
    assert message.to_staff_id == new_officer.id
    assert message.author_id is None
    assert message.body == "Hello, I have found a receipt.\n\nIt is for the laptop."
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message.victim_sent"))
    assert event.actor_type == "victim" and event.actor_id == link.victim_id
    assert event.record_id == str(link.id)
    assert "receipt" not in (event.detail or "")


def test_hostile_text_in_a_message_stays_inert(victim_client, case):
    hostile = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> <a href="javascript:alert(3)">click</a>'
    )
    assert victim_client.post(case["path"], {"body": hostile}).status == 302
    secure_messages.send_from_staff(case["link"], hostile, case["officer"])
    page = victim_client.get(case["path"])
    assert page.main_text.count("<script>alert(1)</script>") == 2  # shown as text, twice
    assert not [s for s in page.soup.find_all("script") if "alert" in s.get_text()]
    assert not page.soup.find(attrs={"onerror": True})
    assert not [a for a in page.soup.find_all("a", href=True) if a["href"].startswith("javascript:")]
    assert _messages(case["link"])[0].body == hostile


@pytest.mark.parametrize("body", ["", "   \r\n  "])
def test_an_empty_message_is_sent_back(victim_client, case, body):
    page = victim_client.post(case["path"], {"body": body})
    assert page.status == 400
    assert page.error_summary == ["Enter your message"]
    assert page.title.startswith("Error:")
    assert page.soup.select_one(".govuk-error-message")
    assert _messages(case["link"]) == []


def test_a_message_over_the_limit_is_sent_back_with_its_text_kept(victim_client, case):
    too_long = "I want to add " + "x" * 2000
    page = victim_client.post(case["path"], {"body": too_long})
    assert page.status == 400
    assert page.error_summary == ["Your message must be 2000 characters or fewer"]
    assert _textarea(page).strip() == too_long
    assert _messages(case["link"]) == []
    # A line break counts once, as the character count in the browser counts it.
    just_fits = "a" * 1000 + "\r\n" + "b" * 999
    assert victim_client.post(case["path"], {"body": just_fits}).status == 302
    assert len(_messages(case["link"])[0].body) == 2000


def test_fields_a_victim_may_not_set_are_ignored(app, victim_client, case):
    link, officer = case["link"], case["officer"]
    other_officer = factories.staff()
    other_crime = factories.crime(other_officer)
    other_link = factories.active_victim(other_crime, other_officer)
    page = victim_client.post(
        case["path"],
        {
            "body": "Just my words",
            "crime_id": str(other_crime.id),
            "crime_victim_id": str(other_link.id),
            "to_staff_id": str(other_officer.id),
            "author_id": str(other_officer.id),
            "sender": "staff",
            "read_at": "2026-01-01T00:00:00",
        },
    )
    assert page.status == 302
    [message] = _messages(link)
    assert (message.crime_id, message.to_staff_id, message.sender, message.author_id) == (
        link.crime_id,
        officer.id,
        "victim",
        None,
    )
    assert message.read_at is None
    assert _messages(other_link) == []


def test_another_victims_messages_are_not_found_and_the_attempt_is_recorded(app, victim_client, case):
    officer = case["officer"]
    other = factories.active_victim(factories.crime(officer), officer)
    secure_messages.send_from_victim(other, "Their private words", other.victim)
    secure_messages.send_from_staff(other, "Our reply to them", officer)
    other_path = f"/cases/{other.public_id}/messages"

    denied = _count(AuditEvent, AuditEvent.action == "victim.case_denied")
    page = victim_client.get(other_path)
    assert page.status == 404
    assert "Their private words" not in page.text and "Our reply to them" not in page.text
    assert _count(AuditEvent, AuditEvent.action == "victim.case_denied") == denied + 1

    page = victim_client.post(other_path, {"body": "Sneaky"}, csrf_from=case["path"])
    assert page.status == 404
    page = victim_client.post(f"{other_path}/read", {}, csrf_from=case["path"])
    assert page.status == 404
    assert _count(AuditEvent, AuditEvent.action == "victim.case_denied") == denied + 3
    assert [m.body for m in _messages(other)] == ["Their private words", "Our reply to them"]
    assert _messages(other)[1].read_at is None

    # Nor do they show anywhere on the victim's own pages.
    for path in (case["path"], f"/cases/{case['link'].public_id}", "/cases"):
        page = victim_client.get(path)
        assert "Their private words" not in page.text and "Our reply to them" not in page.text, path
        assert "New message" not in page.text, path


def test_a_police_reply_is_new_until_marked_read(victim_client, case):
    link, officer = case["link"], case["officer"]
    quiet = _second_case(link.victim, officer)
    victim_client.post(case["path"], {"body": "Any news?"})
    secure_messages.send_from_staff(link, "We have a suspect in custody.", officer)
    secure_messages.send_from_staff(link, "We will call you tomorrow.", officer)

    page = victim_client.get(case["path"])
    items = page.soup.select("main ol.govuk-list > li")
    assert [i.select_one("h3").get_text(" ", strip=True) for i in items] == [
        "From Sam Patel, police New",
        "From Sam Patel, police New",
        "From you",
    ]
    assert "We will call you tomorrow." in items[0].get_text() and "Any news?" in items[2].get_text()
    assert page.soup.find("button", string=lambda s: s and "Mark as read" in s)

    case_page = victim_client.get(f"/cases/{link.public_id}")
    assert "You have 2 new messages" in case_page.main_text
    assert case_page.links(rf"/cases/{link.public_id}/messages$")
    assert "Read your messages" in case_page.main_text
    cases_page = victim_client.get("/cases")
    cards = cases_page.soup.select(".govuk-summary-card")
    assert len(cards) == 2
    tagged = [c for c in cards if "New message" in c.get_text()]
    assert len(tagged) == 1 and f"/cases/{link.public_id}" in str(tagged[0])
    assert f"/cases/{quiet.public_id}" in str([c for c in cards if c not in tagged][0])

    page = victim_client.post(f"{case['path']}/read", {}, csrf_from=case["path"])
    assert page.status == 302 and page.response.headers["Location"] == case["path"]
    assert all(m.read_at is not None for m in _messages(link) if m.sender == "staff")
    page = victim_client.follow(page)
    assert "New" not in [t.get_text(strip=True) for t in page.soup.select(".govuk-tag")]
    assert not page.soup.find("button", string=lambda s: s and "Mark as read" in s)
    case_page = victim_client.get(f"/cases/{link.public_id}")
    assert "new message" not in case_page.main_text
    assert "Send a message to the officer in charge" in case_page.main_text
    assert "New message" not in victim_client.get("/cases").main_text


def test_replying_marks_the_police_messages_read(victim_client, case):
    secure_messages.send_from_staff(case["link"], "Please call me.", case["officer"])
    assert victim_client.post(case["path"], {"body": "I will."}).status == 302
    assert all(m.read_at is not None for m in _messages(case["link"]) if m.sender == "staff")


def test_reading_the_pages_changes_nothing(victim_client, case):
    link = case["link"]
    secure_messages.send_from_staff(link, "A reply", case["officer"])
    before = (_count(SecureMessage), _count(AuditEvent), [m.read_at for m in _messages(link)])
    for path in (case["path"], case["path"], f"/cases/{link.public_id}", "/cases"):
        assert victim_client.get(path).status == 200
    after = (_count(SecureMessage), _count(AuditEvent), [m.read_at for m in _messages(link)])
    assert after == before
    assert after[2] == [None]
    # The mark-read address reads nothing on GET.
    assert victim_client.get(f"{case['path']}/read").status == 405


def test_too_many_messages_in_an_hour_are_refused_clearly(victim_client, case):
    link = case["link"]
    for n in range(HOURLY_LIMIT):
        secure_messages.send_from_victim(link, f"Message {n}", link.victim)
    page = victim_client.post(case["path"], {"body": "One more thing"})
    assert page.status == 400
    assert page.error_summary == [
        "You have sent a lot of messages in the last hour. Please wait before sending another, or call 101."
    ]
    assert _textarea(page).strip() == "One more thing"
    assert len(_messages(link)) == HOURLY_LIMIT


def test_internal_notes_never_reach_the_messages_page(victim_client, case):
    crime, officer = case["crime"], case["officer"]
    factories.update(crime, officer, text="We spoke to a witness.", note="Internal note: suspect known to us")
    factories.update(
        crime, officer, text="Hidden from victim", note="Internal note: informant", visible=False
    )
    secure_messages.send_from_staff(case["link"], "A reply", officer)
    page = victim_client.get(case["path"])
    assert "Internal note" not in page.text
    assert "Hidden from victim" not in page.text


def _queries_for(app, client, path) -> int:
    client.get(path)  # warm: first-request work is not what is measured
    with count_queries(app) as counter:
        assert client.get(path).status == 200
    return counter["n"]


def test_message_pages_queries_do_not_grow_with_messages_or_cases(app, victim_client, case):
    link, officer = case["link"], case["officer"]
    factories.thread(link, officer, 2)
    paths = (case["path"], f"/cases/{link.public_id}", "/cases")
    small = [_queries_for(app, victim_client, path) for path in paths]

    factories.thread(link, officer, 150)
    for _ in range(4):
        other = _second_case(link.victim, factories.staff())
        factories.thread(other, officer, 3)
    large = [_queries_for(app, victim_client, path) for path in paths]
    assert small == large, (small, large)
    # 304 messages: the newest 20 on the first page, the oldest on the last.
    page = victim_client.get(case["path"])
    assert "Showing messages 1 to 20 of 304, newest first" in page.main_text
    assert page.main_text.count("Answer ") == 10 and "Answer 149" in page.main_text
    assert "Question 0" in victim_client.get(case["path"] + "?page=16").main_text
