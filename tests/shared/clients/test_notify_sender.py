"""Sending by GOV.UK Notify, against a stand-in for Notify on a loopback port that checks
what Notify checks (tests/notify/server.py): what is accepted is recorded as sent with
Notify's id, in the victim's language and by the channel of their contact plan; what
Notify refuses fails at once; what it cannot take now (a rate limit, its own failure,
being unreachable) is tried again later, until the service gives up. Also the settings
for Notify, checked at start-up, and the words printed for a force's Notify templates."""

import json
import re
import time
import uuid
from datetime import timedelta

import jwt
import pytest
import requests
from flask_babel import force_locale

from shared.config import ConfigError, load_config, needed_templates
from shared.domain.notification_kinds import KINDS, notify_template
from shared.extensions import db
from shared.models.types import utcnow
from shared.services import outbox_failures, outbox_worker, victim_accounts, victims_code_actions
from tests import factories
from tests.outbox_helpers import attempts_of, invited, outbox_rows

MOBILE = "07700 900123"
LATER = timedelta(hours=2)


def _texted_update(language="en", phone=MOBILE):
    """A victim whose contact plan says text message, and an update they can see: one
    new_update waiting in the outbox."""
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    link.victim.phone = phone
    db.session.commit()
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=28,
        channel="sms",
        language=language,
        safe_to_contact=True,
        opted_out=False,
        note=None,
        by=officer,
    )
    factories.update(crime, officer)
    return link


@pytest.fixture
def notify(use_sender, notify_server):
    use_sender("notify", **notify_server.settings())
    return notify_server


# Accepted.


@pytest.mark.parametrize("language", ["en", "cy"])
def test_an_invitation_is_sent_by_notify_with_its_id(ctx, notify, language):
    link = invited(language)
    assert outbox_worker.drain() == {"sent": 1, "retry": 0, "failed": 0, "withheld": 0}

    [message] = outbox_rows()
    [sent] = notify.notifications
    name = f"invitation.email.{language}"
    assert sent.template.id == notify.template_ids[name]
    assert (sent.type, sent.to, sent.reference) == ("email", link.victim.email, message.reference)
    assert sent.personalisation["hours"] == "72"
    assert re.fullmatch(r"http://localhost/activate/[A-Za-z0-9_-]+", sent.personalisation["link"])
    # Notify fills its template in: the subject in the victim's language, the link in the body.
    with force_locale(language):
        subject, _body = notify_template(KINDS["invitation"], "email")
    assert sent.content["subject"] == subject
    assert sent.personalisation["link"] in sent.content["body"]
    assert "((" not in sent.content["body"]
    # The link works: it is the victim's real invitation.
    victim_accounts.check_activation(sent.personalisation["link"].rsplit("/", 1)[1])

    assert (message.status, message.channel, message.attempts, message.reason) == ("sent", "email", 1, None)
    assert message.sealed is None  # the link is not kept once sent
    [attempt] = attempts_of(message)
    assert (attempt.outcome, attempt.provider_ref) == ("sent", sent.id)
    uuid.UUID(attempt.provider_ref)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_an_update_goes_by_text_message_when_the_contact_plan_says_so(ctx, notify, language):
    link = _texted_update(language)
    assert outbox_worker.drain()["sent"] == 1

    [message] = outbox_rows()
    [sent] = notify.notifications
    assert sent.template.name == f"new_update.sms.{language}"
    assert (sent.type, sent.to, sent.reference) == ("sms", link.victim.phone, message.reference)
    assert sent.personalisation == {"link": "http://localhost/sign-in"}
    assert sent.content == {
        "body": notify.template(f"new_update.sms.{language}").body.replace(
            "((link))", "http://localhost/sign-in"
        ),
        "from_number": notify.FROM_NUMBER,
    }
    assert (message.status, message.channel) == ("sent", "sms")
    assert attempts_of(message)[0].provider_ref == sent.id


def test_every_request_carries_a_fresh_token_for_the_service(ctx, notify):
    invited()
    _texted_update()
    outbox_worker.drain()
    assert len(notify.notifications) == 2
    for request in notify.requests:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, notify.secret, algorithms=["HS256"])
        assert claims["iss"] == notify.service_id
        assert abs(claims["iat"] - time.time()) < 30


