"""Administrators register the records systems that use the API, see them listed and
revoke their access; the secret is shown once and only its SHA-256 is kept."""

import hashlib

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from backoffice.forms.api_clients import SCOPE_HINTS, SCOPE_LABELS
from shared.extensions import db
from shared.models import API_SCOPES, AuditEvent
from shared.services import api_clients
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

LIST = "/backoffice/api-clients"
NEW = "/backoffice/api-clients/new"


@pytest.fixture
def admin(ctx):
    return factories.staff(roles=("admin",), name="Alex Admin")


@pytest.fixture
def admin_client(app, admin):
    client = PageClient(app)
    sign_in_as(client, admin)
    return client


def _register(client: PageClient, name="Niche RMS", scopes=("crimes:write", "crimes:read")):
    return client.post(NEW, {"name": name, "scopes": list(scopes)})


def _audit(*actions) -> list[tuple[str, str | None, int | None]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id, AuditEvent.actor_id)
        .where(AuditEvent.action.in_(actions))
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows]


def _rows() -> list[dict]:
    """The api_client table as stored, every column."""
    return [
        dict(row) for row in db.session.execute(sa.text("SELECT * FROM api_client ORDER BY id")).mappings()
    ]


def test_every_scope_has_words_for_it():
    assert set(SCOPE_LABELS) == set(API_SCOPES) == set(SCOPE_HINTS)


def test_the_list_is_empty_at_first_and_links_to_the_form(admin_client):
    page = admin_client.get(LIST)
    assert page.status == 200 and page.h1 == "Records systems"
    assert "No records systems are registered." in page.main_text
    assert page.soup.select_one("#api-clients") is None
    assert page.links("/backoffice/api-clients/new$")
    assert "Register a records system" in page.main_text


def test_the_navigation_shows_records_systems_to_administrators_only(app, admin_client, ctx):
    nav = admin_client.get("/backoffice/staff").soup.select_one(".moj-primary-navigation")
    assert "Records systems" in nav.get_text()
    officer = PageClient(app)
    sign_in_as(officer, factories.staff(roles=("officer",)))
    nav = officer.get("/backoffice/cases").soup.select_one(".moj-primary-navigation")
    assert "Records systems" not in nav.get_text()


def test_the_form_offers_every_scope_with_what_it_allows(admin_client):
    page = admin_client.get(NEW)
    assert page.status == 200 and page.h1 == "Register a records system"
    boxes = page.soup.select("input[type=checkbox][name=scopes]")
    assert [box["value"] for box in boxes] == list(API_SCOPES)
    text = page.main_text
    assert "Create and update crimes (crimes:write)" in text
    assert "Create and update crimes, their victims and key events." in text
    assert "Read crimes and their victims’ status." in text
    assert "Read what the Victims’ Code owes each victim." in text
    assert "Read the Victims’ Code compliance report." in text
    assert "Invite victims to follow their case online." in text


def test_an_administrator_registers_a_records_system_and_sees_the_secret_once(admin_client, admin):
    page = _register(admin_client)
    # The answer to the form itself shows the secret: no redirect could carry it.
    assert page.status == 200, page.error_summary
    assert page.h1 == "Records system registered"
    assert page.response.headers["Cache-Control"] == "no-store"
    assert "Copy the secret now. It will not be shown again." in page.main_text
    assert page.soup.select_one(".govuk-panel")
    secret = page.soup.select_one("#client-secret").get_text(strip=True)
    client_id = page.soup.select_one("#client-id").get_text(strip=True)
    assert page.soup.select_one("#token-url").get_text(strip=True) == "http://localhost/api/v1/oauth/token"
    assert len(secret) >= 43  # 256 random bits
    assert "Create and update crimes (crimes:write)" in page.main_text
    assert "Read crimes (crimes:read)" in page.main_text

    # Only the SHA-256 of the secret is stored, in no column in clear.
    [row] = _rows()
    assert row["name"] == "Niche RMS" and row["client_id"] == client_id
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())
    assert row["scopes"] == "crimes:write crimes:read"
    assert row["created_by_id"] == admin.id and row["revoked_at"] is None
    client = api_clients.by_client_id(client_id)
    assert client.check_client_secret(secret) and not client.check_client_secret(secret + "x")
    assert _audit("api_client.register") == [("api_client.register", str(client.id), admin.id)]
    # Nor in any audit event.
    assert all(secret not in (event.detail or "") for event in db.session.scalars(select(AuditEvent)))

    listing = admin_client.get(LIST)
    assert listing.status == 200
    assert secret not in listing.text
    row_text = listing.soup.select_one("#api-clients tbody tr").get_text(" ", strip=True)
    assert "Niche RMS" in row_text and client_id in row_text
    assert "Create and update crimes (crimes:write)" in row_text
    assert "Read crimes (crimes:read)" in row_text
    assert "Active" in row_text
    # Nothing on the way leads back to the secret.
    assert secret not in admin_client.get(NEW).text


