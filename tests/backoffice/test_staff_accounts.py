"""Local staff accounts: a password then a code from an authenticator app, recovery
codes, set-up links, and the administrators' screens for accounts and roles."""

import hashlib
import os
import re
import time
import types
from datetime import timedelta
from urllib.parse import unquote

import pyotp
import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AccountLink, AuditEvent, RecoveryCode, StaffMember, UserSession
from shared.models.types import utcnow
from shared.services import totp
from tests import factories
from tests.pages import PageClient
from tests.queries import count_queries

SIGN_IN = "/backoffice/sign-in"
CODE = "/backoffice/sign-in/code"
ENROL = "/backoffice/sign-in/set-up-authenticator"


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset)


def _password_step(client: PageClient, email: str, password: str = factories.PASSWORD, path: str = SIGN_IN):
    page = client.post(path, {"email": email, "password": password}, csrf_from=SIGN_IN)
    assert page.status == 302, page.error_summary
    return page.response.headers["Location"]


def _actions(*names) -> list[tuple[str, str | None, str | None]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id, AuditEvent.detail)
        .where(AuditEvent.action.in_(names))
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows]


def _fresh(member: StaffMember) -> StaffMember:
    db.session.expire_all()
    return db.session.get(StaffMember, member.id)


def _enrol(client: PageClient, member: StaffMember, next_path: str | None = None):
    """Sign in for the first time and set up the app through the pages; returns the
    secret read from the page and the recovery codes page."""
    sign_in = SIGN_IN + (f"?next={next_path}" if next_path else "")
    location = _password_step(client, member.email, path=sign_in)
    assert location.startswith(ENROL), location
    page = client.get(location)
    assert page.h1 == "Set up your authenticator app"
    secret = page.soup.select_one("#secret").get_text().replace(" ", "")
    page = client.post(location, {"code": _code(secret)})
    assert page.status == 200 and page.h1 == "Save your recovery codes", page.error_summary
    return secret, page


def _not_enrolled(**kwargs) -> StaffMember:
    member = factories.staff(**kwargs)
    member.totp_secret = None
    db.session.commit()
    return member


# Signing in


def test_first_sign_in_sets_up_the_app_through_the_qr_code_page(app, client, ctx):
    member = _not_enrolled()
    location = _password_step(client, member.email, path=f"{SIGN_IN}?next=/backoffice/crimes/new")
    assert location == f"{ENROL}?next=/backoffice/crimes/new"

    page = client.get(location)
    assert page.h1 == "Set up your authenticator app"
    assert page.response.headers["Cache-Control"] == "no-store"
    # No inline styles anywhere, the QR code included: the CSP allows none.
    assert not page.soup.find_all(style=True)
    img = page.soup.select_one("main img")
    assert img["alt"] and img["src"].startswith("data:image/svg+xml")
    assert "style" not in unquote(img["src"])
    secret = page.soup.select_one("#secret").get_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    uri = pyotp.TOTP(secret).provisioning_uri(name=member.email, issuer_name="Track My Crime")
    assert img["src"] == totp.qr_code_data_uri(uri)
    assert "issuer=Track%20My%20Crime" in uri
    # The browser's session holds a nonce, never the secret itself.
    cookie = client.http.get_cookie("session").value
    state = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert secret not in str(state) and "pending_enrolment" in state
    # The same secret while the page is reloaded.
    assert client.get(location).soup.select_one("#secret").get_text().replace(" ", "") == secret

    page = client.post(location, {"code": "123456" if _code(secret) != "123456" else "654321"})
    assert page.status == 400
    assert page.error_summary == ["Enter the 6-digit code your authenticator app shows now"]
    assert _fresh(member).totp_secret is None

    page = client.post(location, {"code": _code(secret)})
    assert page.h1 == "Save your recovery codes"
    assert page.response.headers["Cache-Control"] == "no-store"
    codes = [li.get_text(strip=True) for li in page.soup.select("#recovery-codes li")]
    assert len(codes) == 10 and len(set(codes)) == 10
    continue_link = page.soup.find("a", string=re.compile("Continue"))
    assert continue_link["href"] == "/backoffice/crimes/new"

    member = _fresh(member)
    assert totp.opened_secret(member.totp_secret) == secret
    assert secret not in member.totp_secret  # kept sealed
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.staff_id == member.id)))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert [a for a, _, _ in _actions("staff.totp_enrolled", "staff.sign_in")] == [
        "staff.totp_enrolled",
        "staff.sign_in",
    ]
    assert client.get("/backoffice/crimes/new").status == 200
    # Set up once: the page now sends them to the code step.
    other = PageClient(app)
    assert _password_step(other, member.email).startswith(CODE)
    assert other.get(ENROL).status == 302


