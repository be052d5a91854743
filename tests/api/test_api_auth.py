"""Who may call the records-system API: OAuth 2.0 client credentials, short-lived bearer
tokens kept hashed, scopes, revocation, per-client rate limits, one audit event per
call, and problem details for every refusal and every kind of bad request."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shared.config import ConfigError
from shared.extensions import db
from shared.factory import create_app
from shared.models import ApiToken, AuditEvent, Crime
from shared.models.types import utcnow
from shared.services import api_clients
from tests.api_helpers import ApiCaller, basic, crime_body, register

TOKEN_URL = "/api/v1/oauth/token"


def _client(app, scopes=("crimes:write", "crimes:read")):
    with app.app_context():
        client, secret = register(scopes)
        client_id = client.client_id
        db.session.remove()
    return client_id, secret


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    return body


def test_a_client_trades_its_id_and_secret_for_a_short_lived_token_kept_only_as_a_hash(app):
    client_id, secret = _client(app)
    http = app.test_client()
    response = http.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic(client_id, secret)},
    )
    assert response.status_code == 200
    token = response.get_json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 900
    assert set(token["scope"].split()) == {"crimes:write", "crimes:read"}
    assert response.headers["Cache-Control"] == "no-store"
    posted = http.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "crimes:read",
        },
    )
    assert posted.status_code == 200 and posted.get_json()["scope"] == "crimes:read"
    with app.app_context():
        hashes = set(db.session.scalars(select(ApiToken.token_hash)))
        assert hashlib.sha256(token["access_token"].encode()).hexdigest() in hashes
        assert token["access_token"] not in hashes
        row = db.session.scalar(select(ApiToken).where(ApiToken.scope == "crimes:read"))
        assert timedelta(seconds=890) < row.expires_at - row.issued_at <= timedelta(seconds=900)


def test_the_token_endpoint_refuses_wrong_secrets_unknown_clients_scopes_not_held_and_other_grants(app):
    client_id, secret = _client(app)
    http = app.test_client()
    wrong = http.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic(client_id, "guess")},
    )
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "invalid_client"
    unknown = http.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic("tmc-nobody", secret)},
    )
    assert unknown.status_code == 401
    scope = http.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "reports:read"},
        headers={"Authorization": basic(client_id, secret)},
    )
    assert scope.status_code == 400 and scope.get_json()["error"] == "invalid_scope"
    grant = http.post(
        TOKEN_URL, data={"grant_type": "password"}, headers={"Authorization": basic(client_id, secret)}
    )
    assert grant.status_code == 400 and grant.get_json()["error"] == "unsupported_grant_type"
    with app.app_context():
        refused = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "api.call")).all()
        assert sum("invalid_client" in detail for detail in refused) == 2


@pytest.mark.time_sensitive
def test_calls_without_a_valid_token_get_401_with_a_bearer_challenge(app):
    client_id, secret = _client(app)
    caller = ApiCaller(app, client_id, secret)
    http = app.test_client()
    missing = http.get("/api/v1/crimes/NX-1234")
    assert _problem(missing, 401)
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="trackmycrime"'
    for header in ("Bearer not-a-token", "Basic " + caller.token, "Bearer"):
        response = http.get("/api/v1/crimes/NX-1234", headers={"Authorization": header})
        _problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    unknown = http.get("/api/v1/crimes/NX-1234", headers={"Authorization": "Bearer not-a-token"})
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]
    # An expired token, then a revoked client's token.
    with app.app_context():
        db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    _problem(caller.get("/crimes/NX-1234"), 401)
    caller.token = caller.fetch_token()
    assert caller.get("/crimes/NX-1234").status_code == 404
    with app.app_context():
        api_clients.revoke(api_clients.by_client_id(client_id), None)
        db.session.remove()
    _problem(caller.get("/crimes/NX-1234"), 401)
    refused = http.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic(client_id, secret)},
    )
    assert refused.status_code == 401


def test_a_token_without_the_operations_scope_gets_403_insufficient_scope(app):
    client_id, secret = _client(app, scopes=("crimes:read",))
    caller = ApiCaller(app, client_id, secret)
    response = caller.post("/crimes", crime_body("NX-2001", "1234"))
    body = _problem(response, 403)
    assert "crimes:write" in body["detail"]
    assert (
        response.headers["WWW-Authenticate"]
        == 'Bearer realm="trackmycrime", error="insufficient_scope", scope="crimes:write"'
    )
    _problem(caller.get("/reports/compliance", **{"from": "2026-01-01", "to": "2026-03-31"}), 403)
    with app.app_context():
        assert db.session.scalar(select(func.count(Crime.id))) == 0


def test_every_call_writes_one_audit_event_naming_the_client(app, records_system):
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "api.call"))
    records_system.get("/crimes/NX-0001")
    records_system.post("/crimes", crime_body("NX-0001", records_system.collar))
    records_system.get("/crimes/NX-0001")
    app.test_client().get("/api/v1/crimes/NX-0001")
    with app.app_context():
        calls = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "api.call").order_by(AuditEvent.id)
        ).all()[before:]
        client = api_clients.by_client_id(records_system.client_id)
        assert [event.detail for event in calls] == [
            "GET /api/v1/crimes/NX-0001 404",
            "POST /api/v1/crimes 201",
            "GET /api/v1/crimes/NX-0001 200",
            "GET /api/v1/crimes/NX-0001 401",
        ]
        assert [(event.actor_type, event.actor_id) for event in calls] == [("api", client.id)] * 3 + [
            ("api", None)
        ]
        assert all(event.request_id for event in calls)
        recorded = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "crime.record"))
        assert (recorded.actor_type, recorded.actor_id) == ("api", client.id)


def test_each_client_has_its_own_rate_limit(app, records_system):
    other = ApiCaller(app, *_client(app))
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert records_system.get("/crimes/NX-0001").status_code == 404
        limited = records_system.get("/crimes/NX-0001")
        _problem(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 61
        assert other.get("/crimes/NX-0001").status_code == 404
    finally:
        app.config["API_RATE_LIMIT"] = "1200 per minute"


def test_bad_requests_get_problem_details_and_never_a_500(app, records_system):
    http, headers = records_system.http, records_system.headers("key-1")
    good = crime_body("NX-0002", records_system.collar)
    unknown_field = _problem(records_system.post("/crimes", {**good, "colour": "red"}), 422)
    assert unknown_field["errors"] == [{"pointer": "/colour", "detail": "Extra inputs are not permitted"}]
    naive = _problem(records_system.post("/crimes", {**good, "reported_at": "2026-11-01T10:00:00"}), 422)
    assert naive["errors"][0]["pointer"] == "/reported_at"
    _problem(records_system.post("/crimes", {**good, "offence": "piracy"}), 422)
    _problem(records_system.post("/crimes", {**good, "outcome": "3"}), 422)
    _problem(records_system.post("/crimes", ["not", "an", "object"]), 422)
    _problem(
        http.post("/api/v1/crimes", data="{not json", headers=headers, content_type="application/json"), 400
    )
    _problem(
        http.post(
            "/api/v1/crimes",
            data="reference=X",
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        ),
        415,
    )
    too_big = {**good, "padding": "x" * 70000}
    _problem(http.post("/api/v1/crimes", json=too_big, headers=headers), 413)
    no_key = http.post("/api/v1/crimes", json=good, headers=records_system.headers())
    assert _problem(no_key, 400)["type"].endswith("/idempotency-key-required")
    bad_key = http.post(
        "/api/v1/crimes", json=good, headers={**records_system.headers(), "Idempotency-Key": "with space"}
    )
    _problem(bad_key, 400)
    unknown_officer = _problem(records_system.post("/crimes", {**good, "officer_in_charge": "X999"}), 422)
    assert unknown_officer["errors"][0]["pointer"] == "/officer_in_charge"
    _problem(
        records_system.post(
            "/crimes/NX-9999/events",
            {"event_id": "E1", "kind": "arrest", "occurred_at": "2026-11-01T10:00:00Z"},
        ),
        404,
    )
    _problem(http.get("/api/v1/no-such-thing", headers=records_system.headers()), 404)
    wrong_method = http.delete("/api/v1/crimes", headers=records_system.headers())
    _problem(wrong_method, 405)
    assert wrong_method.headers["Allow"]
    _problem(records_system.get("/reports/compliance", **{"from": "2026-03-31", "to": "2026-01-01"}), 422)
    _problem(records_system.get("/reports/compliance", **{"from": "yesterday", "to": "2026-01-01"}), 422)
    _problem(
        records_system.get("/reports/compliance", **{"from": "2026-01-01", "to": "2026-03-31", "x": "1"}), 422
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Crime.id))) == 0
    # After all that, the same request done right works.
    assert records_system.post("/crimes", good).status_code == 201


@pytest.mark.time_sensitive
def test_the_report_gives_the_numbers_the_back_office_shows(app, records_system, time_machine):
    # One instant for the API's report and the one computed here: midnight cannot fall between.
    time_machine.move_to(utcnow(), tick=False)
    from shared.services import report_export, reports

    records_system.post("/crimes", crime_body("NX-0003", records_system.collar))
    records_system.post(
        "/crimes/NX-0003/victims",
        {
            "victim_ref": "V1",
            "name": "Sam Hill",
            "email": "sam@example.com",
            "updated_at": utcnow().isoformat(),
        },
    )
    today = utcnow().date()
    params = {
        "from": (today - timedelta(days=30)).isoformat(),
        "to": today.isoformat(),
        "split": "offence_group",
    }
    response = records_system.get("/reports/compliance", **params)
    assert response.status_code == 200
    got = response.get_json()
    with app.test_request_context():
        report = reports.compliance(None, today - timedelta(days=30), today, "offence_group")
        expected = report_export.to_dict(
            report, reports.trend(None, today - timedelta(days=30), today, now=report.now)
        )
    for key in ("from", "to", "split", "groups"):
        assert got[key] == expected[key], key
    assert got["groups"][0]["metrics"]["M1"]["pending"] == 1
    assert got["trend"]["metrics"] == expected["trend"]["metrics"]


def test_records_systems_can_be_registered_listed_and_revoked_on_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["api-clients", "register", "Niche RMS", "--scope", "crimes:write", "--scope", "crimes:read"]
    )
    assert result.exit_code == 0, result.output
    values = dict(line.split(":", 1) for line in result.output.splitlines() if line.startswith("client_"))
    client_id, secret = values["client_id"].strip(), values["client_secret"].strip()
    caller = ApiCaller(app, client_id, secret)
    assert caller.get("/crimes/NX-0404").status_code == 404
    assert (
        f"{client_id}  active   Niche RMS  [crimes:write crimes:read]"
        in runner.invoke(args=["api-clients", "list"]).output
    )
    again = runner.invoke(args=["api-clients", "register", "niche rms", "--scope", "crimes:read"])
    assert again.exit_code == 2 and "already registered" in again.output
    assert runner.invoke(args=["api-clients", "revoke", client_id]).exit_code == 0
    _problem(caller.get("/crimes/NX-0404"), 401)
    assert runner.invoke(args=["api-clients", "revoke", "tmc-nobody"]).exit_code == 2


def test_the_audit_trail_names_the_records_system_and_can_show_only_its_calls(app, client, records_system):
    from tests import factories

    records_system.get("/crimes/NX-0505")
    app.test_client().get("/api/v1/crimes/NX-0505")
    with app.app_context():
        name = api_clients.by_client_id(records_system.client_id).name
        admin = factories.staff(roles=("admin",))
        client.staff_sign_in(admin.email, factories.PASSWORD)
        page = client.get("/backoffice/audit?actor_type=api")
    assert f"Records system: {name}" in page.main_text
    assert "A caller without a valid API token" in page.main_text
    assert "Ada" not in page.main_text and "sign_in" not in page.main_text


def test_a_rate_limit_that_cannot_be_read_stops_the_service_at_start_up():
    with pytest.raises(ConfigError, match="API_RATE_LIMIT must read like"):
        create_app({"APP_ENV": "testing", "API_RATE_LIMIT": "lots"})
