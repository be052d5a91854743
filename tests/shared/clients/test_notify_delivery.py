"""Knowing each message arrived: GOV.UK Notify's delivery receipts, sent by the Notify
stand-in (tests/notify/server.py) to the callback as Notify documents them, and the
worker asking Notify the status of messages still unconfirmed. A message not delivered
goes to the officer's "not sent" list and flags the address it went to; a forged receipt
changes nothing; Notify's daily limit is waited out until midnight UK time."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, Victim
from shared.services import outbox_delivery, outbox_failures, outbox_worker
from tests import factories
from tests.outbox_helpers import attempts_of, invited, outbox_rows

TOKEN = "a-callback-token-the-force-chose-0123456789"


@pytest.fixture
def notify(app, use_sender, notify_server):
    use_sender("notify", **notify_server.settings())
    before = app.config["NOTIFY_CALLBACK_TOKEN"]
    app.config["NOTIFY_CALLBACK_TOKEN"] = TOKEN
    yield notify_server
    app.config["NOTIFY_CALLBACK_TOKEN"] = before


@pytest.fixture
def client(app):
    """Notify's side of the callback: a plain HTTP client, no browser, no session."""
    return app.test_client()


def _sent_update(channel="email"):
    """A victim told of a new update, the message sent: (the link, Notify's notification)."""
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    if channel == "sms":
        factories.by_text(link, officer)
    factories.update(crime, officer)
    assert outbox_worker.drain()["sent"] == 1
    return link, outbox_worker_notifications()[-1]


_server = {}


def outbox_worker_notifications():
    return _server["notify"].notifications


@pytest.fixture(autouse=True)
def _remember(request):
    if "notify" in request.fixturenames:
        _server["notify"] = request.getfixturevalue("notify")
    yield
    _server.clear()


def _message():
    [message] = outbox_rows()
    return message


def test_a_delivered_email_is_recorded_as_delivered(ctx, notify, client):
    link, sent = _sent_update()
    message = _message()
    assert (message.status, message.delivery, message.provider_ref) == ("sent", "created", sent.id)

    answer = notify.send_callback(client, sent.id, TOKEN, "delivered")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "delivered", "changed": True}
    message = _message()
    assert (message.status, message.delivery, message.reason) == ("sent", "delivered", None)
    assert db.session.get(Victim, link.victim_id).email_failed_at is None
    assert outbox_failures.failed_for_crime(link.crime, [link.victim_id]) == []


@pytest.mark.parametrize(
    ("status", "reason", "flagged"),
    [
        ("permanent-failure", "undeliverable", True),
        ("temporary-failure", "not_delivered", True),
        ("technical-failure", "provider_failed", False),
    ],
)
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_message_not_delivered_goes_to_the_officer_and_flags_the_address(
    ctx, notify, client, status, reason, flagged, channel
):
    link, sent = _sent_update(channel)
    assert sent.type == channel
    assert notify.send_callback(client, sent.id, TOKEN, status).status_code == 200

    message = _message()
    assert (message.status, message.delivery, message.reason) == ("failed", status, reason)
    # On the officer's "not sent" list, like any other failure: the duty to tell remains.
    assert [m.id for m in outbox_failures.failed_for_crime(link.crime, [link.victim_id])] == [message.id]
    victim = db.session.get(Victim, link.victim_id)
    failed_at = victim.phone_failed_at if channel == "sms" else victim.email_failed_at
    assert (failed_at is not None) is flagged
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message.not_delivered")).all()
    assert [(e.record_id, e.detail) for e in events] == [(str(message.id), status)]


def test_the_flag_is_cleared_when_the_address_changes(ctx, notify, client):
    link, sent = _sent_update()
    notify.send_callback(client, sent.id, TOKEN, "permanent-failure")
    victim = db.session.get(Victim, link.victim_id)
    assert victim.email_failed_at is not None
    victim.email = "new.address@example.org"
    db.session.commit()
    assert db.session.get(Victim, link.victim_id).email_failed_at is None


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong-token"}, 401), ({"Authorization": TOKEN}, 401)],
)
def test_a_receipt_without_the_token_is_refused_and_changes_nothing(ctx, notify, client, headers, status):
    _link, sent = _sent_update()
    notify.set_status(sent.id, "permanent-failure")
    answer = client.post("/notify/delivery-receipts", json=notify.callback_body(sent.id), headers=headers)
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    message = _message()
    assert (message.status, message.delivery) == ("sent", "created")