def test_sign_in_with_a_code_keeps_next_and_no_code_works_twice(app, client, ctx):
    member = factories.staff()
    location = _password_step(client, member.email, path=f"{SIGN_IN}?next=/backoffice/crimes/new")
    assert location == f"{CODE}?next=/backoffice/crimes/new"
    assert client.get("/backoffice/cases").status == 302  # not signed in yet
    page = client.get(location)
    assert page.h1 == "Enter the code from your authenticator app"
    code = _code(totp.opened_secret(member.totp_secret))
    page = client.post(location, {"code": code})
    assert page.status == 302 and page.response.headers["Location"] == "/backoffice/crimes/new"
    assert client.get("/backoffice/cases").status == 200
    session_row = db.session.scalar(select(UserSession).where(UserSession.user_id == member.id))
    assert session_row.method == "password+totp"

    # Someone who saw the code, with the password too, cannot use it again.
    other = PageClient(app)
    location = _password_step(other, member.email)
    page = other.post(location, {"code": code})
    assert page.status == 400
    assert page.error_summary == [
        "Enter the code your authenticator app shows now, or a recovery code you have not used"
    ]
    assert other.get("/backoffice/cases").status == 302
    # The app's next code works.
    page = other.post(location, {"code": _code(totp.opened_secret(member.totp_secret), 1)})
    assert page.status == 302 and page.response.headers["Location"] == "/backoffice/cases"


def test_a_redirect_outside_the_site_is_ignored_after_the_code(client, ctx):
    member = factories.staff()
    location = _password_step(client, member.email, path=f"{SIGN_IN}?next=//evil.example/")
    page = client.post(location, {"code": _code(totp.opened_secret(member.totp_secret))})
    assert page.response.headers["Location"] == "/backoffice/cases"


def test_a_recovery_code_works_once(app, client, ctx):
    member = _not_enrolled()
    _secret, page = _enrol(client, member)
    codes = [li.get_text(strip=True) for li in page.soup.select("#recovery-codes li")]

    other = PageClient(app)
    location = _password_step(other, member.email)
    page = other.post(location, {"code": codes[3].upper().replace("-", " ")})  # typed loosely
    assert page.status == 302, page.error_summary
    assert other.get("/backoffice/cases").status == 200
    assert len(_actions("staff.recovery_code_used")) == 1

    third = PageClient(app)
    location = _password_step(third, member.email)
    page = third.post(location, {"code": codes[3]})
    assert page.status == 400 and page.error_summary
    assert (
        db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.used_at.is_not(None))
        )
        == 1
    )
    assert len(_actions("staff.recovery_code_used")) == 1


