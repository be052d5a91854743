"""The outbox's rules, against a real SMTP server: a message is written in the same
transaction as the change that causes it; whether it may go, and where, is decided when
it is sent; what it carries is sealed; failed tries wait longer each time; and only the
worker holding a message's claim may record what happened to it."""

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AccountLink, InvestigationUpdate, OutboxMessage, Victim
from shared.models.types import utcnow
from shared.services import (
    outbox_failures,
    outbox_sealing,
    outbox_worker,
    updates,
    victim_accounts,
    victims_code_actions,
)
from shared.services.errors import ServiceError
from tests import factories
from tests.outbox_helpers import attempts_of, outbox_rows
from tests.pages import Page, PageClient
from tests.signed_in import sign_in_as

NOT_SAFE = "This victim is marked not safe to contact: the service sends them nothing, invitations included"


@pytest.fixture
def officer(ctx):
    return factories.staff()


def _plan(link, officer, **changes):
    settings = {
        "frequency_days": 28,
        "channel": "email",
        "language": "en",
        "safe_to_contact": True,
        "opted_out": False,
        "note": None,
    }
    settings.update(changes)
    return victims_code_actions.change_contact_plan(link, by=officer, **settings)


def _case(officer, **victim):
    """A crime with one victim who uses the service."""
    crime = factories.crime(officer)
    return crime, factories.active_victim(crime, officer, **victim)


# Written with the change that causes it.


def test_a_visible_update_commits_its_message_with_it(app, officer):
    crime, link = _case(officer)
    update = factories.update(crime, officer)
    # Read on another connection: both were committed, together.
    with db.engine.connect() as conn:
        assert (
            conn.scalar(
                select(func.count())
                .select_from(InvestigationUpdate)
                .where(InvestigationUpdate.id == update.id)
            )
            == 1
        )
        [row] = conn.execute(
            select(OutboxMessage.kind, OutboxMessage.victim_id, OutboxMessage.crime_id, OutboxMessage.status)
        ).all()
    assert tuple(row) == ("new_update", link.victim_id, crime.id, "pending")


def test_an_update_the_service_refuses_leaves_no_message(officer, monkeypatch):
    crime, _link = _case(officer)
    with pytest.raises(ServiceError):
        factories.update(crime, officer, text="")
    db.session.rollback()
    assert outbox_rows() == []

    # Refused after the message was already written in the transaction: the rollback
    # takes the message away with the update.
    written = []

    def refuse(*args, **kwargs):
        written.append(db.session.scalar(select(func.count()).select_from(OutboxMessage)))
        raise ServiceError("refused")

    monkeypatch.setattr(updates.entitlements, "on_key_event", refuse)
    with pytest.raises(ServiceError):
        factories.update(crime, officer, kind="arrest")
    db.session.rollback()
    assert written == [1]
    assert outbox_rows() == []
    assert db.session.scalar(select(func.count()).select_from(InvestigationUpdate)) == 0


def test_a_staff_only_update_sends_nothing(officer):
    crime, _link = _case(officer)
    factories.update(crime, officer, text=None, note="Staff only", visible=False)
    assert outbox_rows() == []


def test_a_victim_without_an_account_is_not_told_of_updates(officer):
    crime = factories.crime(officer)
    factories.victim(crime, officer)
    with_account = factories.active_victim(crime, officer)
    factories.update(crime, officer)
    assert [row.victim_id for row in outbox_rows()] == [with_account.victim_id]


def test_updates_before_the_worker_runs_make_one_message(officer, smtp):
    crime, link = _case(officer)
    factories.update(crime, officer, text="First")
    factories.update(crime, officer, text="Second")
    [waiting] = outbox_rows()
    assert waiting.status == "pending"
    assert outbox_worker.drain()["sent"] == 1
    assert [r.reference for r in smtp.received] == [waiting.reference]

    factories.update(crime, officer, text="Third")
    rows = outbox_rows()
    assert [row.status for row in rows] == ["sent", "pending"]
    assert outbox_worker.drain()["sent"] == 1
    assert [r.reference for r in smtp.received] == [row.reference for row in rows]
    assert all(r.recipients == [link.victim.email] for r in smtp.received)


# Routed when it is sent.


