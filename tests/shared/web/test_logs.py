"""The logs as a force's platform collects them: JSON lines carrying the request id and
the user, security events and the audit trail at INFO, and never a password, a code,
a token, a secret or a message's text, read from the very lines the handler writes."""

import io
import json
import logging
import sys

import flask
import pyotp
import pytest

from shared.config import load_config
from shared.extensions import db
from shared.factory import create_app
from shared.services import audit, totp
from shared.web import logs
from tests import factories
from tests.api_helpers import ApiCaller, register
from tests.signed_in import sign_in_as


@pytest.fixture
def written(app):
    """What the service's log handler writes from now on: `written()` is the text,
    `written.lines()` each line read as JSON."""
    logs.init_app(app)  # another test may have made an app with other settings since
    out = io.StringIO()
    handler = logs.handler()
    before = handler.setStream(out)

    def text() -> str:
        return out.getvalue()

    text.lines = lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    yield text
    handler.setStream(before)


def test_each_line_is_json_with_the_time_level_logger_request_id_and_user(client, ctx, written):
    member = factories.staff(roles=("officer",))
    sign_in_as(client, member)
    page = client.get("/backoffice/staff", headers={"X-Request-ID": "req-for-the-log-test-1"})
    assert page.status == 403

    lines = written.lines()
    [refused] = [line for line in lines if line["logger"] == "trackmycrime.auth"]
    assert refused["level"] == "WARNING"
    assert refused["message"].startswith("Refused GET backoffice.staff_list to staff")
    assert refused["time"].endswith("+00:00")
    # The request's id is the service's own (the answer carries it), not the client's.
    assert (refused["request_id"], refused["user_kind"], refused["user_id"]) == (
        page.response.headers["X-Request-ID"],
        "staff",
        member.id,
    )
    assert "req-for-the-log-test-1" not in json.dumps(lines)
    # The refusal is in the audit trail, and so in the log too: ids, never the detail.
    [event] = [line for line in lines if line["logger"] == "trackmycrime.audit"]
    assert event["level"] == "INFO"
    assert event["audit"]["action"] == "access.refused"
    assert (event["audit"]["actor_type"], event["audit"]["actor_id"]) == ("staff", member.id)
    assert event["audit"]["request_id"] == page.response.headers["X-Request-ID"]
    assert "detail" not in event["audit"] and "/backoffice/staff" not in json.dumps(event)


def test_a_request_nobody_is_signed_in_to_names_no_user(client, ctx, written):
    client.post("/backoffice/sign-in", {"email": "nobody@police.example", "password": "not it at all"})
    [refused] = [line for line in written.lines() if "Staff sign-in refused" in line["message"]]
    assert refused["level"] == "INFO"
    assert (refused["user_kind"], refused["user_id"]) == ("none", None)
    assert len(refused["request_id"]) == 32


def test_no_password_code_token_secret_or_message_text_reaches_the_log(
    app, client, victim_client, messages, ctx, written
):
    """Everything a force's collector would receive while these happen: wrong and right
    passwords and codes, an invitation link used, secure messages both ways, and a
    records system's secret and bearer token."""
    secrets_seen = []
    request_ids = []  # of requests that log something: each must be found in the log

    def answered(page):
        request_ids.append(page.response.headers["X-Request-ID"])
        return page

    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, email="logcheck2@example.com")

    # Staff: a wrong password, the right one, a wrong code, then the right code.
    wrong_password = "Wrong-Password-For-The-Log-Test"
    answered(client.post("/backoffice/sign-in", {"email": officer.email, "password": wrong_password}))
    step = client.post("/backoffice/sign-in", {"email": officer.email, "password": factories.PASSWORD})
    code_path = step.response.headers["Location"]
    secret = totp.opened_secret(officer.totp_secret)
    right_code = pyotp.TOTP(secret).now()
    wrong_code = "000000" if right_code != "000000" else "111111"
    assert answered(client.post(code_path, {"code": wrong_code})).status == 400
    assert answered(client.post(code_path, {"code": right_code})).status == 302
    secrets_seen += [wrong_password, factories.PASSWORD, right_code, secret]

    # The victim is invited, sets a password through the link, signs in wrongly then rightly.
    answered(
        client.post(
            f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite",
            {},
            csrf_from=f"/backoffice/crimes/{crime.id}",
        )
    )
    body = [m for m in messages() if m["to"] == "logcheck2@example.com"][0]["body"]
    token = body.split("/activate/", 1)[1].split()[0]
    new_password = "a victim's chosen passphrase 93"
    assert victim_client.get(f"/activate/{token}").status == 200
    answered(victim_client.post(f"/activate/{token}", {"password": new_password, "confirm": new_password}))
    answered(
        victim_client.post(
            "/sign-in", {"email": "logcheck2@example.com", "password": "wrong " + new_password}
        )
    )
    answered(victim_client.post("/sign-in", {"email": "logcheck2@example.com", "password": new_password}))
    secrets_seen += [token, new_password]

    # Secure messages both ways.
    case_path = victim_client.get("/cases").links(r"^/cases/[^/]+$")[0]
    victim_text = "The van outside number 12 was blue with a ladder"
    staff_text = "Thank you, we will check the camera on Hill Road"
    assert answered(victim_client.post(f"{case_path}/messages", {"body": victim_text})).status == 302
    thread = f"/backoffice/crimes/{crime.id}/victims/{link.id}/messages"
    assert answered(client.post(f"{thread}/reply", {"body": staff_text}, csrf_from=thread)).status == 302
    secrets_seen += [victim_text, staff_text]

    # A records system: its secret for a token, the token for a call.
    registered, secret = register()
    caller = ApiCaller(app, registered.client_id, secret)
    response = caller.get("/crimes/NX/2026/999999")
    assert response.status_code == 404
    request_ids.append(response.headers["X-Request-ID"])
    secrets_seen += [secret, caller.token]

    text = written()
    for secret_text in secrets_seen:
        assert secret_text not in text, secret_text
    missing = [n for n, request_id in enumerate(request_ids) if request_id not in text]
    assert missing == []
    [call] = [line for line in written.lines() if line["request_id"] == response.headers["X-Request-ID"]]
    assert (call["user_kind"], call["user_id"]) == ("api_client", registered.id)
    # What the invitation said was logged (by the development message sender), with
    # its link's token hidden.
    assert "/activate/[hidden]" in text