def test_wrong_codes_are_throttled_without_a_permanent_lockout(app, client, ctx, monkeypatch, caplog):
    caplog.set_level("INFO", logger="trackmycrime.auth")
    member = factories.staff()
    location = _password_step(client, member.email)
    token = client.get(location).csrf()
    wrong = "000000" if _code(totp.opened_secret(member.totp_secret)) != "000000" else "111111"
    for _ in range(10):
        page = client.post(location, {"code": wrong, "csrf_token": token})
        assert page.status == 400 and page.error_summary
    assert client.post(location, {"code": wrong, "csrf_token": token}).status == 429
    # Even the right code waits for the window to pass.
    assert (
        client.post(
            location, {"code": _code(totp.opened_secret(member.totp_secret)), "csrf_token": token}
        ).status
        == 429
    )
    assert client.get("/backoffice/cases").status == 302

    # Five minutes later (on the throttle's clock), guesses count afresh: no lockout.
    import limits.storage.memory as memory_storage

    later = types.SimpleNamespace(time=lambda: time.time() + 301)
    monkeypatch.setattr(memory_storage, "time", later)
    page = client.post(location, {"code": _code(totp.opened_secret(member.totp_secret)), "csrf_token": token})
    assert page.status == 302, page.error_summary
    assert client.get("/backoffice/cases").status == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Throttled" in logged and "Authenticator code refused" in logged
    assert wrong not in logged and totp.opened_secret(member.totp_secret) not in logged


def _random_email(n: int) -> str:
    return f"someone{n}-{os.urandom(4).hex()}@example.com"


@pytest.mark.parametrize("enrolled", [True, False], ids=["code", "set-up-authenticator"])
def test_an_email_field_added_to_each_code_guess_does_not_give_it_a_fresh_count(client, ctx, enrolled):
    """The code steps count per member part-way through signing in (the server's own
    state): a posted `email=` changes nothing, and the right code while throttled does
    not sign in, whatever the address the guesses come from."""
    member = factories.staff() if enrolled else _not_enrolled()
    location = _password_step(client, member.email)
    page = client.get(location)
    token = page.csrf()
    secret = (
        totp.opened_secret(member.totp_secret)
        if enrolled
        else page.soup.select_one("#secret").get_text().replace(" ", "")
    )
    right = _code(secret)
    wrong = "000000" if right != "000000" else "111111"
    for n in range(10):
        page = client.post(
            location,
            {"code": wrong, "email": _random_email(n), "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"10.9.0.{n}"},
        )
        assert page.status == 400, n
    page = client.post(
        location,
        {"code": right, "email": _random_email(99), "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.0.99"},
    )
    assert page.status == 429
    assert page.h1 == "Too many attempts"
    assert client.get("/backoffice/cases").status == 302
    assert _fresh(member).totp_last_step is None


@pytest.mark.time_sensitive
def test_the_half_signed_in_state_expires_after_five_minutes(client, ctx):
    member = factories.staff()
    location = _password_step(client, member.email)
    token = client.get(location).csrf()
    with client.http.session_transaction() as session:
        session["pending_since"] -= 301
    page = client.post(location, {"code": _code(totp.opened_secret(member.totp_secret)), "csrf_token": token})
    assert page.status == 302 and page.response.headers["Location"].startswith(SIGN_IN)
    page = client.follow(page)
    assert "Your sign-in timed out" in page.main_text
    assert client.get("/backoffice/cases").status == 302
    assert _fresh(member).totp_last_step is None
    # And the code step cannot be reached without a password at all.
    assert PageClient(client.app).get(CODE).status == 302


def test_unknown_and_known_accounts_get_the_same_answer_at_the_password_step(client, ctx):
    member = factories.staff()
    disabled = factories.staff()
    disabled.active = False
    db.session.commit()
    answers = []
    for email, password in [
        ("nobody@police.example", factories.PASSWORD),
        (member.email, "not the password"),
        (disabled.email, factories.PASSWORD),
    ]:
        page = client.post(SIGN_IN, {"email": email, "password": password})
        cookies = sorted(c.split("=", 1)[0] for c in page.response.headers.getlist("Set-Cookie"))
        answers.append((page.status, page.h1, page.error_summary, cookies))
        with client.http.session_transaction() as session:
            assert "pending_staff_id" not in session
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][2] == ["Enter a correct email address and password"]


# Accounts the administrators change