@pytest.mark.parametrize(
    ("plan", "status", "reason"),
    [
        ({"safe_to_contact": False}, "withheld", "not_safe"),
        ({"opted_out": True}, "withheld", "opted_out"),
        ({"channel": "phone"}, "withheld", "channel"),
        ({"channel": "letter"}, "withheld", "channel"),
        # The SMTP sender sends email only.
        ({"channel": "sms"}, "failed", "no_channel"),
    ],
)
def test_the_contact_plan_decides_at_send_time(officer, smtp, plan, status, reason):
    crime, link = _case(officer)
    _plan(link, officer, **plan)
    factories.update(crime, officer)
    counts = outbox_worker.drain()
    assert counts[status] == 1 and sum(counts.values()) == 1
    [row] = outbox_rows()
    assert (row.status, row.reason, row.sealed) == (status, reason, None)
    [attempt] = attempts_of(row.id)
    assert attempt.outcome == status
    assert smtp.received == []
    # A failure is put in front of the officer; a message withheld on purpose is not.
    shown = outbox_failures.failed_for_crime(crime, [link.victim_id])
    assert [m.id for m in shown] == ([row.id] if status == "failed" else [])


def test_a_plan_changed_to_not_safe_after_the_message_was_written_stops_it(officer, smtp):
    crime, link = _case(officer)
    factories.update(crime, officer)
    [row] = outbox_rows()
    assert row.status == "pending"
    _plan(link, officer, safe_to_contact=False)
    assert outbox_worker.drain() == {"sent": 0, "retry": 0, "failed": 0, "withheld": 1}
    [row] = outbox_rows()
    assert (row.status, row.reason) == ("withheld", "not_safe")
    assert smtp.received == []


def test_a_text_message_with_no_mobile_number_fails(officer, use_sender, caplog):
    use_sender("log")  # a sender that can send text messages
    crime, link = _case(officer)
    assert link.victim.phone is None
    _plan(link, officer, channel="sms")
    factories.update(crime, officer)
    assert outbox_worker.drain()["failed"] == 1
    [row] = outbox_rows()
    assert (row.status, row.reason, row.channel) == ("failed", "no_address", "sms")

    # With a number, it goes as a text message.
    link.victim.phone = "07700 900123"
    db.session.commit()
    caplog.set_level("INFO", logger="trackmycrime.messages")
    factories.update(crime, officer)
    assert outbox_worker.drain()["sent"] == 1
    row = outbox_rows()[-1]
    assert (row.status, row.channel) == ("sent", "sms")
    [record] = [r for r in caplog.records if r.name == "trackmycrime.messages"]
    assert record.args[2] == "07700 900123"


def test_the_address_is_read_when_the_message_is_sent(officer, smtp):
    crime, link = _case(officer, email="old@example.com")
    factories.update(crime, officer)
    assert link.victim.email == "old@example.com"  # loaded in this session
    # Changed meanwhile by someone else, as a back-office request would.
    with db.engine.begin() as conn:
        conn.execute(sa.update(Victim).where(Victim.id == link.victim_id).values(email="new@example.com"))
    assert outbox_worker.drain()["sent"] == 1
    assert [r.recipients for r in smtp.received] == [["new@example.com"]]


def test_the_plan_s_language_is_used(officer, smtp):
    crime, link = _case(officer, language="en")
    _plan(link, officer, language="cy")
    factories.update(crime, officer)
    assert outbox_worker.drain()["sent"] == 1
    [received] = smtp.received
    assert received.message["Content-Language"] == "cy"


