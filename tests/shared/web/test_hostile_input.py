"""Hostile input gets a clear 4xx, never a 500, and loses nothing already saved:
bodies too large (413), JSON sent to an HTML form (415), deeply nested JSON, digits
that `str.isdigit()` accepts but `int()` refuses, dates in year 9999, and NUL bytes,
which PostgreSQL refuses (run with TEST_DATABASE_URL to see them there)."""

import json
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, ContactPlan, SecureMessage, StaffMember
from tests import factories
from tests.api_helpers import crime_body
from tests.pages import PageClient
from tests.signed_in import sign_in_as

MB = 1024 * 1024
NESTED = "[" * 20_000 + "]" * 20_000


def _nested_object(depth: int) -> dict:
    body: dict = {}
    for _ in range(depth):
        body = {"a": body}
    return body


# Request size ------------------------------------------------------------------------


def test_a_20_mb_form_is_refused_with_413_before_it_is_read_or_echoed(app, ctx):
    client = PageClient(app, portal=True)
    token = client.get("/sign-in").csrf()
    page = client.post("/sign-in", {"email": "a" * 20 * MB, "password": "x", "csrf_token": token})
    assert page.status == 413
    assert page.h1 == "What you sent is too large"
    assert len(page.response.data) < 50_000
    assert page.response.headers["Cache-Control"] == "no-store"


