"""The records-system API against its own OpenAPI document: the document lists exactly
the routes the app serves, with the scope each needs, and is valid OpenAPI 3.1; requests
generated from it by schemathesis (valid and invalid ones) get answers the document
describes, never a 5xx; and every operation that needs a scope refuses a call without a
token, with a bad or expired one, or with one that lacks the scope."""

import json
import re
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from api.openapi import document
from api.operations import OPERATIONS
from shared.domain.victims_code_rules import VCS_RULE
from shared.extensions import db
from shared.models import (
    API_SCOPES,
    ApiToken,
    CdiAudit,
    CdiAuditRecord,
    CdiAuditStratum,
    CdiJudgement,
    CrimeVictim,
    StaffMember,
)
from shared.models.api import digest
from shared.models.types import utcnow
from shared.services import api_clients, entitlements
from tests.api_helpers import ApiCaller, basic, records_system, register  # noqa: F401

# Its requests carry fixed dates in 2026 (the document's examples tell one story); they are
# sent on 1 December 2026, whenever the suite runs.
pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)

DOCUMENT_PATH = "/api/v1/openapi.json"
PUBLIC_OPERATIONS = {"token", "openapi_document"}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@schemathesis.check
def bearer_token_enforced(ctx, response, case):
    """schemathesis's own ignored_auth check leaves OAuth 2.0 schemes out (it knows
    apiKey and http ones), so this does the same for them: a request the API accepted
    is sent again without its token and with a made-up one, and both are refused."""
    if not case.operation.definition.raw.get("security") or not 200 <= response.status_code < 300:
        return None
    # Sent again as the same request less its token: the token may be in the case's own
    # headers (a run configured with one) or in those the call was given.
    own = case.headers
    case.headers = {name: value for name, value in (own or {}).items() if name.lower() != "authorization"}
    try:
        for authorization in (None, "Bearer made-up-token-0000"):
            again = case.call(headers={"Authorization": authorization} if authorization else None)
            if again.status_code != 401:
                raise AssertionError(
                    f"{case.operation.label} answered {again.status_code} to a request "
                    f"{'with a made-up token' if authorization else 'without a token'} that it accepted with one"
                )
    finally:
        case.headers = own
    return True


# Answers to requests the test builds itself: negative_data_rejection needs generated data.
REFUSAL_CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]
CHECKS = [*REFUSAL_CHECKS, negative_data_rejection, bearer_token_enforced]