def test_the_secret_page_sends_nothing_the_browser_may_keep(admin_client):
    page = _register(admin_client)
    assert page.response.headers["Cache-Control"] == "no-store"
    assert "Location" not in page.response.headers
    with admin_client.http.session_transaction() as session:
        secret = page.soup.select_one("#client-secret").get_text(strip=True)
        assert secret not in repr(dict(session))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "scopes": ["crimes:read"]}, "name", "Enter the name of the records system"),
        ({"name": "   ", "scopes": ["crimes:read"]}, "name", "Enter the name of the records system"),
        ({"name": "Athena"}, "scopes", "Select what the records system may do"),
        ({"name": "Athena", "scopes": ["crimes:delete"]}, "scopes", "Select what the records system may do"),
        ({"name": "x" * 121, "scopes": ["crimes:read"]}, "name", "The name must be 120 characters or fewer"),
    ],
)
def test_bad_input_is_sent_back_with_the_error_summary(admin_client, data, field, message):
    page = admin_client.post(NEW, data)
    assert page.status == 400
    assert message in page.error_summary
    assert page.soup.select_one(f"#{field}-error") is not None
    assert page.soup.select_one(f".govuk-error-summary a[href='#{field}']") is not None
    assert _rows() == []
    assert _audit("api_client.register") == []


def test_nothing_chosen_gives_both_errors(admin_client):
    page = admin_client.post(NEW, {})
    assert page.status == 400
    assert page.error_summary == [
        "Enter the name of the records system",
        "Select what the records system may do",
    ]


def test_a_name_already_registered_is_refused_on_the_name_field(admin_client):
    assert _register(admin_client, "Niche RMS").status == 200
    page = _register(admin_client, "  niche rms ", ["reports:read"])
    assert page.status == 400
    assert page.error_summary == ["A records system with this name is already registered"]
    assert (
        "A records system with this name is already registered"
        in page.soup.select_one("#name-error").get_text()
    )
    # The form keeps what was typed and chosen.
    assert page.soup.select_one("input#name")["value"] == "  niche rms "
    assert page.soup.select_one("input[value='reports:read']").has_attr("checked")
    assert len(_rows()) == 1


def test_an_administrator_revokes_access_and_it_is_audited(admin_client, admin):
    client, secret = api_clients.register("Athena", ["crimes:write"], by=admin)
    other, _ = api_clients.register("Connect", ["reports:read"], by=admin)
    revoke = f"/backoffice/api-clients/{client.id}/revoke"
    page = admin_client.post(revoke, csrf_from=LIST)
    assert page.status == 302 and page.response.headers["Location"] == LIST
    listing = admin_client.follow(page)
    banner = listing.soup.select_one(".govuk-notification-banner--success")
    assert "Athena’s access is revoked. Its tokens no longer work." in banner.get_text()

    db.session.expire_all()
    client = api_clients.get(client.id)
    assert not client.active and client.revoked_by_id == admin.id
    assert not client.check_client_secret(secret)
    assert api_clients.get(other.id).active
    assert _audit("api_client.revoke") == [("api_client.revoke", str(client.id), admin.id)]

    # Active ones first; the revoked one has no button left.
    rows = listing.soup.select("#api-clients tbody tr")
    assert [r.find("th").get_text(strip=True) for r in rows] == ["Connect", "Athena"]
    assert "Revoked" in rows[1].get_text() and rows[1].find("form") is None
    assert rows[0].find("form")["action"] == f"/backoffice/api-clients/{other.id}/revoke"


def test_revoking_twice_shows_the_error_and_unknown_ids_are_404(admin_client, admin):
    client, _ = api_clients.register("Athena", ["crimes:write"], by=admin)
    token = admin_client.get(LIST).csrf()
    revoke = f"/backoffice/api-clients/{client.id}/revoke"
    assert admin_client.post(revoke, {"csrf_token": token}).status == 302
    page = admin_client.post(revoke, {"csrf_token": token})
    assert page.status == 302
    listing = admin_client.follow(page)
    assert listing.status == 200
    assert (
        "This records system’s access is already revoked"
        in listing.soup.select_one(".govuk-error-summary").get_text()
    )
    assert len(_audit("api_client.revoke")) == 1

    assert (
        admin_client.post(f"/backoffice/api-clients/{client.id + 100}/revoke", {"csrf_token": token}).status
        == 404
    )
    # Without the form's token nothing happens.
    other, _ = api_clients.register("Connect", ["reports:read"], by=admin)
    response = admin_client._request("post", f"/backoffice/api-clients/{other.id}/revoke", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert api_clients.get(other.id).active


def test_an_officer_gets_403_and_changes_nothing(app, admin):
    client, _ = api_clients.register("Athena", ["crimes:write"], by=admin)
    officer = PageClient(app)
    sign_in_as(officer, factories.staff(roles=("officer", "supervisor", "ddm", "fcr", "analyst", "pcc")))
    token = officer.follow(officer.get("/backoffice/")).csrf()
    assert officer.get(LIST).status == 403
    assert officer.get(NEW).status == 403
    assert officer.post(NEW, {"csrf_token": token, "name": "Rogue", "scopes": ["crimes:write"]}).status == 403
    assert officer.post(f"/backoffice/api-clients/{client.id}/revoke", {"csrf_token": token}).status == 403
    db.session.expire_all()
    assert [row["name"] for row in _rows()] == ["Athena"] and api_clients.get(client.id).active
    assert _audit("api_client.register", "api_client.revoke") == [
        ("api_client.register", str(client.id), admin.id)
    ]
    assert len(_audit("access.refused")) == 4


def test_the_pages_change_nothing_and_each_read_is_audited(admin_client, admin):
    api_clients.register("Athena", ["crimes:write"], by=admin)
    before = _rows()
    for path, action in [(LIST, "api_clients.list"), (NEW, "api_clients.new")]:
        assert admin_client.get(path).status == 200
        assert [a for a, _, _ in _audit(action)] == [action]
    db.session.expire_all()
    assert _rows() == before
