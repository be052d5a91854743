"""`flask staff create-admin`: the first administrator of a new installation, made on the
server, who sets up their account through the link it prints."""

import re

from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AccountLink, AuditEvent, StaffMember
from tests import factories
from tests.pages import PageClient

SET_UP_LINK = re.compile(r"^  http://localhost(/backoffice/set-up/[A-Za-z0-9_-]+)$", re.MULTILINE)


def _created(app, *args):
    result = app.test_cli_runner().invoke(args=["staff", "create-admin", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_first_administrator_is_made_and_sets_up_their_account_through_the_printed_link(app, ctx):
    output = _created(app, "Chief.Admin@Police.Example", "--name", "Jo Bloggs")
    assert "Created Jo Bloggs (chief.admin@police.example), administrator, collar number ADMIN-1." in output
    assert "works once, for 24 hours" in output
    [path] = SET_UP_LINK.findall(output)

    member = db.session.scalar(select(StaffMember).where(StaffMember.email == "chief.admin@police.example"))
    assert member.roles == {"admin"} and member.team.name == "Administrators"
    assert member.password_hash is None and member.totp_secret is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.created"))
    assert (event.actor_type, event.actor_id, event.record_id, event.detail) == (
        "system",
        None,
        str(member.id),
        "admin",
    )
    # Only a hash of the link is kept.
    assert path.rsplit("/", 1)[1] not in str(db.session.scalars(select(AccountLink.token_hash)).all())

    client = PageClient(app)
    page = client.get(path)
    assert page.status == 200 and page.h1 == "Set up your staff account"
    assert member.email in page.main_text
    page = client.post(
        path, {"password": "a long and careful password", "confirm": "a long and careful password"}
    )
    assert page.status == 302 and page.response.headers["Location"] == "/backoffice/sign-in"
    page = client.post(
        "/backoffice/sign-in", {"email": member.email, "password": "a long and careful password"}
    )
    assert page.response.headers["Location"].startswith("/backoffice/sign-in/set-up-authenticator")
    # The link works once.
    assert client.get(path).status == 410


def test_another_administrator_gets_the_next_collar_number_and_the_same_team(app, ctx):
    _created(app, "first.admin@police.example")
    output = _created(app, "second.admin@police.example")
    assert (
        "Created Administrator (second.admin@police.example), administrator, collar number ADMIN-2." in output
    )
    teams = db.session.scalars(
        select(StaffMember.team_id).where(StaffMember.email.like("%.admin@police.example"))
    )
    assert len(set(teams)) == 1


def test_an_email_address_already_used_is_refused(app, ctx):
    member = factories.staff(email="sam.taylor@police.example")
    result = app.test_cli_runner().invoke(args=["staff", "create-admin", "Sam.Taylor@police.example"])
    assert result.exit_code == 1
    assert "A member of staff already has this email address: Sam.Taylor@police.example." in result.output
    db.session.expire_all()
    assert db.session.get(StaffMember, member.id).roles == {"officer"}
    assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_an_email_address_that_is_not_one_is_refused(app, ctx):
    result = app.test_cli_runner().invoke(args=["staff", "create-admin", "not-an-address"])
    assert result.exit_code == 2
    assert "Invalid value for EMAIL" in result.output
    assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 0


def test_a_new_set_up_link_replaces_the_one_that_ran_out(app, ctx):
    [first] = SET_UP_LINK.findall(_created(app, "chief.admin@police.example"))
    result = app.test_cli_runner().invoke(args=["staff", "set-up-link", "chief.admin@police.example"])
    assert result.exit_code == 0, result.output
    [second] = SET_UP_LINK.findall(result.output)
    client = PageClient(app)
    assert client.get(first).status == 410
    assert client.get(second).status == 200
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["staff.created", "staff.set_up_link_sent"]
    refused = app.test_cli_runner().invoke(args=["staff", "set-up-link", "nobody@police.example"])
    assert refused.exit_code == 1
    assert "No active member of staff has this email address: nobody@police.example." in refused.output