def test_a_disabled_account_is_signed_out_on_its_next_request(app, client, ctx):
    admin = factories.staff(roles=("admin",))
    officer = factories.staff()
    client.staff_sign_in(officer.email, factories.PASSWORD)
    copy = PageClient(app)
    copy.http.set_cookie("session", client.http.get_cookie("session").value)
    assert copy.get("/backoffice/cases").status == 200

    admin_client = PageClient(app)
    admin_client.staff_sign_in(admin.email, factories.PASSWORD)
    page = admin_client.post(
        f"/backoffice/staff/{officer.id}/disable", csrf_from=f"/backoffice/staff/{officer.id}"
    )
    page = admin_client.follow(page)
    assert "account is disabled" in page.main_text
    assert "Disabled" in page.main_text

    for c in (client, copy):
        page = c.get("/backoffice/cases")
        assert page.status == 302 and page.response.headers["Location"].startswith(SIGN_IN)
    assert set(
        db.session.scalars(select(UserSession.ended_reason).where(UserSession.user_id == officer.id))
    ) == {"account_disabled"}
    assert _actions("staff.disabled") == [("staff.disabled", str(officer.id), None)]
    page = PageClient(app).post(SIGN_IN, {"email": officer.email, "password": factories.PASSWORD})
    assert page.status == 400 and page.error_summary == ["Enter a correct email address and password"]

    # Enabled again, they can sign in.
    admin_client.post(f"/backoffice/staff/{officer.id}/enable", csrf_from=f"/backoffice/staff/{officer.id}")
    assert [a for a, _, _ in _actions("staff.enabled")] == ["staff.enabled"]
    PageClient(app).staff_sign_in(officer.email, factories.PASSWORD)


def test_an_account_disabled_between_password_and_code_cannot_finish(client, ctx):
    member = factories.staff()
    location = _password_step(client, member.email)
    token = client.get(location).csrf()
    member.active = False
    db.session.commit()
    page = client.post(location, {"code": _code(totp.opened_secret(member.totp_secret)), "csrf_token": token})
    assert page.status == 302 and page.response.headers["Location"].startswith(SIGN_IN)
    assert client.get("/backoffice/cases").status == 302


def test_removing_a_role_takes_effect_on_the_next_request(app, client, ctx):
    admin = factories.staff(roles=("admin",))
    other_admin = factories.staff(roles=("admin", "officer"))
    other = PageClient(app)
    other.staff_sign_in(other_admin.email, factories.PASSWORD)
    assert other.get("/backoffice/staff").status == 200

    client.staff_sign_in(admin.email, factories.PASSWORD)
    page = client.post(
        f"/backoffice/staff/{other_admin.id}/roles",
        {"roles": ["officer"]},
        csrf_from=f"/backoffice/staff/{other_admin.id}",
    )
    assert page.status == 302, page.error_summary
    assert other.get("/backoffice/staff").status == 403
    assert other.get("/backoffice/cases").status == 200
    assert _actions("staff.role_removed", "staff.role_granted") == [
        ("staff.role_removed", str(other_admin.id), "admin")
    ]


def test_each_role_granted_and_removed_is_its_own_audit_event(app, client, ctx):
    admin = factories.staff(roles=("admin",))
    member = factories.staff(roles=("officer",))
    client.staff_sign_in(admin.email, factories.PASSWORD)
    page = client.post(
        f"/backoffice/staff/{member.id}/roles",
        {"roles": ["supervisor", "analyst"]},
        csrf_from=f"/backoffice/staff/{member.id}",
    )
    page = client.follow(page)
    assert "Roles saved for" in page.main_text
    checked = {box["value"] for box in page.soup.select("input[name=roles][checked]")}
    assert checked == {"supervisor", "analyst"}
    events = _actions("staff.role_granted", "staff.role_removed")
    assert sorted(events) == [
        ("staff.role_granted", str(member.id), "analyst"),
        ("staff.role_granted", str(member.id), "supervisor"),
        ("staff.role_removed", str(member.id), "officer"),
    ]
    actor = db.session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.action == "staff.role_granted")
    ).all()
    assert set(actor) == {admin.id}
    assert _fresh(member).roles == {"supervisor", "analyst"}

    # No change, no event; nothing chosen, or a role that does not exist: an error.
    client.post(
        f"/backoffice/staff/{member.id}/roles",
        {"roles": ["supervisor", "analyst"]},
        csrf_from=f"/backoffice/staff/{member.id}",
    )
    assert len(_actions("staff.role_granted", "staff.role_removed")) == 3
    page = client.post(f"/backoffice/staff/{member.id}/roles", {}, csrf_from=f"/backoffice/staff/{member.id}")
    assert page.status == 400 and page.error_summary == ["Select at least one role"]
    page = client.post(
        f"/backoffice/staff/{member.id}/roles",
        {"roles": ["superuser"]},
        csrf_from=f"/backoffice/staff/{member.id}",
    )
    assert page.status == 400 and page.error_summary == ["Select roles from the list"]
    assert _fresh(member).roles == {"supervisor", "analyst"}


