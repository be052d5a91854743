"""The services are the same whoever calls them: a page, the records-system API, a
command or the worker. They never read Flask's request, session or g, nor the signed-in
user; outside a request their audit events name the actor they were given, else the
system, and no request."""

import ast
import hashlib
import itertools
import secrets
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import has_request_context
from sqlalchemy import select

import shared
from shared.extensions import db
from shared.models import AuditEvent, Entitlement, UserSession
from shared.models.types import utcnow
from shared.services import (
    audit,
    calendar,
    crimes,
    reports,
    secure_messages,
    updates,
    user_sessions,
    victim_accounts,
    victims,
    victims_code_actions,
)
from shared.services.passwords import hash_password
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

_refs = itertools.count(1)


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def _by(event: AuditEvent) -> tuple:
    return event.actor_type, event.actor_id, event.request_id


def _live_session(user) -> UserSession:
    now = utcnow()
    row = UserSession(
        token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        user_type=user.kind,
        user_id=user.id,
        method="password",
        created_at=now,
        last_seen_at=now,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_a_case_is_worked_from_start_to_report_with_no_request(app, ctx):
    assert not has_request_context()
    officer = factories.staff(name="Alex Morgan")
    reported = utcnow() - timedelta(hours=2)
    crime = crimes.record_crime(
        reference=f"43/{80000 + next(_refs)}/26",
        offence="burglary_residential",
        occurred_at=reported - timedelta(hours=3),
        reported_at=reported,
        officer_in_charge=officer,
        stage="under_investigation",
        by=officer,
    )
    link = victims.add_victim(
        crime,
        victims.VictimDetails(
            name="Vera Victim",
            date_of_birth=date(1980, 1, 1),
            email="vera@example.com",
            phone=None,
            preferred_language="en",
            contact_channel="email",
            interpreter_language=None,
            communication_needs=None,
        ),
        by=officer,
    )
    update = updates.post_update(
        crime,
        kind="general",
        victim_text="We have spoken to a witness.",
        internal_note=None,
        visible=True,
        by=officer,
    )
    referral = db.session.scalar(
        select(Entitlement).where(
            Entitlement.crime_victim_id == link.id,
            Entitlement.rule == "referral",
            Entitlement.state == "open",
        )
    )
    victims_code_actions.record_action(referral, "referred", utcnow(), officer, service="victim_support")
    link.victim.password_hash = hash_password(factories.PASSWORD)
    link.victim.activated_at = datetime.now(UTC)
    db.session.commit()
    message = secure_messages.send_from_staff(link, "Can you call me about the witness?", officer)

    assert update.visible_to_victim and referral.state == "met"
    assert message.sender == "staff" and message.author_id == officer.id
    officer_and_no_request = ("staff", officer.id, None)
    for action in ("crime.record", "victim.add", "update.post", "entitlement.recorded", "message.staff_sent"):
        assert [_by(event) for event in _events(action)] == [officer_and_no_request], action

    today = calendar.local_date(utcnow())
    report = reports.compliance(None, today - timedelta(days=30), today, "offence_group")
    assert report.total.recording.recorded == 1
    assert report.total.label


def test_an_audit_event_names_the_system_unless_an_actor_is_given(app, ctx):
    officer = factories.staff()
    audit.record("test.by_nobody", "crime", 1)
    audit.record("test.by_the_officer", "crime", 1, actor=officer)
    db.session.commit()
    assert [_by(event) for event in _events("test.by_nobody")] == [("system", None, None)]
    [by_officer] = _events("test.by_the_officer")
    assert _by(by_officer) == ("staff", officer.id, None)
    assert by_officer.actor_roles == "officer"


def test_ending_a_users_sessions_needs_no_request(app, ctx):
    officer = factories.staff()
    victim = factories.active_victim(factories.crime(officer), officer).victim
    kept, ended, someone_elses = _live_session(victim), _live_session(victim), _live_session(officer)

    user_sessions.end_all(victim, "password_changed", keep_id=kept.id)
    db.session.commit()
    db.session.expire_all()
    assert (ended.ended_at is not None, ended.ended_reason) == (True, "password_changed")
    assert kept.ended_at is None and someone_elses.ended_at is None

    user_sessions.end(kept, "signed_out")
    db.session.commit()
    assert kept.ended_reason == "signed_out"
    assert [_by(event) for event in _events("victim.sign_out")] == [("system", None, None)]


def test_a_password_change_keeps_only_the_session_it_is_told_to(app, ctx):
    officer = factories.staff()
    victim = factories.active_victim(factories.crime(officer), officer).victim
    kept, ended = _live_session(victim), _live_session(victim)

    victim_accounts.change_password(
        victim, factories.PASSWORD, "another long test password", keep_session_id=kept.id
    )
    db.session.expire_all()
    assert kept.ended_at is None
    assert ended.ended_reason == "password_changed"
    assert [_by(event) for event in _events("victim.password_changed")] == [("victim", victim.id, None)]


def test_a_request_names_its_user_and_id_only_while_it_lasts(app, ctx):
    officer = factories.staff()
    client = PageClient(app)
    sign_in_as(client, officer)
    client.get("/backoffice/")
    [read] = [event for event in db.session.scalars(select(AuditEvent)) if event.actor_type == "staff"]
    assert read.actor_id == officer.id and read.request_id

    audit.record("test.after_the_request")
    db.session.commit()
    assert [_by(event) for event in _events("test.after_the_request")] == [("system", None, None)]


# ----------------------------------------------------------------- no web below it

# What only a request has. Reading `current_app.config` and formatting with Flask-Babel
# are fine anywhere.
_REQUEST_ONLY = {"flask": {"request", "session", "g"}, "flask_login": {"current_user"}}
_BELOW_THE_WEB = ("services", "clients", "models", "domain")


def _modules():
    root = Path(shared.__file__).parent
    for layer in _BELOW_THE_WEB:
        for path in sorted((root / layer).rglob("*.py")):
            yield ".".join(path.relative_to(root.parent).with_suffix("").parts), path


def _request_only_uses(tree: ast.AST) -> list[str]:
    found = []
    aliases = {}  # local name -> the module it names, for `import flask` and `import flask as f`
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            package = node.module.split(".")[0]
            found += [
                f"{node.module}.{a.name}" for a in node.names if a.name in _REQUEST_ONLY.get(package, ())
            ]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in _REQUEST_ONLY:
                    aliases[(a.asname or a.name).split(".")[0]] = a.name.split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            package = aliases[node.value.id]
            if node.attr in _REQUEST_ONLY[package]:
                found.append(f"{package}.{node.attr}")
    return found


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from flask import current_app, g", ["flask.g"]),
        ("from flask.globals import request", ["flask.globals.request"]),
        ("from flask_login import current_user", ["flask_login.current_user"]),
        ("import flask\nflask.session.clear()", ["flask.session"]),
        ("import flask_login as fl\nfl.current_user.id", ["flask_login.current_user"]),
        ("from flask import current_app\nfrom flask_babel import format_date", []),
    ],
)
def test_the_check_finds_each_way_of_reaching_the_request(source, found):
    assert _request_only_uses(ast.parse(source)) == found


def test_nothing_below_the_web_reads_the_request_the_session_g_or_the_signed_in_user():
    modules = dict(_modules())
    assert "shared.services.audit" in modules and "shared.clients.oidc" in modules
    offenders = {
        name: uses
        for name, path in modules.items()
        if (uses := _request_only_uses(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    }
    assert offenders == {}