def test_a_receipt_for_an_unknown_notification_or_reference_is_refused(ctx, notify, client):
    _link, sent = _sent_update()
    notify.set_status(sent.id, "permanent-failure")
    body = notify.callback_body(sent.id)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    unknown = {**body, "id": "8a3b4c1e-0000-4000-8000-000000000000"}
    assert client.post("/notify/delivery-receipts", json=unknown, headers=auth).status_code == 404
    other = {**body, "reference": "tmc-999999"}
    assert client.post("/notify/delivery-receipts", json=other, headers=auth).status_code == 404
    assert _message().delivery == "created"


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"id": "not-a-uuid", "status": "delivered", "notification_type": "email"},
        {"status": "delivered", "notification_type": "email"},
        "STATUS",
    ],
)
def test_a_receipt_that_is_not_notifys_is_refused(ctx, notify, client, body):
    _link, sent = _sent_update()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    if body == "not json":
        answer = client.post(
            "/notify/delivery-receipts", data="{", headers=auth, content_type="application/json"
        )
        assert answer.status_code == 400
    elif body == "STATUS":
        answer = client.post(
            "/notify/delivery-receipts",
            json={**notify.callback_body(sent.id), "status": "read"},
            headers=auth,
        )
        assert answer.status_code == 422
    else:
        answer = client.post("/notify/delivery-receipts", json=body, headers=auth)
        assert answer.status_code == 422
    assert _message().delivery == "created"


def test_a_status_never_goes_backwards(ctx, notify, client):
    _link, sent = _sent_update()
    assert notify.send_callback(client, sent.id, TOKEN, "delivered").status_code == 200
    for status in ("sending", "created", "permanent-failure"):
        assert notify.send_callback(client, sent.id, TOKEN, status).status_code == 409
    message = _message()
    assert (message.status, message.delivery) == ("sent", "delivered")


def test_unconfirmed_messages_are_polled_and_a_late_receipt_changes_nothing(ctx, app, notify, client):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        link, sent = _sent_update()
        notify.set_status(sent.id, "sending")
        # Not yet: sent a moment ago.
        assert outbox_delivery.poll_unconfirmed(app.extensions["notification_sender"]) == {
            "asked": 0,
            "changed": 0,
        }
    later = start + timedelta(minutes=app.config["NOTIFY_POLL_AFTER_MINUTES"] + 1)
    with time_machine.travel(later, tick=False):
        sender = app.extensions["notification_sender"]
        assert outbox_delivery.poll_unconfirmed(sender) == {"asked": 1, "changed": 1}
        assert _message().delivery == "sending"
        # Asked again only after another while.
        assert outbox_delivery.poll_unconfirmed(sender)["asked"] == 0
    with time_machine.travel(later + timedelta(hours=2), tick=False):
        notify.set_status(sent.id, "permanent-failure")
        assert outbox_delivery.poll_unconfirmed(sender) == {"asked": 1, "changed": 1}
        assert (_message().status, _message().delivery) == ("failed", "permanent-failure")
        # Notify's receipt arrives after the poll: the same status, nothing changes.
        answer = notify.send_callback(client, sent.id, TOKEN)
        assert (answer.status_code, answer.get_json()) == (
            200,
            {"status": "permanent-failure", "changed": False},
        )
    assert (
        len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message.not_delivered")).all())
        == 1
    )
    assert [r.path for r in notify.requests if r.method == "GET"] == [f"/v2/notifications/{sent.id}"] * 2