def test_an_audit_event_is_logged_when_its_transaction_commits_and_never_when_it_rolls_back(ctx, written):
    officer = factories.staff()
    audit.record("test.kept", "crime", 7, detail="words someone typed", actor=officer)
    assert written() == ""  # not yet committed
    db.session.commit()
    audit.record("test.dropped", "crime", 8, actor=officer)
    db.session.flush()
    db.session.rollback()
    db.session.commit()

    events = [line["audit"] for line in written.lines() if line["logger"] == "trackmycrime.audit"]
    assert [event["action"] for event in events] == ["test.kept"]
    assert events[0]["record_type"] == "crime" and events[0]["record_id"] == "7"
    assert events[0]["id"] > 0 and events[0]["occurred_at"]
    assert "words someone typed" not in written()


def test_the_logs_hide_the_token_of_every_route_that_takes_one(app):
    redact = logs.Redactor(app)
    routes = [rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(routes) >= 3  # an invitation, a password reset, a staff set-up link
    for route in routes:
        path = route.replace("<token>", "Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ")
        hidden = redact(f"GET {path}?next=/cases HTTP/1.1")
        assert "Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ" not in hidden, route
        assert "[hidden]" in hidden and "?next=/cases HTTP/1.1" in hidden


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Authorization: Bearer abc.DEF-123_xyz", "Authorization: Bearer [hidden]"),
        ("Authorization: Basic dG1jLTE6c2VjcmV0", "Authorization: Basic [hidden]"),
        ("POST /sign-in password=hunter22&email=x", "POST /sign-in password=[hidden]&email=x"),
        ("/callback?code=4f3a&state=xyz", "/callback?code=[hidden]&state=[hidden]"),
        ("client_secret=abc csrf_token=def", "client_secret=[hidden] csrf_token=[hidden]"),
        ("Session 12 ended: idle_timeout", "Session 12 ended: idle_timeout"),
        ("request 0123456789abcdef0123456789abcdef", "request 0123456789abcdef0123456789abcdef"),
    ],
)
def test_credentials_and_named_secrets_are_hidden_and_nothing_else(text, shown):
    assert logs.Redactor()(text) == shown


def test_an_error_s_traceback_is_one_json_line_with_secrets_hidden():
    formatter = logs.JsonLines()
    try:
        raise ValueError("bad answer to token=abc123")
    except ValueError:
        record = logging.LogRecord(
            "trackmycrime", logging.ERROR, __file__, 1, "Failed: %s", ("x",), sys.exc_info()
        )
    line = formatter.format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "Failed: x"
    assert "ValueError" in data["exception"] and "token=[hidden]" in data["exception"]
    assert (data["request_id"], data["user_kind"]) == (None, "none")


def test_in_development_the_lines_are_plain_text_on_standard_error(app, capsys):
    development = create_app(
        {"APP_ENV": "development", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    try:
        assert development.config["LOG_FORMAT"] == "text"
        with development.test_request_context("/"):
            development.preprocess_request()
            logging.getLogger("trackmycrime.auth").info("Something happened")
            ours = flask.g.request_id
        err = capsys.readouterr().err
        assert f" INFO trackmycrime.auth [{ours} none None] Something happened" in err
    finally:
        logs.init_app(app)


def test_service_records_from_info_up_are_kept_whatever_the_root_logger_keeps(app):
    root = logging.getLogger()
    logs.init_app(app)
    assert logging.getLogger("trackmycrime.auth").isEnabledFor(logging.INFO)
    assert sum(isinstance(h, logs.ServiceHandler) for h in root.handlers) == 1
    logs.init_app(app)  # made again for another app, never twice
    assert sum(isinstance(h, logs.ServiceHandler) for h in root.handlers) == 1


def test_in_production_a_database_error_leaves_out_the_values_it_was_given(tmp_path):
    settings = {
        "APP_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "NOTIFICATION_SENDER": "smtp",
        "SMTP_HOST": "smtp.police.example",
        "SMTP_FROM": "no-reply@police.example",
        "DATABASE_URL": "postgresql+psycopg://track@db.police.example/trackmycrime",
        "PUBLIC_BASE_URL": "https://track.police.example",
        "REDIS_URL": "redis://cache.police.example:6379/0",
    }
    assert load_config(str(tmp_path), settings)["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert (
        load_config(str(tmp_path), {"APP_ENV": "testing"})["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"]
        is False
    )


def test_an_audit_event_written_in_a_savepoint_that_rolls_back_is_not_logged(ctx, written):
    officer = factories.staff()
    with db.session.begin_nested():
        audit.record("test.in_kept_savepoint", actor=officer)
    savepoint = db.session.begin_nested()
    audit.record("test.in_dropped_savepoint", actor=officer)
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    actions = [line["audit"]["action"] for line in written.lines() if line["logger"] == "trackmycrime.audit"]
    assert actions == ["test.in_kept_savepoint"]