def test_administrators_cannot_disable_themselves_or_remove_their_own_admin_role(client, ctx):
    admin = factories.staff(roles=("admin",))
    client.staff_sign_in(admin.email, factories.PASSWORD)
    me = f"/backoffice/staff/{admin.id}"
    page = client.get(me)
    assert not page.soup.find("form", action=f"{me}/disable")
    page = client.follow(client.post(f"{me}/disable", csrf_from=me))
    assert page.status == 200
    assert "You cannot disable your own account" in page.soup.select_one(".govuk-error-summary").get_text()
    page = client.post(f"{me}/roles", {"roles": ["officer"]}, csrf_from=me)
    assert page.status == 400
    assert page.error_summary == [
        "You cannot remove your own administrator role. Ask another administrator to do it"
    ]
    admin = _fresh(admin)
    assert admin.active and admin.roles == {"admin"}
    assert _actions("staff.disabled", "staff.role_removed", "staff.role_granted") == []
    # Nor give themselves a role: a second administrator must.
    page = client.post(f"{me}/roles", {"roles": ["admin", "analyst"]}, csrf_from=me)
    assert page.status == 400
    assert page.error_summary == ["You cannot give yourself a role. Ask another administrator to do it"]
    assert _fresh(admin).roles == {"admin"}
    assert _actions("staff.role_granted") == []
    # Each attempt is on the audit trail, although nothing it asked for was done.
    assert _actions("staff.disable_refused", "staff.role_remove_refused", "staff.role_grant_refused") == [
        ("staff.disable_refused", str(admin.id), None),
        ("staff.role_remove_refused", str(admin.id), "admin"),
        ("staff.role_grant_refused", str(admin.id), "analyst"),
    ]


def test_a_second_administrator_grants_an_administrator_a_role(client, ctx):
    admin, second = factories.staff(roles=("admin",)), factories.staff(roles=("admin",))
    client.staff_sign_in(second.email, factories.PASSWORD)
    page = client.post(
        f"/backoffice/staff/{admin.id}/roles",
        {"roles": ["admin", "analyst"]},
        csrf_from=f"/backoffice/staff/{admin.id}",
    )
    assert page.status == 302
    assert _fresh(admin).roles == {"admin", "analyst"}
    # Giving up one of their own roles needs nobody else.
    client = type(client)(client.app)
    client.staff_sign_in(admin.email, factories.PASSWORD)
    me = f"/backoffice/staff/{admin.id}"
    assert client.post(f"{me}/roles", {"roles": ["admin"]}, csrf_from=me).status == 302
    assert _fresh(admin).roles == {"admin"}


def test_an_officer_gets_403_on_the_administrators_pages(app, client, ctx):
    officer = factories.staff()
    target = factories.staff()
    client.staff_sign_in(officer.email, factories.PASSWORD)
    for path in ["/backoffice/staff", "/backoffice/staff/new", f"/backoffice/staff/{target.id}"]:
        assert client.get(path).status == 403, path
    token = client.get("/backoffice/cases").csrf()
    for action in ["roles", "disable", "enable", "reset-authenticator", "resend-set-up"]:
        page = client.post(
            f"/backoffice/staff/{target.id}/{action}", {"csrf_token": token, "roles": ["admin"]}
        )
        assert page.status == 403, action
    assert _fresh(target).roles == {"officer"} and _fresh(target).active
    assert _actions("staff.role_granted", "staff.disabled") == []
    assert len(_actions("access.refused")) == 8