def _openapi_path(rule: str) -> str:
    """A werkzeug rule as an OpenAPI path: `/crimes/<path:reference>` -> `/crimes/{reference}`."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method.upper(), op


def _served(app) -> dict:
    response = app.test_client().get(DOCUMENT_PATH)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _header(response, name: str) -> str | None:
    """A header of a schemathesis response (lower-case names, lists of values)."""
    values = response.headers.get(name.lower())
    return values[0] if values else None


def _assert_problem(response, status: int, label: str) -> None:
    assert _header(response, "Content-Type") == "application/problem+json", label
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("https://"), (label, body)
    assert _header(response, "Cache-Control") == "no-store", label


# ------------------------------------------------------------- the document and the code


def test_the_served_document_is_the_one_built_from_the_operations(app):
    with app.app_context():
        assert _served(app) == document()


def test_every_route_is_in_the_document_and_every_documented_operation_is_a_route(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = _openapi_path(rule.rule)
            routes |= {(path, method) for method in rule.methods & METHODS}
    documented = {(path, method) for path, method, _op in _operations(_served(app))}
    assert routes == documented
    assert len(routes) >= 8


def test_every_operation_but_the_token_and_the_document_needs_one_scope(app):
    doc = _served(app)
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert set(flows["scopes"]) == set(API_SCOPES)
    seen = set()
    for path, method, op in _operations(doc):
        view = app.view_functions["api." + op["operationId"]]
        if op["operationId"] in PUBLIC_OPERATIONS:
            assert op["security"] == [], (method, path)
            assert view.is_public
            continue
        assert op["security"] == [{"oauth2": [view.api_scope]}], (method, path)
        assert view.api_scope in API_SCOPES
        # The refusals the scope brings are documented.
        assert {"401", "403", "429"} <= set(op["responses"]), (method, path)
        seen.add(op["operationId"])
    assert seen == {
        "put_crime",
        "get_crime",
        "put_victim",
        "post_event",
        "invite_victim",
        "post_information_request",
        "compliance_report",
        "put_incident",
        "get_incident",
        "audit_results",
        "post_court_event",
        "get_court",
        "record_referral",
        "put_property",
        "get_property",
    }


def test_the_documents_body_examples_fit_the_bodies_the_operations_read(app):
    bodies = {_openapi_path(op.rule): op.body for op in OPERATIONS if op.body is not None}
    seen = 0
    for path, _method, op in _operations(_served(app)):
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            continue
        assert content.get("examples"), path
        for example in content["examples"].values():
            bodies[path].model_validate_json(json.dumps(example["value"]), strict=True)
            seen += 1
    assert seen >= 5


def test_the_document_is_valid_openapi_3_1(app):
    schema = schemathesis.openapi.from_wsgi(DOCUMENT_PATH, app)
    assert schema.raw_schema["openapi"].startswith("3.1.")
    schema.validate()  # raises on anything the OpenAPI 3.1 meta-schema refuses
    # .ok() raises on an operation schemathesis cannot use; it leaves out the document itself.
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert labels == {
        f"{method} {path}" for path, method, _op in _operations(schema.raw_schema) if path != DOCUMENT_PATH
    }


# ------------------------------------------------------------ generated requests (schemathesis)


def _example(doc: dict, path: str, name: str) -> dict:
    return doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"][name]["value"]


@pytest.fixture
def seeded(app, records_system):  # noqa: F811
    """A records system holding every scope, the officer of the document's examples
    (collar number PC1234), and the example crime with its example victim, so that
    requests built from the document's examples succeed."""
    doc = _served(app)
    crime = _example(doc, "/api/v1/crimes", "open")
    with app.app_context():
        officer = db.session.scalar(
            select(StaffMember).where(StaffMember.collar_number == records_system.collar)
        )
        officer.collar_number = crime["officer_in_charge"]
        # The audit of the document's example (number 1), one record judged.
        db.session.add(
            CdiAudit(
                id=1,
                title="Example audit",
                period_start=datetime(2026, 1, 1).date(),
                period_end=datetime(2026, 3, 31).date(),
                seed=1,
                frame_fingerprint="example",
                drawn_by_id=officer.id,
            )
        )
        db.session.flush()
        db.session.add(CdiAuditStratum(audit_id=1, stratum="violence", size=1, frame_size=1))
        record = CdiAuditRecord(audit_id=1, kind="incident", record_id=1, stratum="violence", position=1)
        db.session.add(record)
        db.session.flush()
        db.session.add(
            CdiJudgement(audit_record_id=record.id, answers={}, compliant=True, note="Fine", by_id=officer.id)
        )
        db.session.commit()
        db.session.remove()
    records_system.collar = crime["officer_in_charge"]
    response = records_system.post("/crimes", crime)
    assert response.status_code == 201, response.get_data(as_text=True)
    victim = _example(doc, "/api/v1/crimes/{reference}/victims", "victim")
    response = records_system.post(f"/crimes/{crime['reference']}/victims", victim)
    assert response.status_code == 201, response.get_data(as_text=True)
    response = records_system.post("/incidents", _example(doc, "/api/v1/incidents", "recorded"))
    assert response.status_code == 201, response.get_data(as_text=True)
    # The example crime charged, so that it goes to court, and a referral to the Victim
    # Contact Scheme owed to its victim from the example sentence.
    charge = {"event_id": "RS-E-CHARGE", "kind": "charge", "occurred_at": "2026-01-20T10:00:00Z"}
    response = records_system.post(f"/crimes/{crime['reference']}/events", charge)
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context():
        link = db.session.scalar(select(CrimeVictim).where(CrimeVictim.source_ref == victim["victim_ref"]))
        sentenced = _example(doc, "/api/v1/crimes/{reference}/court-events", "sentence")["occurred_at"]
        entitlements.open_entitlement(link, VCS_RULE, datetime.fromisoformat(sentenced), False)
        db.session.commit()
        db.session.remove()
    return records_system