# Refused: failed at once, never tried again.


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (
            lambda: _texted_update(phone="01632 960001"),
            "ValidationError: phone_number Not a UK mobile number",
        ),
        (lambda: _texted_update(phone="07700 9001"), "ValidationError: phone_number Not enough digits"),
        (
            lambda: _texted_update(phone="+33 6 12 34 56 78"),
            "BadRequestError: Cannot send to international mobile numbers",
        ),
        (
            lambda: invited(email="someone@localhost"),
            "ValidationError: email_address Not a valid email address",
        ),
    ],
    ids=["landline", "short", "abroad", "email"],
)
def test_an_address_notify_refuses_fails_at_once(ctx, notify, make, detail):
    make()
    assert outbox_worker.drain()["failed"] == 1
    assert outbox_worker.drain() == {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}

    [message] = outbox_rows()
    assert (message.status, message.reason, message.attempts) == ("failed", "address_refused", 1)
    [attempt] = attempts_of(message)
    assert attempt.outcome == "failed"
    assert attempt.detail == f"Notify 400 {detail}"
    [request] = notify.requests
    assert (request.status, request.answer["errors"][0]["message"]) == (400, detail.split(": ", 1)[1])
    assert notify.notifications == []


@pytest.mark.parametrize(
    ("key", "error"),
    [
        (
            lambda server: f"track_my_crime_live-{server.service_id}-{uuid.uuid4()}",
            "Invalid token: API key not found",
        ),
        (
            lambda server: f"track_my_crime_live-{uuid.uuid4()}-{server.secret}",
            "Invalid token: service not found",
        ),
    ],
    ids=["wrong-secret", "wrong-service"],
)
def test_a_wrong_key_fails_at_once(ctx, use_sender, notify_server, key, error):
    use_sender("notify", **notify_server.settings(NOTIFY_API_KEY=key(notify_server)))
    invited()
    assert outbox_worker.drain()["failed"] == 1

    [message] = outbox_rows()
    assert (message.status, message.reason, message.attempts) == ("failed", "refused", 1)
    assert attempts_of(message)[0].detail == f"Notify 403 AuthError: {error}"
    assert len(notify_server.requests) == 1
    assert notify_server.notifications == []


def test_a_template_notify_does_not_have_fails_at_once(ctx, use_sender, notify_server):
    """A template deleted in Notify after the service was set up."""
    templates = {**notify_server.template_ids, "invitation.email.en": str(uuid.uuid4())}
    use_sender("notify", **notify_server.settings(NOTIFY_TEMPLATES=templates))
    invited()
    outbox_worker.drain()
    [message] = outbox_rows()
    assert (message.status, message.reason) == ("failed", "refused")
    assert attempts_of(message)[0].detail == "Notify 400 BadRequestError: Template not found"


@pytest.mark.parametrize("status", [400, 403])
def test_any_other_refusal_fails_at_once(ctx, notify, status):
    notify.answer_next(status)
    invited()
    assert outbox_worker.drain()["failed"] == 1
    [message] = outbox_rows()
    assert (message.status, message.reason, message.attempts) == ("failed", "refused", 1)


# Not now: tried again later.


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (lambda server: server.answer_next(429), "Notify 429 RateLimitError: Exceeded rate limit"),
        (lambda server: server.answer_next(500), "Notify 500 Exception: Internal server error"),
        (lambda server: server.stop(), "Notify 503 : Request failed"),
    ],
    # The daily limit is waited out until midnight instead: test_notify_delivery.py.
    ids=["rate-limit", "server-error", "unreachable"],
)
def test_a_temporary_failure_is_tried_again_later(ctx, notify, answer, detail):
    _texted_update()
    answer(notify)
    before = utcnow()
    assert outbox_worker.drain()["retry"] == 1

    [message] = outbox_rows()
    assert (message.status, message.attempts, message.reason) == ("pending", 1, None)
    # Backoff: from 30 seconds (less up to a quarter), not at once.
    assert before + timedelta(seconds=22) <= message.next_attempt_at <= utcnow() + timedelta(seconds=30)
    [attempt] = attempts_of(message)
    assert attempt.outcome == "retry"
    assert attempt.detail.startswith(detail)
    # Not due yet: nothing happens now.
    assert outbox_worker.drain() == {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}

    if detail.startswith("Notify 503"):
        notify.start()  # Notify is back
    assert outbox_worker.drain(now=utcnow() + LATER)["sent"] == 1
    [message] = outbox_rows()
    assert (message.status, message.attempts) == ("sent", 2)
    [sent] = notify.notifications
    assert [a.outcome for a in attempts_of(message)] == ["retry", "sent"]
    assert attempts_of(message)[1].provider_ref == sent.id


def test_a_slow_answer_is_a_timeout_and_tried_again(ctx, use_sender, notify_server):
    use_sender("notify", **notify_server.settings(), SEND_TIMEOUT_SECONDS=1)
    notify_server.delay = 1.5
    invited()
    assert outbox_worker.drain()["retry"] == 1
    assert attempts_of(outbox_rows()[0])[0].detail.startswith("Notify 503")