def test_the_daily_limit_is_waited_out_until_midnight_uk_time(ctx, notify):
    # 22:30 on a summer evening in London is 21:30 UTC; the limit resets at 23:00 UTC.
    evening = datetime(2026, 7, 14, 21, 30, tzinfo=UTC)
    with time_machine.travel(evening, tick=False):
        invited()
        notify.daily_limit_next(3)
        assert outbox_worker.drain(now=evening) == {"sent": 0, "retry": 1, "failed": 0, "withheld": 0}
        [message] = outbox_rows()
        assert (message.status, message.attempts) == ("pending", 0)
        assert message.next_attempt_at == datetime(2026, 7, 14, 23, 0, tzinfo=UTC)
        [attempt] = attempts_of(message)
        assert "Exceeded send limits" in attempt.detail
    just_before = datetime(2026, 7, 14, 22, 59, tzinfo=UTC)
    assert outbox_worker.drain(now=just_before) == {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
    midnight = datetime(2026, 7, 14, 23, 0, tzinfo=UTC)
    notify.answer_next(200, 0)
    with time_machine.travel(midnight, tick=False):
        # The stand-in's limit is still reached (two answers left): waited out again, uncounted.
        assert outbox_worker.drain(now=midnight)["retry"] == 1
        [message] = outbox_rows()
        assert message.attempts == 0
        assert message.next_attempt_at == datetime(2026, 7, 15, 23, 0, tzinfo=UTC)


# Staff told of new victim messages (STAFF_MESSAGE_ALERTS).


@pytest.fixture
def alerts(app):
    app.config["STAFF_MESSAGE_ALERTS"] = True
    yield
    app.config["STAFF_MESSAGE_ALERTS"] = False


def test_the_officer_is_told_of_a_victims_message_without_any_detail(ctx, notify, alerts):
    from shared.services import secure_messages

    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    secure_messages.send_from_victim(link, "He came back last night.", link.victim)
    secure_messages.send_from_victim(link, "And again today.", link.victim)
    assert outbox_worker.drain()["sent"] == 1  # one alert waiting is enough

    [sent] = notify.notifications
    assert sent.template.name == "victim_wrote.email.en"
    assert (sent.type, sent.to) == ("email", officer.email)
    assert sent.personalisation == {"link": "http://localhost/backoffice/messages"}
    words = sent.content["subject"] + sent.content["body"]
    for detail in (crime.reference, crime.offence, link.victim.name, "He came back", officer.name):
        assert str(detail) not in words


def test_no_alert_without_the_setting_and_none_to_a_disabled_account(ctx, app, notify):
    from shared.services import secure_messages

    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    secure_messages.send_from_victim(link, "Hello", link.victim)
    assert outbox_rows() == []

    app.config["STAFF_MESSAGE_ALERTS"] = True
    try:
        officer.active = False
        db.session.commit()
        secure_messages.send_from_victim(link, "Hello again", link.victim)
        assert outbox_worker.drain()["withheld"] == 1
    finally:
        app.config["STAFF_MESSAGE_ALERTS"] = False
    assert notify.notifications == []
    [message] = outbox_rows()
    assert (message.kind, message.status, message.reason) == ("victim_wrote", "withheld", "disabled")


def test_the_compliance_report_counts_delivered_failed_and_pending(ctx, notify, client):
    from shared.services import report_export, reports

    day = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    with time_machine.travel(day, tick=False):
        links = [_sent_update()[0] for _ in range(3)]
        ids = [n.id for n in notify.notifications]
        notify.send_callback(client, ids[0], TOKEN, "delivered")
        notify.send_callback(client, ids[1], TOKEN, "permanent-failure")
        # Waiting for Notify's receipt, and one not sent yet.
        factories.update(links[0].crime, links[0].crime.officer_in_charge)
        report = reports.compliance(None, day.date(), day.date())
    assert (report.notifications.delivered, report.notifications.failed, report.notifications.pending) == (
        1,
        1,
        2,
    )
    assert report_export.to_dict(report)["notifications"] == {
        "delivered": 1,
        "failed": 1,
        "pending": 2,
        "total": 4,
    }
    [row] = [row for row in report_export.to_csv_rows(report) if row[0] == "N"]
    assert row[4:10] == ["1", "1", "", "2", "", "4"]
    # Another day: none.
    assert reports.compliance(None, date(2026, 11, 4), date(2026, 11, 4)).notifications.total == 0


def test_the_officer_sees_the_address_is_not_working(ctx, notify, client):
    from tests.pages import PageClient
    from tests.signed_in import sign_in_as

    link, sent = _sent_update()
    officer = link.crime.officer_in_charge
    notify.send_callback(client, sent.id, TOKEN, "permanent-failure")
    pages = PageClient(client.application)
    sign_in_as(pages, officer)
    page = pages.get(f"/backoffice/crimes/{link.crime_id}")
    assert page.status == 200
    assert "Not working: a message could not be delivered" in page.main_text
