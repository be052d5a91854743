"""Sending email by SMTP, against a real SMTP server on a loopback port
(tests/smtp_server.py): what the server accepts arrives as a plain email in the victim's
language with a working link and is recorded as sent; a refusal fails at once; a server
that answers "try again later" or cannot be reached is tried again later."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from shared.domain.notification_kinds import KINDS, render
from shared.models.types import utcnow
from shared.services import outbox_worker, victim_accounts
from tests.outbox_helpers import attempts_of, invited, outbox_rows

LATER = timedelta(hours=2)
NOTHING = {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_an_invitation_arrives_as_an_email(ctx, smtp, language):
    link = invited(language)
    assert outbox_worker.drain() == {**NOTHING, "sent": 1}

    [message] = outbox_rows()
    [received] = smtp.received
    email = received.message
    assert received.recipients == [link.victim.email]
    assert received.sender == "no-reply@police.example"
    assert email["From"] == "Track My Crime <no-reply@police.example>"
    assert email["To"] == link.victim.email
    with force_locale(language):
        subject, _body = render(KINDS["invitation"], "email", {})
    assert email["Subject"] == subject
    assert email["Content-Language"] == language
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["Date"]
    assert re.fullmatch(r"<tmc-\d+\.[0-9a-f]{32}@police\.example>", email["Message-ID"])
    assert received.reference == message.reference
    assert email.get_content_type() == "text/plain"

    found = re.search(r"http://localhost/activate/([A-Za-z0-9_-]+)\s", received.body)
    assert found, received.body
    victim_accounts.check_activation(found.group(1))  # the victim's real, working link
    assert {"en": "expires in 72 hours", "cy": "ymhen 72 awr"}[language] in received.body

    assert (message.status, message.channel, message.attempts) == ("sent", "email", 1)
    [attempt] = attempts_of(message)
    assert (attempt.outcome, attempt.provider_ref) == ("sent", email["Message-ID"])


def test_a_welsh_victim_gets_the_welsh_email(ctx, smtp):
    invited("cy")
    outbox_worker.drain()
    [received] = smtp.received
    assert received.message["Subject"] == "Sefydlu eich cyfrif"
    assert received.message["Content-Language"] == "cy"


def test_try_again_later_is_tried_again_later(ctx, smtp):
    smtp.handler.answer = "451 4.3.0 Try again later"
    invited()
    before = utcnow()
    assert outbox_worker.drain() == {**NOTHING, "retry": 1}

    [message] = outbox_rows()
    assert (message.status, message.attempts, message.reason) == ("pending", 1, None)
    assert before + timedelta(seconds=22) <= message.next_attempt_at <= utcnow() + timedelta(seconds=30)
    assert attempts_of(message)[0].detail == "SMTP 451"
    assert smtp.received == []
    assert outbox_worker.drain() == NOTHING  # not due yet

    smtp.handler.answer = None
    assert outbox_worker.drain(now=utcnow() + LATER) == {**NOTHING, "sent": 1}
    [message] = outbox_rows()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(smtp.received) == 1
    assert [a.outcome for a in attempts_of(message)] == ["retry", "sent"]


def test_a_refused_message_fails_at_once(ctx, smtp):
    smtp.handler.answer = "550 5.7.1 Message refused"
    invited()
    assert outbox_worker.drain() == {**NOTHING, "failed": 1}
    [message] = outbox_rows()
    assert (message.status, message.reason, message.attempts) == ("failed", "refused", 1)
    assert attempts_of(message)[0].detail == "SMTP 550"
    assert message.sealed is None


@pytest.mark.parametrize(
    ("answer", "outcome", "reason"),
    [("550 5.1.1 No such user here", "failed", "address_refused"), ("450 4.2.1 Mailbox busy", "retry", None)],
)
def test_a_refused_recipient(ctx, smtp, answer, outcome, reason):
    smtp.handler.rcpt_answer = answer
    invited()
    assert outbox_worker.drain()[outcome] == 1
    [message] = outbox_rows()
    assert (message.reason, message.attempts) == (reason, 1)
    code = answer.split()[0]
    verb = "refused" if outcome == "failed" else "deferred"
    assert attempts_of(message)[0].detail == f"SMTP {code} recipient {verb}"
    assert smtp.received == []


def test_a_server_that_is_down_is_tried_again_when_it_is_back(ctx, smtp):
    smtp.stop()
    invited()
    assert outbox_worker.drain() == {**NOTHING, "retry": 1}
    [message] = outbox_rows()
    assert attempts_of(message)[0].detail == "SMTP ConnectionRefusedError"

    # One batch (drain would go on trying until the last try, each time "later").
    assert outbox_worker.deliver_due(now=utcnow() + LATER) == {**NOTHING, "retry": 1}  # still down
    smtp.start()
    assert outbox_worker.drain(now=utcnow() + 4 * LATER) == {**NOTHING, "sent": 1}
    [message] = outbox_rows()
    assert (message.status, message.attempts) == ("sent", 3)
    assert [a.outcome for a in attempts_of(message)] == ["retry", "retry", "sent"]
    assert len(smtp.received) == 1


def test_a_slow_server_is_a_timeout_and_tried_again(ctx, use_sender, smtp_server):
    use_sender("smtp", **smtp_server.settings(), SEND_TIMEOUT_SECONDS=1)
    smtp_server.handler.delay = 1.5
    invited()
    assert outbox_worker.drain() == {**NOTHING, "retry": 1}
    assert attempts_of(outbox_rows()[0])[0].detail in ("SMTP TimeoutError", "SMTP SMTPServerDisconnected")
