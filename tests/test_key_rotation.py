"""Changing SECRET_KEY without loss: with the old key moved to SECRET_KEY_FALLBACKS, people
stay signed in, forms loaded before the change still send, notifications queued before it
go out with their links, and staff authenticator codes still verify; `flask reseal` then
seals everything again so that the old key can go."""

import logging
import re

import pyotp
import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.factory import create_app
from shared.models import AuditEvent, StaffMember
from shared.services import outbox_worker, totp
from shared.web import throttle
from tests import factories
from tests.outbox_helpers import invited, outbox_rows
from tests.pages import PageClient

NEW_KEY = "new-" + "k" * 60
ACTIVATION = re.compile(r"http://localhost(/activate/[A-Za-z0-9_-]+)")


@pytest.fixture
def app_with(app):
    """Other instances of the app on the same database, with other keys, as the servers
    restarted with the new settings would be."""
    made = []

    def make(secret_key: str, fallbacks: str | None = None):
        config = {
            "APP_ENV": "testing",
            "SECRET_KEY": secret_key,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_BASE_URL": "http://localhost",
            "NOTIFICATION_SENDER": "log",
        }
        if fallbacks is not None:
            config["SECRET_KEY_FALLBACKS"] = fallbacks
        made.append(create_app(config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    # Each instance binds the one rate limiter to itself: bind it back.
    throttle.limiter.init_app(app)


@pytest.fixture
def rotated(app, app_with):
    """The app after the change: a new SECRET_KEY, and the old one as its fallback."""
    return app_with(NEW_KEY, fallbacks=app.config["SECRET_KEY"])


def _sent_links(other_app, caplog) -> list[str]:
    """The worker of `other_app` sends what is due; the activation links sent."""
    caplog.set_level(logging.INFO, logger="trackmycrime.messages")
    with other_app.app_context():
        outbox_worker.drain()
        db.session.remove()
    bodies = [record.args[4] for record in caplog.records if record.name == "trackmycrime.messages"]
    return [path for body in bodies for path in ACTIVATION.findall(body)]


def test_a_victim_stays_signed_in_and_a_form_loaded_before_the_change_still_sends(
    app, rotated, app_with, ctx
):
    officer = factories.staff()
    victim = factories.active_victim(factories.crime(officer), officer).victim
    before = PageClient(app, portal=True)
    before.victim_sign_in(victim.email, factories.PASSWORD)
    token = before.get("/account/password").csrf()
    cookie = before.http.get_cookie("session").value

    after = PageClient(rotated, portal=True)
    after.http.set_cookie("session", cookie)
    page = after.get("/cases")
    assert page.status == 200 and page.h1 == "Your crimes"
    new_password = "another long test password"
    page = after.post(
        "/account/password",
        {
            "csrf_token": token,
            "current_password": factories.PASSWORD,
            "password": new_password,
            "confirm": new_password,
        },
    )
    assert page.status == 302 and page.response.headers["Location"] == "/cases", page.error_summary

    # Without the old key among the fallbacks, the same cookie signs nobody in.
    bare = PageClient(app_with(NEW_KEY), portal=True)
    bare.http.set_cookie("session", cookie)
    assert bare.get("/cases").status == 302


def test_a_notification_queued_before_the_change_is_sent_with_its_link(app, rotated, app_with, ctx, caplog):
    invited()
    [path] = _sent_links(rotated, caplog)
    assert PageClient(rotated, portal=True).get(path).status == 200
    assert [(row.status, row.sealed) for row in outbox_rows()] == [("sent", None)]

    # Without the fallback it could not have been read, and would have failed as unreadable.
    invited()
    assert _sent_links(app_with(NEW_KEY), caplog) == [path]
    assert [(row.status, row.reason) for row in outbox_rows()][-1] == ("failed", "unreadable")


def test_a_staff_members_authenticator_code_still_verifies_after_the_change(app, rotated, ctx):
    member = factories.staff()  # enrolled under the old key
    client = PageClient(rotated)
    page = client.post("/backoffice/sign-in", {"email": member.email, "password": factories.PASSWORD})
    assert page.response.headers["Location"].startswith("/backoffice/sign-in/code")
    code = pyotp.TOTP(factories.totp_secret(member.email)).now()
    page = client.post("/backoffice/sign-in/code", {"code": code})
    assert page.status == 302, page.error_summary
    assert client.get("/backoffice/cases").status == 200


def test_resealing_lets_the_old_key_go(app, rotated, app_with, ctx, caplog):
    invited()  # by an officer enrolled under the old key
    member = db.session.scalar(select(StaffMember))
    with rotated.app_context():
        result = rotated.test_cli_runner().invoke(args=["reseal"])
    assert result.exit_code == 0, result.output
    assert "authenticator secrets: 1 sealed again with SECRET_KEY" in result.output
    assert "waiting notifications: 1 sealed again with SECRET_KEY" in result.output
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "keys.resealed"))
    assert event.actor_type == "system"
    assert event.detail.startswith("authenticator secrets: 1 sealed again, 0 unreadable")

    # The new key alone now opens all of it.
    new_only = app_with(NEW_KEY)
    with new_only.app_context():
        sealed = db.session.scalar(select(StaffMember.totp_secret).where(StaffMember.id == member.id))
        assert totp.opened_secret(sealed) == factories.totp_secret(member.email)
    assert len(_sent_links(new_only, caplog)) == 1


def test_resealing_names_what_no_key_opens_and_leaves_it(app, app_with, ctx):
    factories.staff()  # sealed with a key that will be in neither
    other = app_with(NEW_KEY, fallbacks="yet-another-old-key")
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["reseal"])
        sealed = db.session.scalar(select(StaffMember.totp_secret))
    assert result.exit_code == 1
    assert (
        "Opened by no key in SECRET_KEY or SECRET_KEY_FALLBACKS, left as they are: 1 of the authenticator secrets"
        in (result.output)
    )
    db.session.expire_all()
    assert db.session.scalar(select(StaffMember.totp_secret)) == sealed
    assert totp.opened_secret(sealed) is not None  # the app's own key still opens it