def test_after_the_last_try_the_message_fails(ctx, notify, app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "OUTBOX_BACKOFF_SECONDS", 0)
    notify.answer_next(500, times=5)
    link = invited()
    assert outbox_worker.drain() == {"sent": 0, "retry": 2, "failed": 1, "withheld": 0}

    [message] = outbox_rows()
    assert (message.status, message.reason, message.attempts) == ("failed", "gave_up", 3)
    assert [a.outcome for a in attempts_of(message)] == ["retry", "retry", "failed"]
    assert len(notify.requests) == 3
    assert message.sealed is None
    # Shown to the officer on the crime page.
    assert outbox_failures.failed_for_crime(link.crime, [link.victim_id]) == [message]


# The stand-in checks what Notify checks.


def _post(server, path, body, token=None):
    token = token or jwt.encode(
        {"iss": server.service_id, "iat": int(time.time())}, server.secret, algorithm="HS256"
    )
    return requests.post(
        server.url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )


def _errors(response):
    return [error["message"] for error in response.json()["errors"]]


def test_the_stand_in_refuses_what_notify_refuses(notify_server):
    server = notify_server
    email_id = server.template_ids["invitation.email.en"]
    good = {
        "email_address": "victim@example.com",
        "template_id": email_id,
        "personalisation": {"link": "x", "hours": 1},
    }
    assert _post(server, "/v2/notifications/email", good).status_code == 201

    old = jwt.encode(
        {"iss": server.service_id, "iat": int(time.time()) - 60}, server.secret, algorithm="HS256"
    )
    assert _errors(_post(server, "/v2/notifications/email", good, old)) == [
        "Error: Your system clock must be accurate to within 30 seconds"
    ]
    no_iss = jwt.encode({"iat": int(time.time())}, server.secret, algorithm="HS256")
    assert _errors(_post(server, "/v2/notifications/email", good, no_iss)) == [
        "Invalid token: iss field not provided"
    ]
    other = jwt.encode(
        {"iss": server.service_id, "iat": int(time.time())}, str(uuid.uuid4()), algorithm="HS256"
    )
    response = _post(server, "/v2/notifications/email", good, other)
    assert (response.status_code, _errors(response)) == (403, ["Invalid token: API key not found"])
    assert requests.post(server.url + "/v2/notifications/email", json=good, timeout=5).status_code == 401

    def refused(path, **changes):
        response = _post(server, path, {**good, **changes})
        assert response.status_code == 400
        return _errors(response)

    assert refused("/v2/notifications/email", template_id="welcome") == ["template_id is not a valid UUID"]
    assert refused("/v2/notifications/email", template_id=str(uuid.uuid4())) == ["Template not found"]
    assert refused("/v2/notifications/email", personalisation={"link": "x"}) == [
        "Missing personalisation: hours"
    ]
    assert refused("/v2/notifications/email", email_address="victim@example") == [
        "email_address Not a valid email address"
    ]
    assert refused("/v2/notifications/email", reference=7) == ["reference 7 is not of type string, null"]
    sms = {"phone_number": "+44 7700 900123", "template_id": server.template_ids["new_update.sms.en"]}
    assert (
        _post(server, "/v2/notifications/sms", {**sms, "personalisation": {"link": "x"}}).status_code == 201
    )
    assert refused("/v2/notifications/sms", **sms) == [
        "Additional properties are not allowed ('email_address' was unexpected)"
    ]
    assert _errors(_post(server, "/v2/notifications/sms", {**sms, "phone_number": "07700 9001234"})) == [
        "phone_number Too many digits"
    ]
    assert _errors(_post(server, "/v2/notifications/sms", {**sms, "template_id": email_id})) == [
        "email template is not suitable for sms notification"
    ]
    assert _errors(
        _post(
            server,
            "/v2/notifications/sms",
            {**sms, "phone_number": "+33 6 12 34 56 78", "personalisation": {"link": "x"}},
        )
    ) == ["Cannot send to international mobile numbers"]
    assert len(server.notifications) == 2


def test_the_stand_in_stops_and_starts_on_the_same_port(notify_server):
    url = notify_server.url
    notify_server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(url + "/v2/notifications/email", json={}, timeout=5)
    notify_server.start()
    assert notify_server.url == url
    assert requests.post(url + "/v2/notifications/email", json={}, timeout=5).status_code == 401


# The settings for Notify, checked when the service starts.


