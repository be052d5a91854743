"""Staff single sign-on and victims' GOV.UK One Login, end to end through the app's own
routes against a real OpenID provider running on 127.0.0.1."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.factory import create_app
from shared.models import AuditEvent, StaffMember
from tests import factories
from tests.conftest import activation_path
from tests.pages import PageClient


@pytest.fixture(scope="module")
def sso_app(app, oidc_provider):
    """The app as a force with single sign-on and One Login turned on, on the same
    database as the rest of the suite."""
    sso = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_BASE_URL": "http://localhost",
            **oidc_provider.app_config(),
        }
    )
    yield sso
    with sso.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sso_ctx(app, sso_app):
    with sso_app.app_context():
        yield
        db.session.remove()


def _through_provider(client: PageClient, provider, start: str, login: str):
    """Start at our route, sign in at the provider, and come back to our callback."""
    response = client._request("get", start)
    assert response.status_code == 302, response.status_code
    callback = urlsplit(provider.login_through(response.headers["Location"], login))
    return client.get(f"{callback.path}?{callback.query}")


def test_staff_sign_in_through_the_forces_provider(sso_app, sso_ctx, oidc_provider):
    team = factories.team()
    member = factories.staff(team, roles=("analyst",), email="alice.officer@police.example")
    client = PageClient(sso_app)

    page = _through_provider(client, oidc_provider, "/backoffice/sso/start", "alice")
    assert page.status == 302, page.text[:500]
    db.session.expire_all()
    member = db.session.get(StaffMember, member.id)
    assert member.oidc_subject == "staff-0001-alice"
    # Roles follow the provider's groups: officer granted, analyst removed, both audited.
    assert member.roles == {"officer"}
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "staff.role_granted" in actions and "staff.role_removed" in actions
    assert actions[-1] == "staff.sign_in"
    assert client.follow(client.follow(page)).status == 200  # index, then the case list


def test_the_sign_in_page_offers_single_sign_on(sso_app, sso_ctx):
    page = PageClient(sso_app).get("/backoffice/sign-in")
    assert page.links(r"/backoffice/sso/start")


def test_staff_without_an_account_or_a_role_are_refused(sso_app, sso_ctx, oidc_provider):
    client = PageClient(sso_app)
    page = _through_provider(client, oidc_provider, "/backoffice/sso/start", "sam")
    assert page.status == 403 and "do not have an account" in page.h1
    factories.staff(roles=("officer",), email="no.roles@police.example")
    page = _through_provider(PageClient(sso_app), oidc_provider, "/backoffice/sso/start", "nobody")
    assert page.status == 403 and "do not have a role" in page.h1
    refused = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "staff.sso_refused")
    ).all()
    assert refused == ["no_account", "no_role"]


def test_a_disabled_member_of_staff_is_refused(sso_app, sso_ctx, oidc_provider):
    member = factories.staff(roles=("officer",), email="alice.officer@police.example")
    member.active = False
    db.session.commit()
    page = _through_provider(PageClient(sso_app), oidc_provider, "/backoffice/sso/start", "alice")
    assert page.status == 403 and "disabled" in page.h1


def test_a_tampered_state_is_refused_and_logged(sso_app, sso_ctx, oidc_provider, caplog):
    factories.staff(roles=("officer",), email="alice.officer@police.example")
    client = PageClient(sso_app)
    response = client._request("get", "/backoffice/sso/start")
    callback = urlsplit(oidc_provider.login_through(response.headers["Location"], "alice"))
    query = parse_qs(callback.query)
    query["state"] = ["forged-" + query["state"][0]]
    page = client.get(callback.path, query_string={k: v[0] for k, v in query.items()})
    assert page.status == 400 and page.h1 == "Sorry, we could not sign you in"
    assert any("Sign-in refused" in r.getMessage() for r in caplog.records if r.name == "trackmycrime.auth")
    assert client.get("/backoffice/cases").status == 302  # still signed out


def test_a_victim_links_one_login_through_the_invitation_then_signs_in_with_it(
    sso_app, sso_ctx, oidc_provider, messages
):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, email="victim.one@example.com")
    staff = PageClient(sso_app)
    from tests.signed_in import sign_in_as

    sign_in_as(staff, officer)
    staff.post(
        f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite",
        {},
        csrf_from=f"/backoffice/crimes/{crime.id}",
    )
    invitation = activation_path(messages()[-1])

    victim = PageClient(sso_app, portal=True)
    assert victim.get(invitation).links(r"/onelogin$")
    page = _through_provider(victim, oidc_provider, invitation + "/onelogin", "victim-medium")
    assert page.status == 302 and page.response.headers["Location"].endswith("/cases")
    assert victim.get(f"/cases/{link.public_id}").status == 200
    # The invitation is used up.
    assert victim.get(invitation).status == 410

    # Later, from a new browser, One Login alone signs them in.
    again = PageClient(sso_app, portal=True)
    page = _through_provider(again, oidc_provider, "/onelogin/start", "victim-medium")
    assert page.status == 302
    assert again.get(f"/cases/{link.public_id}").status == 200


def test_one_login_never_links_by_email_address(sso_app, sso_ctx, oidc_provider):
    """A victim with the same email address as the One Login account, but who never
    linked it through an invitation, is not signed in."""
    officer = factories.staff()
    factories.active_victim(factories.crime(officer), officer, email="victim.one@example.com")
    page = _through_provider(
        PageClient(sso_app, portal=True), oidc_provider, "/onelogin/start", "victim-medium"
    )
    assert page.status == 403
    assert "not linked" in page.h1


def test_one_login_below_medium_confidence_is_refused(sso_app, sso_ctx, oidc_provider):
    officer = factories.staff()
    link = factories.victim(factories.crime(officer), officer, email="victim.two@example.com")
    from shared.services import links

    raw = links.issue("activation", sso_app.config["ACTIVATION_LINK_TTL"], victim=link.victim)
    db.session.commit()
    page = _through_provider(
        PageClient(sso_app, portal=True), oidc_provider, f"/activate/{raw}/onelogin", "victim-low"
    )
    assert page.status == 400
    db.session.expire_all()
    assert link.victim.onelogin_subject is None


def test_one_login_asks_for_medium_confidence_in_the_victims_language(sso_app, sso_ctx):
    client = PageClient(sso_app, portal=True)
    client.http.set_cookie("lang", "cy")
    response = client._request("get", "/onelogin/start")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["vtr"] == ['["Cl.Cm"]']
    assert query["ui_locales"] == ["cy"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"] and query["state"]


def test_without_configuration_the_routes_do_not_exist(client):
    for path in (
        "/backoffice/sso/start",
        "/backoffice/sso/callback",
        "/onelogin/start",
        "/onelogin/callback",
    ):
        assert client.get(path).status == 404