def test_a_30_mb_json_body_is_refused_with_413_on_forms_and_the_api(app, ctx, records_system):
    body = json.dumps({"email": "a" * 30 * MB})
    response = app.test_client().post("/sign-in", data=body, content_type="application/json")
    assert response.status_code == 413
    assert b"What you sent is too large" in response.data and len(response.data) < 50_000
    response = records_system.raw(
        "post",
        "/crimes",
        data=body,
        content_type="application/json",
        headers=records_system.headers("too-large-1"),
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 413


def test_the_limit_is_a_setting_and_the_api_keeps_its_own(app, records_system):
    assert app.config["MAX_CONTENT_LENGTH"] == 102400
    body = json.dumps({"reference": "x" * (app.config["API_MAX_BODY_BYTES"] + 1)})
    response = records_system.raw(
        "post", "/crimes", data=body, content_type="application/json", headers=records_system.headers("big-2")
    )
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_the_413_page_is_in_welsh_for_a_welsh_reader(app, ctx):
    client = app.test_client()
    client.set_cookie("lang", "cy")
    response = client.post("/sign-in", data={"email": "a" * 2 * MB})
    assert response.status_code == 413
    assert "Mae’r hyn a anfonoch yn rhy fawr" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/sign-in", "/forgot-password", "/backoffice/sign-in"])
def test_html_forms_refuse_json_bodies_with_415_even_deeply_nested(app, ctx, path):
    client = PageClient(app)
    token = client.get(path).csrf()
    for body in (json.dumps({"email": "a@example.com", "password": "x" * 12, "csrf_token": token}), NESTED):
        response = client.http.post(
            path, data=body, content_type="application/json", headers={"X-CSRFToken": token}
        )
        assert response.status_code == 415, (path, body[:20])
        assert b"This page only accepts what its form sends" in response.data


def test_a_signed_in_form_refuses_json_too(app, ctx):
    officer = factories.staff()
    client = PageClient(app)
    sign_in_as(client, officer)
    token = client.get("/backoffice/crimes/new").csrf()
    response = client.http.post(
        "/backoffice/crimes/new", data=NESTED, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 415


def test_a_form_sent_back_never_echoes_more_than_its_field_takes(app, ctx):
    client = PageClient(app, portal=True)
    page = client.post("/sign-in", {"email": "b" * 60_000, "password": "x"})
    assert page.status == 400
    assert page.error_summary
    shown = page.soup.find("input", attrs={"name": "email"})["value"]
    assert shown == "b" * 320
    assert len(page.response.data) < 40_000


def test_a_long_update_is_echoed_only_up_to_its_limit_and_saved_in_full_when_valid(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    client = PageClient(app)
    sign_in_as(client, officer)
    url = f"/backoffice/crimes/{crime.id}/updates/new"
    page = client.post(url, {"kind": "general", "victim_text": "c" * 9000, "visible": "yes"})
    assert page.status == 400
    assert "Text must be 5000 characters or fewer" in page.error_summary
    assert page.soup.find("textarea", attrs={"name": "victim_text"}).get_text() == "c" * 5000


def test_a_huge_secure_message_is_echoed_only_up_to_twice_its_limit(app, ctx):
    """A message a little too long comes back whole for its writer to shorten (the
    GOV.UK character count); a huge one is cut at twice the limit."""
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    client = PageClient(app, portal=True)
    sign_in_as(client, link.victim)
    url = f"/cases/{link.public_id}/messages"
    page = client.post(url, {"body": "d" * 30_000})
    assert page.status == 400
    assert (
        page.soup.find("textarea", attrs={"name": "body"}).get_text()
        == "d" * 2 * app.config["SECURE_MESSAGE_MAX_LENGTH"]
    )
    assert db.session.scalar(select(func.count()).select_from(SecureMessage)) == 0


# The seven 500s ----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 1_000, 10_000])
def test_deeply_nested_json_on_an_api_write_is_a_400(records_system, depth):
    body = json.dumps(_nested_object(depth)) if depth < 1_000 else '{"a":' * depth + "1" + "}" * depth
    reference = f"NX/2026/9{depth:05d}"
    assert records_system.post("/crimes", crime_body(reference, records_system.collar)).status_code == 201
    for path in ("/crimes", f"/crimes/{reference}/victims", f"/crimes/{reference}/events"):
        response = records_system.raw(
            "post",
            path,
            data=body,
            content_type="application/json",
            headers=records_system.headers(f"nested-{depth}-{path.count('/')}-{len(path)}"),
        )
        assert response.status_code == 400, (path, depth, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert "nested" in response.get_json()["detail"]


def test_a_report_for_year_9999_is_a_422_from_the_api(records_system):
    response = records_system.get("/reports/compliance", **{"from": "9999-12-01", "to": "9999-12-31"})
    assert response.status_code == 422
    assert "2999 or earlier" in response.get_json()["detail"]


@pytest.mark.parametrize("path", ["/backoffice/reports", "/backoffice/reports/export.csv"])
def test_a_quarter_in_year_9999_is_refused_on_the_report_and_its_export(app, ctx, path):
    client = PageClient(app)
    sign_in_as(client, factories.staff(roles=("analyst",)))
    page = client.get(path + "?period=quarter&quarter=9999-Q4")
    if path.endswith(".csv"):
        # An export with filters in error goes back to the page that shows them.
        page = client.follow(page)
    assert page.status == 400
    assert page.error_summary == ["The quarter must be this quarter or earlier"]


@pytest.mark.parametrize("path", ["/backoffice/audit", "/backoffice/audit.csv"])
@pytest.mark.parametrize("actor", ["²", "①", "١٢", "1_000", "99999999999999999999999"])
def test_odd_digits_in_the_audit_search_are_a_400(app, ctx, path, actor):
    client = PageClient(app)
    sign_in_as(client, factories.staff(roles=("admin",)))
    page = client.get(path + "?actor=" + quote(actor))
    if path.endswith(".csv"):
        page = client.follow(page)
    assert page.status == 400, actor
    assert page.error_summary


def test_odd_digits_in_the_contact_plan_are_a_form_error_and_change_nothing(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    client = PageClient(app)
    sign_in_as(client, officer)
    url = f"/backoffice/crimes/{crime.id}/victims/{link.id}/contact-plan"
    plan = {"channel": "phone", "language": "en", "safe_to_contact": "yes", "opted_out": "no"}
    before = db.session.scalar(select(func.count()).select_from(ContactPlan))
    for days in ("²", "1²", "①", "١٢", " 1_4 "):
        page = client.post(url, {**plan, "frequency_days": days})
        assert page.status == 400, days
        assert page.error_summary == ["Enter how often, in days, from 1 to 365"]
    assert db.session.scalar(select(func.count()).select_from(ContactPlan)) == before


def test_odd_digits_for_a_new_member_of_staffs_team_are_a_form_error(app, ctx):
    admin = factories.staff(roles=("admin",))
    client = PageClient(app)
    sign_in_as(client, admin)
    form = {
        "name": "Dafydd Morgan",
        "collar_number": "5187",
        "email": "dm@police.example",
        "roles": ["officer"],
    }
    for team in ("²", "١", "99999999999999999999"):
        page = client.post("/backoffice/staff/new", {**form, "team": team})
        assert page.status == 400, team
        assert page.error_summary == ["Select the team"]
    assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 1


# NUL bytes ---------------------------------------------------------------------------


def test_a_nul_byte_in_a_sign_in_is_a_400_with_a_clear_page(app, ctx):
    client = PageClient(app, portal=True)
    for path in ("/sign-in", "/backoffice/sign-in", "/forgot-password"):
        page = client.post(path, {"email": "a\x00@example.com", "password": "a password"})
        assert page.status == 400, path
        assert "a character that cannot be saved" in page.main_text


def test_a_nul_byte_in_a_search_a_message_or_a_path_is_a_400_and_saves_nothing(app, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    staff_client = PageClient(app)
    sign_in_as(staff_client, officer)
    assert staff_client.get("/backoffice/cases?q=43%00").status == 400
    assert staff_client.get("/backoffice/cases?page=%00").status == 400
    assert staff_client.get("/backoffice/crimes/1%00").status == 400
    victim = PageClient(app, portal=True)
    sign_in_as(victim, link.victim)
    url = f"/cases/{link.public_id}/messages"
    token = victim.get(url).csrf()
    assert victim.post(url, {"body": "hello\x00there", "csrf_token": token}).status == 400
    assert victim.get(f"/cases/{link.public_id}%00").status == 400
    assert db.session.scalar(select(func.count()).select_from(SecureMessage)) == 0


def test_a_nul_or_a_lone_surrogate_in_the_api_is_a_4xx(ctx, records_system):
    for body in ('{"reference": "43/1/26\\u0000"}', '{"reference": "\\ud800"}', '{"\\u0000": 1}'):
        response = records_system.raw(
            "post",
            "/crimes",
            data=body,
            content_type="application/json",
            headers=records_system.headers(f"nul-{len(body)}-{body[-6:-2]}"),
        )
        assert response.status_code == 400, body
        assert response.mimetype == "application/problem+json"
    # In the address or the query, as the operations document: no such record; a query
    # that does not fit. In the token endpoint's form, OAuth's own error.
    assert records_system.get("/crimes/43%00").status_code == 404
    # And the call is in the audit trail, the NUL written as its escape.
    details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "api.call"))
    assert "GET /api/v1/crimes/43\\x00 404" in list(details)
    response = records_system.get(
        "/reports/compliance", **{"from": "2026-01-01", "to": "2026-01-31", "split": "x\x00"}
    )
    assert response.status_code == 422 and "NUL" in response.get_json()["detail"]
    response = records_system.raw(
        "post", "/oauth/token", data={"grant_type": "client_credentials", "client_id": "a\x00"}
    )
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"


def test_refused_input_writes_no_audit_event_of_a_consultation(app, ctx):
    officer = factories.staff()
    client = PageClient(app)
    sign_in_as(client, officer)
    client.get("/backoffice/cases?q=%00")
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "cases.list")
        )
        == 0
    )