@pytest.fixture
def roomy_rate_limit(app):
    """More calls than a records system may make in a minute (API_RATE_LIMIT), and
    more tokens than one address may ask for in five (THROTTLE_LIMIT)."""
    before = app.config["API_RATE_LIMIT"], app.config["THROTTLE_LIMIT"]
    app.config["API_RATE_LIMIT"] = app.config["THROTTLE_LIMIT"] = "100000 per minute"
    yield
    app.config["API_RATE_LIMIT"], app.config["THROTTLE_LIMIT"] = before


GENERATED = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    # Each request writes to the database, which is what makes a run slow, not generation.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _run(strategy, call, max_examples: int) -> None:
    @settings(GENERATED, max_examples=max_examples)
    @given(case=strategy)
    def run(case):
        call(case)

    run()


@pytest.mark.parametrize(
    "label", [f"{op.method} {_openapi_path(op.rule)}" for op in OPERATIONS if op.rule != DOCUMENT_PATH]
)
def test_generated_requests_get_the_documented_answers(app, seeded, roomy_rate_limit, label):
    """The document's examples, then valid and invalid requests generated from it:
    every answer is one the document describes for the operation."""
    schema = schemathesis.openapi.from_wsgi(DOCUMENT_PATH, app)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": f"Bearer {seeded.token}"}
    statuses = defaultdict(list)

    def call(kind):
        def send(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[kind].append(response.status_code)

        return send

    for example in operation.get_strategies_from_examples():
        _run(example, call("examples"), max_examples=2)
    _run(operation.as_strategy(GenerationMode.POSITIVE), call("positive"), max_examples=20)
    _run(operation.as_strategy(GenerationMode.NEGATIVE), call("negative"), max_examples=20)
    assert statuses["positive"] and statuses["negative"], label
    if operation.definition.raw.get("security"):
        # The document's examples describe requests that work.
        assert any(200 <= status < 300 for status in statuses["examples"]), (label, dict(statuses))


# ----------------------------------------------------------------------- refused callers


def _example_case(operation, op: dict):
    """The smallest request the document describes for the operation, from its examples:
    one that succeeds for a client holding the scope, once `seeded` has run."""
    path_parameters = {p["name"]: p["example"] for p in op.get("parameters", []) if p["in"] == "path"}
    query = {
        p["name"]: p["schema"]["examples"][0]
        for p in op.get("parameters", [])
        if p["in"] == "query" and p["required"]
    }
    headers = {"Idempotency-Key": str(uuid.uuid4())} if "requestBody" in op else {}
    body = NOT_SET
    if "requestBody" in op:
        examples = op["requestBody"]["content"]["application/json"]["examples"]
        body = next(iter(examples.values()))["value"]
    return operation.Case(path_parameters=path_parameters, query=query, headers=headers, body=body)


def _expired(app, token: str) -> str:
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    return token


def test_operations_refuse_callers_without_a_valid_token_holding_their_scope(app, seeded, roomy_rate_limit):
    """Each operation that needs a scope, called with its example request: 401 and a
    Bearer challenge without a valid token, 403 and insufficient_scope with a token
    lacking the scope, both as problem details the document describes; with the
    scope, the same request succeeds."""
    schema = schemathesis.openapi.from_wsgi(DOCUMENT_PATH, app)
    expired = _expired(app, seeded.fetch_token())
    with app.app_context():
        client, secret = register()
        revoked_client = client.client_id
        db.session.remove()
    revoked = ApiCaller(app, revoked_client, secret).token
    with app.app_context():
        api_clients.revoke(api_clients.by_client_id(revoked_client), None)
        db.session.remove()
    without_token = {
        "no Authorization header": None,
        "an unknown token": "Bearer 9d5KxH0pQ7r-unknown-token",
        "an expired token": f"Bearer {expired}",
        "a revoked client's token": f"Bearer {revoked}",
        "HTTP Basic instead of a bearer token": basic(seeded.client_id, seeded.secret),
        "an empty bearer token": "Bearer ",
    }
    checked = set()
    for path, method, op in _operations(schema.raw_schema):
        if not op["security"]:
            continue
        scope = op["security"][0]["oauth2"][0]
        operation = schema.find_operation_by_label(f"{method} {path}")
        label = operation.label
        for why, authorization in without_token.items():
            case = _example_case(operation, op)
            headers = {"Authorization": authorization} if authorization else None
            response = case.call(headers=headers)
            case.validate_response(response, checks=REFUSAL_CHECKS, headers=headers)
            assert response.status_code == 401, (label, why, response.text)
            challenge = _header(response, "WWW-Authenticate")
            assert challenge.startswith('Bearer realm="trackmycrime"'), (label, why, challenge)
            if authorization not in (None, "Bearer "):
                assert 'error="invalid_token"' in challenge, (label, why, challenge)
            _assert_problem(response, 401, label)
        others = " ".join(s for s in API_SCOPES if s != scope)
        lacking = ApiCaller(app, seeded.client_id, seeded.secret, scope=others).token
        case = _example_case(operation, op)
        headers = {"Authorization": f"Bearer {lacking}"}
        response = case.call(headers=headers)
        case.validate_response(response, checks=REFUSAL_CHECKS, headers=headers)
        assert response.status_code == 403, (label, response.text)
        challenge = _header(response, "WWW-Authenticate")
        assert 'error="insufficient_scope"' in challenge and f'scope="{scope}"' in challenge, (
            label,
            challenge,
        )
        _assert_problem(response, 403, label)
        # The same request with the scope gets through; sent again without the token or
        # with a made-up one, it is refused.
        case = _example_case(operation, op)
        headers = {"Authorization": f"Bearer {seeded.token}"}
        response = case.call(headers=headers)
        assert 200 <= response.status_code < 300, (label, response.text)
        case.validate_response(response, checks=[*REFUSAL_CHECKS, bearer_token_enforced], headers=headers)
        checked.add(op["operationId"])
    assert checked == {
        "put_crime",
        "get_crime",
        "put_victim",
        "post_event",
        "invite_victim",
        "post_information_request",
        "compliance_report",
        "put_incident",
        "get_incident",
        "audit_results",
        "post_court_event",
        "get_court",
        "record_referral",
        "put_property",
        "get_property",
    }


@pytest.fixture
def tight_rate_limit(app):
    """A records system that may make two calls a minute."""
    before = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "2 per minute"
    yield
    app.config["API_RATE_LIMIT"] = before


def test_rate_limited_calls_get_the_documented_answer(app, seeded, tight_rate_limit):
    schema = schemathesis.openapi.from_wsgi(DOCUMENT_PATH, app)
    doc = schema.raw_schema
    # A client over its own limit (API_RATE_LIMIT).
    operation = schema.find_operation_by_label("GET /api/v1/crimes/{reference}")
    headers = {"Authorization": f"Bearer {seeded.token}"}
    answers = []
    for _ in range(3):
        case = _example_case(operation, doc["paths"]["/api/v1/crimes/{reference}"]["get"])
        response = case.call(headers=headers)
        case.validate_response(response, checks=REFUSAL_CHECKS, headers=headers)
        answers.append(response.status_code)
    assert answers == [200, 200, 429]
    assert int(_header(response, "Retry-After")) >= 1
    _assert_problem(response, 429, operation.label)
    # The token endpoint's own limit, per address (THROTTLE_LIMIT).
    operation = schema.find_operation_by_label("POST /api/v1/oauth/token")
    for _ in range(20):
        case = operation.Case(
            body={"grant_type": "client_credentials"}, media_type="application/x-www-form-urlencoded"
        )
        headers = {"Authorization": basic(seeded.client_id, "not-the-secret")}
        response = case.call(headers=headers)
        case.validate_response(response, checks=REFUSAL_CHECKS, headers=headers)
        if response.status_code != 401:
            break
    assert response.status_code == 429
    assert int(_header(response, "Retry-After")) >= 1
    _assert_problem(response, 429, operation.label)