@pytest.fixture
def no_sender_environment(monkeypatch):
    for name in (
        "NOTIFICATION_SENDER",
        "NOTIFY_API_KEY",
        "NOTIFY_BASE_URL",
        "NOTIFY_TEMPLATES",
        "NOTIFY_TEMPLATES_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


def _notify_config(tmp_path, **overrides):
    return load_config(str(tmp_path), {"APP_ENV": "testing", "NOTIFICATION_SENDER": "notify", **overrides})


def _ids():
    return {name: str(uuid.uuid4()) for name in needed_templates()}


KEY = f"track_my_crime_live-{uuid.uuid4()}-{uuid.uuid4()}"


def test_notify_settings_that_are_right_are_taken(tmp_path, no_sender_environment):
    ids = _ids()
    config = _notify_config(tmp_path, NOTIFY_API_KEY=KEY, NOTIFY_TEMPLATES=ids)
    assert (config["NOTIFICATION_SENDER"], config["NOTIFY_API_KEY"], config["NOTIFY_TEMPLATES"]) == (
        "notify",
        KEY,
        ids,
    )
    assert config["NOTIFY_BASE_URL"] == "https://api.notifications.service.gov.uk"
    # The same as JSON, as name=id pairs, and from a file.
    assert (
        _notify_config(tmp_path, NOTIFY_API_KEY=KEY, NOTIFY_TEMPLATES=json.dumps(ids))["NOTIFY_TEMPLATES"]
        == ids
    )
    pairs = ",".join(f"{name}={template_id}" for name, template_id in ids.items())
    assert _notify_config(tmp_path, NOTIFY_API_KEY=KEY, NOTIFY_TEMPLATES=pairs)["NOTIFY_TEMPLATES"] == ids
    (tmp_path / "templates.json").write_text(json.dumps(ids))
    from_file = _notify_config(
        tmp_path, NOTIFY_API_KEY=KEY, NOTIFY_TEMPLATES_FILE=str(tmp_path / "templates.json")
    )
    assert from_file["NOTIFY_TEMPLATES"] == ids


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "just-a-secret",
        f"{uuid.uuid4()}-{uuid.uuid4()}",
        f"name-{uuid.uuid4()}",
        f"name-{uuid.uuid4()}-not-a-uuid",
        f"name with spaces-{uuid.uuid4()}-{uuid.uuid4()}",
    ],
)
def test_notify_needs_a_well_formed_key(tmp_path, no_sender_environment, key):
    overrides = {"NOTIFY_TEMPLATES": _ids()} | ({} if key is None else {"NOTIFY_API_KEY": key})
    with pytest.raises(ConfigError, match="NOTIFICATION_SENDER=notify needs NOTIFY_API_KEY"):
        _notify_config(tmp_path, **overrides)


def test_notify_needs_every_template(tmp_path, no_sender_environment):
    ids = _ids()
    del ids["new_message.sms.cy"]
    with pytest.raises(ConfigError, match=r"NOTIFY_TEMPLATES has no template for: new_message\.sms\.cy\. "):
        _notify_config(tmp_path, NOTIFY_API_KEY=KEY, NOTIFY_TEMPLATES=ids)
    with pytest.raises(ConfigError, match="no template for: invitation.email.en, invitation.email.cy"):
        _notify_config(tmp_path, NOTIFY_API_KEY=KEY)


def test_notify_refuses_a_template_the_service_does_not_use(tmp_path, no_sender_environment):
    with pytest.raises(ConfigError, match="does not use: staff_setup.email.cy"):
        _notify_config(
            tmp_path,
            NOTIFY_API_KEY=KEY,
            NOTIFY_TEMPLATES={**_ids(), "staff_setup.email.cy": str(uuid.uuid4())},
        )


def test_notify_template_ids_are_uuids(tmp_path, no_sender_environment):
    ids = {**_ids(), "new_update.sms.en": "new-update-text"}
    with pytest.raises(ConfigError, match=r"\(UUIDs\): new_update.sms.en\.$"):
        _notify_config(tmp_path, NOTIFY_API_KEY=KEY, NOTIFY_TEMPLATES=ids)


def test_the_templates_to_set_up_in_notify_are_printed(app, ctx, notify_server):
    result = app.test_cli_runner().invoke(args=["notify-templates"])
    assert result.exit_code == 0, result.output
    blocks = {
        block.split("\n", 1)[0]: block.split("\n", 1)[1].strip("\n")
        for block in result.output.split("== ")[1:]
    }
    assert list(blocks) == needed_templates()
    assert {name.rsplit(".", 1)[1] for name in blocks} == {"en", "cy"}
    for name, text in blocks.items():
        template = notify_server.template(name)
        expected = (f"Subject: {template.subject}\n" if template.subject else "") + template.body
        assert text == expected
        assert "%(" not in text
        assert "((link))" in text
    assert blocks["invitation.email.cy"].startswith("Subject: Sefydlu eich cyfrif\n")
    assert (
        blocks["new_update.sms.en"]
        == "There is a new update for you on Track My Crime. Sign in to read it: ((link))"
    )
