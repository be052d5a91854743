"""Secure messages as staff see them: the officer's inbox, a victim's thread with the
reply form, the team's unanswered messages for supervisors, and the messages the service
could not send, shown on the crime's page until someone deals with them."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, OutboxMessage, SecureMessage
from shared.models.types import utcnow
from shared.services import outbox, outbox_worker, secure_messages, victims_code_actions
from tests import factories
from tests.pages import PageClient
from tests.queries import count_queries
from tests.signed_in import sign_in_as


def _client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _thread_path(link) -> str:
    return f"/backoffice/crimes/{link.crime_id}/victims/{link.id}/messages"


def _case(officer, **victim):
    """A crime with one victim who uses the service."""
    crime = factories.crime(officer)
    return crime, factories.active_victim(crime, officer, **victim)


def _from_victim(link, body="Has anyone been arrested?"):
    return secure_messages.send_from_victim(link, body, link.victim)


def _old_message(link, sender, days_ago, author=None):
    """A message sent some days ago (the service stamps messages with the time now)."""
    message = SecureMessage(
        crime_victim_id=link.id,
        crime_id=link.crime_id,
        sender=sender,
        author_id=author.id if author else None,
        to_staff_id=link.crime.officer_in_charge_id if sender == "victim" else None,
        body=f"Sent {days_ago} days ago",
        sent_at=utcnow() - timedelta(days=days_ago),
    )
    db.session.add(message)
    db.session.commit()
    return message


def _fresh(rows):
    db.session.expire_all()
    return [db.session.get(type(row), row.id) for row in rows]


def _inbox_rows(page) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in page.soup.select("main tbody tr")
    ]


def _audit_actions_since(before: int) -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > before).order_by(AuditEvent.id))
    )


def _last_audit_id() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def test_the_inbox_lists_the_officer_s_own_threads_unread_first_then_newest(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    _crime_a, waiting = _case(officer, name="Alex Waiting")
    _crime_b, older = _case(officer, name="Bea Older")
    _crime_c, newest = _case(officer, name="Cal Newest")
    _old_message(waiting, "victim", 3)
    _old_message(waiting, "victim", 2)
    _from_victim(older)
    secure_messages.send_from_staff(older, "We are looking into it.", officer)
    _from_victim(newest)
    secure_messages.send_from_staff(newest, "An officer will call you.", officer)
    someone_else = factories.staff(officer.team, name="Dee Other")
    _from_victim(_case(someone_else, name="Eve Elsewhere")[1])

    client = _client(app, officer)
    page = client.get("/backoffice/messages")
    assert page.status == 200
    rows = _inbox_rows(page)
    assert [row[0].split(":")[0].strip() for row in rows] == ["Alex Waiting", "Cal Newest", "Bea Older"]
    assert rows[0][1] == waiting.crime.reference
    assert rows[0][2] == "2 unread"
    assert rows[0][3].endswith("From the victim")
    assert rows[1][2] == "None" and rows[1][3].endswith("From the police")
    assert "Eve Elsewhere" not in page.main_text
    assert page.links(r"/victims/\d+/messages$")[0] == _thread_path(waiting)
    # The navigation shows how many messages wait to be read.
    nav = page.soup.select_one(".moj-primary-navigation__link[aria-current=page]")
    assert nav.get_text(" ", strip=True) == "Messages 2 unread"
    assert nav["href"] == "/backoffice/messages"

    empty = _client(app, factories.staff()).get("/backoffice/messages")
    assert "There are no messages yet" in empty.main_text
    assert not empty.soup.select("main table")


def test_the_thread_shows_both_sides_as_inert_text_newest_first(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime, link = _case(officer, name="Alex Victim")
    _from_victim(link, "First question")
    secure_messages.send_from_staff(link, "<b>Bold?</b> No.\nSecond line", officer)
    hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)">'
    _from_victim(link, hostile)

    page = _client(app, officer).get(_thread_path(link))
    assert page.status == 200
    assert page.h1 == "Messages with Alex Victim"
    cards = page.soup.select("main li.govuk-summary-card")
    titles = [card.select_one("h2").get_text(" ", strip=True) for card in cards]
    assert titles == ["Victim Alex Victim New", "Police Sam Taylor", "Victim Alex Victim"]
    bodies = [card.select_one(".govuk-summary-card__content").get_text("", strip=True) for card in cards]
    assert bodies == [hostile, "<b>Bold?</b> No.\nSecond line", "First question"]
    assert "3 messages, newest first." in page.main_text
    assert not [s for s in page.soup.find_all("script") if "alert" in s.get_text()]
    assert not page.soup.find(attrs={"onerror": True})
    assert not page.soup.select("main b")
    # One unread message from the victim: it may be marked read, and answered.
    assert page.soup.find("button", string=lambda s: s and "Mark as read" in s)
    textarea = page.soup.select_one("textarea#body")
    assert textarea["name"] == "body"
    counter = page.soup.select_one("[data-module=govuk-character-count]")
    assert counter["data-maxlength"] == str(app.config["SECURE_MESSAGE_MAX_LENGTH"])
    assert "You can enter up to 2000 characters" in counter.get_text()
    assert counter.has_attr("data-i18n.characters-under-limit.other")
    assert page.links(rf"/backoffice/crimes/{crime.id}$")


def test_a_reply_reaches_the_victim_and_tells_them_there_is_a_message(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime, link = _case(officer, name="Alex Victim")
    first = _from_victim(link, "Any news?")
    second = _from_victim(link, "Also, can I have my bike back?")
    client = _client(app, officer)

    page = client.post(
        _thread_path(link) + "/reply",
        {"body": "Yes: call 101 to arrange it.\r\nThanks."},
        csrf_from=_thread_path(link),
    )
    assert page.status == 302
    assert page.response.headers["Location"] == _thread_path(link)
    after = client.follow(page)
    assert "Message sent to Alex Victim" in after.main_text
    assert "Mark as read" not in after.main_text

    db.session.expire_all()
    staff_messages = [
        m
        for m in secure_messages.thread(link, 1, app.config["MESSAGES_PER_PAGE"]).items
        if m.sender == "staff"
    ]
    assert [(m.body, m.author_id) for m in staff_messages] == [
        ("Yes: call 101 to arrange it.\nThanks.", officer.id)
    ]
    assert all(m.read_at is not None for m in _fresh([first, second]))
    [notice] = db.session.scalars(select(OutboxMessage)).all()
    assert (notice.kind, notice.victim_id, notice.crime_id, notice.status) == (
        "new_message",
        link.victim_id,
        crime.id,
        "pending",
    )
    assert "message.staff_sent" in list(db.session.scalars(select(AuditEvent.action)))


def test_marking_a_thread_read(app, ctx):
    officer = factories.staff()
    _crime, link = _case(officer, name="Alex Victim")
    message = _from_victim(link)
    client = _client(app, officer)
    assert secure_messages.unread_for_officer(officer) == 1

    page = client.post(_thread_path(link) + "/read", {}, csrf_from=_thread_path(link))
    assert page.status == 302
    after = client.follow(page)
    assert "Messages from Alex Victim marked as read" in after.main_text
    assert "Mark as read" not in after.main_text
    assert "New" not in after.soup.select_one("main li.govuk-summary-card h2").get_text()
    [message] = _fresh([message])
    assert message.read_at is not None
    assert secure_messages.unread_for_officer(officer) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # nothing is sent to the victim


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Enter your message"),
        ("   \r\n  ", "Enter your message"),
        ("x" * 2001, "Your message must be 2000 characters or fewer"),
    ],
)
def test_a_reply_that_is_empty_or_too_long_is_sent_back_with_the_text_kept(app, ctx, body, error):
    officer = factories.staff()
    _crime, link = _case(officer)
    _from_victim(link)
    client = _client(app, officer)

    page = client.post(_thread_path(link) + "/reply", {"body": body}, csrf_from=_thread_path(link))
    assert page.status == 400
    assert page.error_summary == [error]
    assert page.title.startswith("Error:")
    kept = page.soup.select_one("textarea#body").get_text()
    assert kept.replace("\r\n", "\n").strip() == body.replace("\r\n", "\n").strip()
    assert [m.sender for m in secure_messages.thread(link, 1, app.config["MESSAGES_PER_PAGE"]).items] == [
        "victim"
    ]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_victim_who_does_not_use_the_service_cannot_be_written_to_here(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Offline")
    client = _client(app, officer)

    page = client.get(_thread_path(link))
    assert "Alex Offline does not use the online service" in page.main_text
    assert not page.soup.select("textarea")
    refused = client.post(_thread_path(link) + "/reply", {"body": "Hello"}, csrf_from=_thread_path(link))
    assert refused.status == 400
    assert refused.error_summary == ["This victim does not use the online service: contact them another way"]
    assert secure_messages.thread(link, 1, app.config["MESSAGES_PER_PAGE"]).total == 0


@pytest.mark.parametrize(
    "roles",
    [("analyst",), ("ddm",), ("fcr",), ("officer",)],
    ids=["analyst", "ddm", "fcr", "another officer of the team"],
)
def test_only_the_officer_in_charge_and_the_team_s_supervisors_read_a_victim_s_messages(app, ctx, roles):
    officer = factories.staff()
    crime, link = _case(officer, name="Alex Victim")
    _from_victim(link, "Hello? My new address is 1 High Street")
    client = _client(app, factories.staff(officer.team, roles=roles))
    # They see the crime, but neither the messages nor a way to them.
    page = client.get(f"/backoffice/crimes/{crime.id}")
    assert page.status == 200 and "Alex Victim" in page.main_text
    assert not page.links(r"/victims/\d+/messages$")
    before = _last_audit_id()
    page = client.get(_thread_path(link))
    assert page.status in (403, 404) and "High Street" not in page.text
    # A refusal, on the trail: by the permission (access.refused) or by the rule.
    assert _audit_actions_since(before) in (["access.refused"], ["read.refused"])
    csrf = page.csrf()
    for path in (_thread_path(link) + "/reply", _thread_path(link) + "/read"):
        assert client.post(path, {"csrf_token": csrf, "body": "Hello"}).status in (403, 404)
    assert [m.body for m in secure_messages.thread(link, 1, app.config["MESSAGES_PER_PAGE"]).items] == [
        "Hello? My new address is 1 High Street"
    ]
    assert client.get("/backoffice/messages").status in (403, 200)

    # The team's supervisor reads and answers.
    supervisor = _client(app, factories.staff(officer.team, roles=("officer", "supervisor")))
    page = supervisor.get(_thread_path(link))
    assert page.status == 200 and "High Street" in page.main_text
    assert page.soup.select("main form")


def test_when_the_officer_in_charge_changes_new_messages_go_to_the_new_one(app, ctx):
    first_oic = factories.staff(name="First Officer")
    new_oic = factories.staff(first_oic.team, name="New Officer")
    crime, link = _case(first_oic, name="Alex Victim")
    before = _from_victim(link, "Sent to the first officer")
    assert before.to_staff_id == first_oic.id

    # Their supervisor hands the crime to another officer of the team.
    supervisor = factories.staff(first_oic.team, roles=("officer", "supervisor"), name="Team Supervisor")
    page = _client(app, supervisor).post(
        f"/backoffice/crimes/{crime.id}/officer", {"officer": str(new_oic.id)}
    )
    assert page.status == 302
    db.session.expire_all()
    after = _from_victim(link, "Sent after the change")
    assert after.to_staff_id == new_oic.id

    assert secure_messages.inbox(first_oic, 1, 25).total == 0
    assert secure_messages.unread_for_officer(first_oic) == 0
    assert "Alex Victim" not in _client(app, first_oic).get("/backoffice/messages").main_text
    new_client = _client(app, new_oic)
    inbox = new_client.get("/backoffice/messages")
    [row] = _inbox_rows(inbox)
    assert (row[0].split(":")[0].strip(), row[1], row[2]) == ("Alex Victim", crime.reference, "2 unread")
    thread = new_client.get(_thread_path(link))
    assert "Sent to the first officer" in thread.main_text and "Sent after the change" in thread.main_text


def test_staff_of_another_team_cannot_reach_the_thread(app, ctx):
    officer = factories.staff()
    crime, link = _case(officer)
    _from_victim(link, "Private words")
    other_crime, other_link = _case(officer)
    outsider = _client(app, factories.staff(roles=("officer", "supervisor")))
    own = _client(app, officer)

    assert outsider.get(_thread_path(link)).status == 404
    # A link on another crime is not found either, even for the officer in charge.
    assert own.get(f"/backoffice/crimes/{crime.id}/victims/{other_link.id}/messages").status == 404
    csrf = outsider.get("/backoffice/messages").csrf()  # the sign-out form's
    for path in (_thread_path(link) + "/reply", _thread_path(link) + "/read"):
        assert outsider.post(path, {"csrf_token": csrf, "body": "Hello"}).status == 404
    assert [m.body for m in secure_messages.thread(link, 1, app.config["MESSAGES_PER_PAGE"]).items] == [
        "Private words"
    ]
    assert other_crime.id != crime.id


@pytest.mark.time_sensitive
def test_a_supervisor_sees_their_team_s_messages_left_unanswered_too_long(app, ctx):
    team = factories.team("Response North")
    supervisor = factories.staff(team, roles=("officer", "supervisor"))
    officer = factories.staff(team, name="Sam Taylor")
    _c1, waiting = _case(officer, name="Alex Waiting")
    _old_message(waiting, "victim", 15)
    _old_message(waiting, "victim", 14)
    _c2, answered = _case(officer, name="Bea Answered")
    _old_message(answered, "victim", 15)
    _old_message(answered, "staff", 14, author=officer)
    _c3, today = _case(officer, name="Cal Today")
    _from_victim(today)
    elsewhere_officer = factories.staff(name="Dee Elsewhere")
    _c4, elsewhere = _case(elsewhere_officer, name="Eve Elsewhere")
    _old_message(elsewhere, "victim", 15)

    page = _client(app, supervisor).get("/backoffice/messages/unanswered")
    assert page.status == 200
    assert "more than 2 working days" in page.main_text
    rows = _inbox_rows(page)
    assert len(rows) == 1
    victim, reference, oic, since, count = rows[0]
    assert (victim, oic, count) == ("Alex Waiting", "Sam Taylor", "2")
    assert reference.startswith(waiting.crime.reference)
    assert page.links(r"/messages$") and _thread_path(waiting) in page.links(r"/victims/")
    for name in ("Bea Answered", "Cal Today", "Eve Elsewhere"):
        assert name not in page.main_text
    # Supervisors reach it from the messages page.
    inbox = _client(app, supervisor).get("/backoffice/messages")
    assert "/backoffice/messages/unanswered" in inbox.links(r"unanswered")


def _sms_plan(link, officer):
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=28,
        channel="sms",
        language="en",
        safe_to_contact=True,
        opted_out=False,
        note=None,
        by=officer,
    )


def test_a_message_that_could_not_be_sent_shows_on_the_crime_page_until_dealt_with(
    app, ctx, smtp_server, use_sender
):
    use_sender("smtp", **smtp_server.settings())  # a sender that cannot send text messages
    officer = factories.staff()
    crime, link = _case(officer, name="Alex Victim")
    _sms_plan(link, officer)
    factories.update(crime, officer)
    assert outbox_worker.drain()["failed"] == 1
    crime_path = f"/backoffice/crimes/{crime.id}"

    analyst_page = _client(app, factories.staff(officer.team, roles=("analyst",))).get(crime_path)
    assert "Alex Victim was not sent a notice of a new update" in analyst_page.main_text
    assert "Mark as dealt with" not in analyst_page.main_text

    client = _client(app, officer)
    page = client.get(crime_path)
    warning = page.soup.select_one("#failed-notifications-title").parent.get_text(" ", strip=True)
    assert "Alex Victim was not sent a notice of a new update" in warning
    assert "Why: This service is not set up to send text messages." in warning
    assert "You still need to tell them: contact them another way." in warning
    [action] = [f["action"] for f in page.soup.select("main form") if "dealt-with" in f["action"]]

    # A message of another crime cannot be dealt with from this one.
    other_crime, _other = _case(officer)
    wrong = action.replace(f"/crimes/{crime.id}/", f"/crimes/{other_crime.id}/")
    assert client.post(wrong, {"csrf_token": page.csrf()}).status == 404

    done = client.post(action, {"csrf_token": page.csrf()})
    assert done.status == 302
    after = client.follow(done)
    assert "Marked as dealt with" in after.main_text
    assert "was not sent" not in after.main_text
    [row] = db.session.scalars(select(OutboxMessage)).all()
    db.session.refresh(row)
    assert row.dealt_with_by_id == officer.id and row.dealt_with_at is not None
    assert client.post(action, {"csrf_token": page.csrf()}).status == 404


def test_an_invitation_that_could_not_be_sent_is_shown_too(app, ctx, use_sender):
    use_sender("log")
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Victim")
    message = outbox.enqueue("invitation", victim=link.victim, values={"link": "x", "hours": 72})
    db.session.commit()
    link.victim.email = None
    db.session.commit()
    outbox_worker.drain()
    [message] = _fresh([message])
    assert (message.status, message.reason) == ("failed", "no_address")
    page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    assert "Alex Victim was not sent their invitation to follow the case online" in page.main_text
    assert "There is no email address or mobile number to send it to" in page.main_text


def test_each_victim_s_card_shows_their_unread_messages(app, ctx):
    officer = factories.staff()
    crime, writing = _case(officer, name="Alex Writing")
    quiet = factories.active_victim(crime, officer, name="Bea Quiet")
    _from_victim(writing)
    _from_victim(writing, "And another thing")
    page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    cards = {
        card.select_one("h3").get_text(strip=True): card for card in page.soup.select(".govuk-summary-card")
    }
    alex = cards["Alex Writing"].get_text(" ", strip=True)
    assert "Messages 2 unread Read and reply : Alex Writing" in alex
    bea = cards["Bea Quiet"].get_text(" ", strip=True)
    assert "Messages No unread messages Messages : Bea Quiet" in bea
    assert _thread_path(writing) in page.links(r"/messages$")
    assert _thread_path(quiet) in page.links(r"/messages$")


def test_reading_the_message_pages_writes_one_read_event_and_changes_nothing(app, ctx):
    team = factories.team()
    officer = factories.staff(team, roles=("officer", "supervisor"))
    crime, link = _case(officer)
    message = _from_victim(link)
    _old_message(link, "victim", 15)
    client = _client(app, officer)
    reads = {
        "/backoffice/messages": "messages.inbox",
        _thread_path(link): "messages.thread",
        "/backoffice/messages/unanswered": "messages.unanswered",
        f"/backoffice/crimes/{crime.id}": "crime.view",
    }
    for path, action in reads.items():
        before = _last_audit_id()
        assert client.get(path).status == 200
        assert _audit_actions_since(before) == [action], path
    [message] = _fresh([message])
    assert message.read_at is None
    assert secure_messages.unread_for_officer(officer) == 2
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def _queries_for(app, client, path):
    client.get(path)  # warm: first-request work is not what is measured
    with count_queries(app) as counter:
        assert client.get(path).status == 200
    return counter["n"]


def test_inbox_and_thread_queries_do_not_grow_with_messages(app, ctx):
    officer = factories.staff()
    crime, link = _case(officer)
    _from_victim(link)
    secure_messages.send_from_staff(link, "A reply", officer)
    client = _client(app, officer)
    small_inbox = _queries_for(app, client, "/backoffice/messages")
    small_thread = _queries_for(app, client, _thread_path(link))
    small_crime = _queries_for(app, client, f"/backoffice/crimes/{crime.id}")

    authors = [officer, factories.staff(officer.team), factories.staff(officer.team)]
    for i in range(60):
        _old_message(link, "victim" if i % 2 else "staff", i % 9, author=None if i % 2 else authors[i % 3])
    for _ in range(30):
        other = factories.active_victim(crime, officer)
        _old_message(other, "victim", 1)
    assert _queries_for(app, client, "/backoffice/messages") == small_inbox
    assert _queries_for(app, client, "/backoffice/messages?page=2") == small_inbox
    assert _queries_for(app, client, _thread_path(link)) == small_thread
    assert _queries_for(app, client, f"/backoffice/crimes/{crime.id}") == small_crime