def test_resetting_the_authenticator_signs_them_out_and_they_set_it_up_again(app, client, ctx):
    admin = factories.staff(roles=("admin",))
    member = _not_enrolled()
    member_client = PageClient(app)
    _enrol(member_client, member)
    assert member_client.get("/backoffice/cases").status == 200

    client.staff_sign_in(admin.email, factories.PASSWORD)
    page = client.get(f"/backoffice/staff/{member.id}")
    assert "10 recovery codes left" in page.main_text
    page = client.post(
        f"/backoffice/staff/{member.id}/reset-authenticator", csrf_from=f"/backoffice/staff/{member.id}"
    )
    assert "will set up a new authenticator app" in client.follow(page).main_text
    assert member_client.get("/backoffice/cases").status == 302
    member = _fresh(member)
    assert member.totp_secret is None and member.totp_last_step is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert _actions("staff.authenticator_reset") == [("staff.authenticator_reset", str(member.id), None)]
    assert _password_step(PageClient(app), member.email).startswith(ENROL)


def test_staff_list_shows_team_roles_and_status_in_a_bounded_number_of_queries(app, client, ctx):
    admin = factories.staff(roles=("admin",), name="Alex Admin")
    team = factories.team("North Investigation Team")
    factories.staff(team, roles=("officer", "supervisor"), name="Priya Shah")
    gone = factories.staff(team, name="Rhys Evans")
    gone.active = False
    db.session.commit()
    client.staff_sign_in(admin.email, factories.PASSWORD)

    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    page = client.get("/backoffice/staff")
    assert page.h1 == "Staff accounts"
    rows = {
        tr.select("td")[0].get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.soup.select("tbody tr")
    }
    assert rows["Priya Shah"][2:] == ["North Investigation Team", "Officer, Supervisor", "Active"]
    assert rows["Rhys Evans"][4] == "Disabled"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1
    assert _actions("staff.list")[-1][0] == "staff.list"

    with count_queries(app) as small:
        assert client.get("/backoffice/staff").status == 200
    for _ in range(20):
        factories.staff(team, roles=("officer", "analyst"))
    with count_queries(app) as large:
        assert client.get("/backoffice/staff").status == 200
    assert small["n"] == large["n"]


# From a new account to signing in


def _set_up_path(message: dict) -> str:
    match = re.search(r"http://localhost(/backoffice/set-up/[A-Za-z0-9_-]+)", message["body"])
    assert match, message["body"]
    return match.group(1)