def test_a_victim_not_safe_to_contact_cannot_be_invited(app, officer, smtp):
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    _plan(link, officer, safe_to_contact=False)
    with pytest.raises(ServiceError) as refused:
        victim_accounts.invite(link, by=officer)
    assert str(refused.value) == NOT_SAFE
    db.session.rollback()

    client = PageClient(app)
    sign_in_as(client, officer)
    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    page = client.post(
        f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite", {"csrf_token": crime_page.csrf()}
    )
    assert page.status == 302
    page = client.follow(page)
    assert page.status == 200
    assert NOT_SAFE in page.main_text
    assert outbox_rows() == []
    assert db.session.scalar(select(func.count()).select_from(AccountLink)) == 0
    assert outbox_worker.drain() == {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
    assert smtp.received == []


def _comparable(page: Page, typed: str) -> str:
    """The page without what differs on every request (the CSRF token, the CSP nonce)
    and without what the visitor typed."""
    text = page.text
    for field in page.soup.find_all("input", attrs={"name": "csrf_token"}):
        text = text.replace(field["value"], "CSRF")
    nonce = re.search(r"'nonce-([^']+)'", page.response.headers["Content-Security-Policy"]).group(1)
    return text.replace(nonce, "NONCE").replace(typed, "TYPED")


def test_a_password_reset_for_a_victim_not_safe_to_contact_sends_nothing(app, officer, smtp):
    _crime, link = _case(officer)
    _plan(link, officer, safe_to_contact=False)
    pages = {}
    for email in (link.victim.email, "nobody.here@example.com"):
        pages[email] = PageClient(app, portal=True).post("/forgot-password", {"email": email})
    known, unknown = pages.values()
    assert known.status == unknown.status == 200
    assert _comparable(known, link.victim.email) == _comparable(unknown, "nobody.here@example.com")
    outbox_worker.drain()
    assert smtp.received == []
    # No link is even made: nothing may be sent to them.
    assert outbox_rows() == []
    assert not db.session.scalar(
        select(func.count()).select_from(AccountLink).where(AccountLink.victim_id == link.victim_id)
    )


# What a message carries is sealed.


def test_the_activation_link_is_sealed_and_emptied_once_sent(officer, smtp):
    link = factories.victim(factories.crime(officer), officer)
    victim_accounts.invite(link, by=officer)
    with db.engine.connect() as conn:
        sealed = conn.scalar(sa.text("SELECT sealed FROM outbox_message"))
    assert sealed
    assert "activate" not in sealed
    assert outbox_worker.drain()["sent"] == 1
    [received] = smtp.received
    token = re.search(r"/activate/([A-Za-z0-9_-]+)", received.body).group(1)
    assert token not in sealed
    assert outbox_sealing.unseal(sealed)["link"].endswith("/activate/" + token)
    assert db.session.scalar(select(AccountLink.token_hash)) == hashlib.sha256(token.encode()).hexdigest()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status, sealed FROM outbox_message")).one() == ("sent", None)


# Failed tries wait longer each time.


def test_backoff_grows_with_attempts_and_is_capped(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BACKOFF_SECONDS", 30)
    monkeypatch.setitem(app.config, "OUTBOX_BACKOFF_MAX_SECONDS", 600)
    for attempts, full in ((1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 600), (20, 600)):
        for _ in range(20):
            wait = outbox_worker.backoff(attempts).total_seconds()
            assert 0.75 * full <= wait <= full, (attempts, wait)


def test_a_retrying_message_waits_for_its_time(app, officer, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BACKOFF_SECONDS", 30)
    crime, _link = _case(officer)
    factories.update(crime, officer)
    smtp.handler.answer = "451 4.3.0 Try again later"
    before = utcnow()
    assert outbox_worker.drain()["retry"] == 1
    [row] = outbox_rows()
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, None)
    assert before + timedelta(seconds=22) <= row.next_attempt_at <= utcnow() + timedelta(seconds=30)
    [attempt] = attempts_of(row.id)
    assert (attempt.outcome, attempt.detail) == ("retry", "SMTP 451")

    smtp.handler.answer = None
    assert outbox_worker.drain(now=row.next_attempt_at - timedelta(seconds=1)) == {
        "sent": 0,
        "retry": 0,
        "failed": 0,
        "withheld": 0,
    }
    assert smtp.received == []
    assert outbox_worker.drain(now=row.next_attempt_at + timedelta(seconds=1))["sent"] == 1
    assert [r.reference for r in smtp.received] == [row.reference]
    assert [a.outcome for a in attempts_of(row.id)] == ["retry", "sent"]


def test_with_no_backoff_a_retry_is_due_at_once(app, officer, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BACKOFF_SECONDS", 0)
    crime, _link = _case(officer)
    factories.update(crime, officer)
    smtp.handler.answer = "421 4.7.0 Too busy"
    assert outbox_worker.deliver_due()["retry"] == 1
    smtp.handler.answer = None
    assert outbox_worker.deliver_due()["sent"] == 1
    assert [row.status for row in outbox_rows()] == ["sent"]


def test_a_message_that_keeps_failing_finally_fails(app, officer, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BACKOFF_SECONDS", 0)
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    crime, link = _case(officer)
    factories.update(crime, officer)
    smtp.handler.answer = "451 4.3.0 Try again later"
    for _ in range(3):
        outbox_worker.deliver_due()
    [row] = outbox_rows()
    assert (row.status, row.reason, row.attempts) == ("failed", "gave_up", 3)
    assert [a.outcome for a in attempts_of(row.id)] == ["retry", "retry", "failed"]
    assert [m.id for m in outbox_failures.failed_for_crime(crime, [link.victim_id])] == [row.id]


# Only the worker holding the claim records what happened.


def _claimed(officer, by: str, until):
    crime, _link = _case(officer)
    factories.update(crime, officer)
    [row] = outbox_rows()
    row.claimed_by, row.claimed_until = by, until
    db.session.commit()
    return row.id


def test_a_message_another_worker_holds_is_skipped(officer, smtp):
    message_id = _claimed(officer, "other-worker", utcnow() + timedelta(minutes=5))
    assert outbox_worker.drain() == {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
    [row] = outbox_rows()
    assert (row.id, row.status, row.claimed_by, row.attempts) == (message_id, "pending", "other-worker", 0)
    assert smtp.received == []


def test_an_expired_claim_is_taken_over(officer, smtp):
    message_id = _claimed(officer, "dead-worker", utcnow() - timedelta(seconds=1))
    assert outbox_worker.drain("this-worker")["sent"] == 1
    [row] = outbox_rows()
    assert (row.status, row.claimed_by, row.attempts) == ("sent", None, 1)
    assert [(a.outcome, a.worker) for a in attempts_of(message_id)] == [("sent", "this-worker")]


def test_a_worker_that_lost_its_claim_records_nothing(app, officer, smtp):
    message_id = _claimed(officer, "slow-worker", utcnow() - timedelta(seconds=1))
    # Its claim ran out and another worker took the message.
    assert outbox_worker.claim("new-worker", 10, utcnow()) == [message_id]

    assert outbox_worker._finish(message_id, "slow-worker", "sent", channel="email", now=utcnow()) is False
    # The slow worker sees the message is no longer its own, and leaves it alone.
    assert outbox_worker.send_one(message_id, "slow-worker", app.extensions["notification_sender"]) == "lost"
    assert smtp.received == []
    [row] = outbox_rows()
    assert (row.status, row.claimed_by, row.attempts) == ("pending", "new-worker", 0)
    assert attempts_of(message_id) == []

    # The worker holding the claim records it once.
    assert outbox_worker.send_one(message_id, "new-worker", app.extensions["notification_sender"]) == "sent"
    assert [(a.outcome, a.worker) for a in attempts_of(message_id)] == [("sent", "new-worker")]
    # Once sent, a late worker still cannot record anything.
    assert outbox_worker._finish(message_id, "new-worker", "failed", reason="refused", now=utcnow()) is False
    assert [row.status for row in outbox_rows()] == ["sent"]


def test_a_message_sealed_with_another_key_fails_and_says_why(app, officer, smtp, monkeypatch):
    _crime, link = _case(officer)
    victim_accounts.request_reset(link.victim.email)
    # The service's secret key changed between writing the message and sending it.
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")
    assert outbox_worker.drain()["failed"] == 1
    [row] = outbox_rows()
    assert (row.status, row.reason, row.sealed) == ("failed", "unreadable", None)
    assert smtp.received == []


def test_in_development_the_web_server_and_the_worker_share_a_key(tmp_path, monkeypatch):
    """Both start without SECRET_KEY: the key kept in the instance folder lets the worker
    read what the web server sealed."""
    from shared.config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    web = load_config(str(tmp_path), {"APP_ENV": "development"})
    worker = load_config(str(tmp_path), {"APP_ENV": "development"})
    assert web["SECRET_KEY"] == worker["SECRET_KEY"]
    assert len(web["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_config(str(tmp_path / "other"), {"APP_ENV": "development"})["SECRET_KEY"] != web["SECRET_KEY"]