def test_an_administrator_creates_an_account_and_the_new_member_sets_it_up(app, client, messages, ctx):
    admin = factories.staff(roles=("admin",))
    team = factories.team("South Safeguarding Team")
    page = client.staff_sign_in(admin.email, factories.PASSWORD)
    assert page.response.headers["Location"] == "/backoffice/staff"  # no casework for them

    page = client.post("/backoffice/staff/new", {"team": "x", "roles": []})
    assert page.status == 400
    assert page.error_summary == [
        "Enter the full name",
        "Enter the collar number",
        "Enter the email address",
        "Select at least one role",
    ]
    form = {
        "name": "Dafydd Morgan",
        "collar_number": "5187",
        "email": "Dafydd.Morgan@Police.example",
        "team": str(team.id),
        "roles": ["officer", "supervisor"],
    }
    page = client.post("/backoffice/staff/new", {**form, "team": "999999"})
    assert page.status == 400 and page.error_summary == ["Select the team"]
    page = client.post("/backoffice/staff/new", {**form, "collar_number": admin.collar_number})
    assert page.error_summary == ["A member of staff already has this collar number"]
    page = client.post("/backoffice/staff/new", form)
    assert page.status == 302, page.error_summary
    page = client.follow(page)
    assert page.h1 == "Dafydd Morgan"
    assert "We have emailed them a link" in page.main_text
    member = db.session.scalar(select(StaffMember).where(StaffMember.email == "dafydd.morgan@police.example"))
    assert (
        member.roles == {"officer", "supervisor"}
        and member.password_hash is None
        and member.totp_secret is None
    )
    assert _actions("staff.created") == [("staff.created", str(member.id), "officer,supervisor")]

    [email] = messages()
    assert email["kind"] == "staff_setup" and email["to"] == "dafydd.morgan@police.example"
    path = _set_up_path(email)
    raw = path.rsplit("/", 1)[1]
    assert db.session.scalar(select(AccountLink.token_hash).where(AccountLink.staff_id == member.id)) == (
        hashlib.sha256(raw.encode()).hexdigest()
    )

    newcomer = PageClient(app)
    page = newcomer.get(path)
    assert page.h1 == "Set up your staff account"
    assert "dafydd.morgan@police.example" in page.main_text
    page = newcomer.post(path, {"password": "password", "confirm": "password"})
    assert page.status == 400 and page.error_summary == [
        "This password is too easy to guess because it is commonly used. Choose a different password"
    ]
    page = newcomer.post(path, {"password": "a long new password", "confirm": "a long new passwort"})
    assert page.error_summary == ["The passwords do not match"]
    page = newcomer.post(path, {"password": "a long new password", "confirm": "a long new password"})
    assert page.status == 302 and page.response.headers["Location"] == SIGN_IN
    assert "Your password is set" in newcomer.follow(page).main_text
    assert newcomer.get(path).status == 410
    assert newcomer.get("/backoffice/set-up/not-a-real-token").status == 404

    # First sign-in: the app is set up, then their cases.
    location = _password_step(newcomer, member.email, "a long new password")
    assert location.startswith(ENROL)
    page = newcomer.get(location)
    secret = page.soup.select_one("#secret").get_text().replace(" ", "")
    page = newcomer.post(location, {"code": _code(secret)})
    assert page.h1 == "Save your recovery codes"
    cases = newcomer.get(page.soup.find("a", string=re.compile("Continue"))["href"])
    assert cases.status == 200 and cases.h1 == "My cases"
    assert [a for a, _, _ in _actions("staff.password_set", "staff.totp_enrolled")] == [
        "staff.password_set",
        "staff.totp_enrolled",
    ]
    # The administrator sees it set up.
    page = client.get(f"/backoffice/staff/{member.id}")
    assert "10 recovery codes left" in page.main_text


@pytest.mark.time_sensitive
def test_a_new_set_up_link_voids_the_old_one_and_links_expire(app, client, messages, ctx):
    admin = factories.staff(roles=("admin",))
    member = factories.staff()
    client.staff_sign_in(admin.email, factories.PASSWORD)
    url = f"/backoffice/staff/{member.id}"
    client.post(f"{url}/resend-set-up", csrf_from=url)
    page = client.follow(client.post(f"{url}/resend-set-up", csrf_from=url))
    assert "Any older link no longer works" in page.main_text
    first, second = (_set_up_path(m) for m in messages())
    assert len(_actions("staff.set_up_link_sent")) == 2

    visitor = PageClient(app)
    page = visitor.get(first)
    assert page.status == 410 and page.h1 == "This link no longer works"
    assert visitor.get(second).status == 200
    db.session.execute(AccountLink.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = visitor.get(second)
    assert page.status == 410 and page.h1 == "This link has expired"
    page = visitor.post(
        second, {"password": "a long new password", "confirm": "a long new password"}, csrf_from=SIGN_IN
    )
    assert page.status == 410
    assert _fresh(member).password_hash is not None and _actions("staff.password_set") == []


@pytest.mark.parametrize("path", ["/backoffice/staff/999999", "/backoffice/staff/999999/roles"])
def test_an_unknown_member_of_staff_is_404(client, ctx, path):
    admin = factories.staff(roles=("admin",))
    client.staff_sign_in(admin.email, factories.PASSWORD)
    if path.endswith("roles"):
        page = client.post(path, {"roles": ["officer"]}, csrf_from="/backoffice/staff")
    else:
        page = client.get(path)
    assert page.status == 404
