"""What the OpenAPI document says a request may be is what the API takes: the rules that
tie one field to another are in the schema (so a request the schema allows is not refused
for them, and one it refuses is not taken); the rules JSON Schema cannot state are listed
under `x-rules` in the operation's 422, by the field a refusal points at; numbers, text
and identifiers are read as the schema reads them; and a method the path does not take is
answered with the path's documented methods in `Allow`."""

from datetime import UTC, datetime

import jsonschema_rs
import pytest
from sqlalchemy import func, select

from api.openapi import document
from shared.extensions import db
from shared.models import Crime, CrimeVictim
from tests.api_helpers import crime_body, records_system, victim_body  # noqa: F401

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)


def _schema(app, model: str):
    with app.test_request_context():
        doc = document()
    return jsonschema_rs.validator_for(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": f"#/components/schemas/{model}",
            "components": doc["components"],
        }
    )


def _crimes() -> int:
    return db.session.scalar(select(func.count()).select_from(Crime))


# ------------------------------------------------------- cross-field rules in the schema


def test_the_crime_schema_states_the_stage_and_outcome_rules_the_api_keeps(app, records_system):  # noqa: F811
    schema = _schema(app, "CrimeIn")
    collar = records_system.collar
    bodies = {
        "neither stage nor outcome": crime_body("DR/2026/0001", collar, stage=None),
        "a closing outcome with a stage": crime_body("DR/2026/0002", collar, outcome=14),
        "charged, at an investigation stage": crime_body("DR/2026/0003", collar, outcome=1),
        "closed with its outcome": crime_body("DR/2026/0004", collar, stage=None, outcome=14),
        "charged, at court": crime_body("DR/2026/0005", collar, stage="at_court", outcome=1),
        "open at a stage": crime_body("DR/2026/0006", collar),
    }
    for why, body in bodies.items():
        response = records_system.post("/crimes", body)
        allowed = schema.is_valid(body)
        # The schema and the API agree on each.
        assert allowed == (response.status_code == 201), (why, allowed, response.get_json())
        if not allowed:
            assert response.status_code == 422
            assert response.get_json()["errors"][0]["pointer"] == "/stage"
    with app.app_context():
        assert _crimes() == 3


def test_the_event_schema_asks_for_a_cancellation_for_and_only_for_a_cancelled_event(app):
    schema = _schema(app, "EventIn")
    event = {"event_id": "E1", "kind": "arrest", "occurred_at": "2026-11-01T10:00:00Z"}
    cancellation = {"reason": "C1", "evidence": "Duplicate of NX/2026/1", "authorised_by": "DDM1"}
    assert schema.is_valid(event)
    assert not schema.is_valid({**event, "cancellation": cancellation})
    assert not schema.is_valid({**event, "kind": "cancelled"})
    assert not schema.is_valid({**event, "kind": "cancelled", "cancellation": None})
    assert schema.is_valid({**event, "kind": "cancelled", "cancellation": cancellation})


def test_the_n100_schema_asks_for_its_resolution_and_when_together(app):
    schema = _schema(app, "N100In")
    assert schema.is_valid({})
    assert schema.is_valid({"resolution": None, "resolved_at": None})
    assert not schema.is_valid({"resolved_at": "2026-01-13T09:30:00Z"})
    with app.test_request_context():
        resolutions = document()["components"]["schemas"]["N100In"]["properties"]["resolution"]
    resolution = next(option["enum"][0] for option in resolutions["anyOf"] if "enum" in option)
    assert not schema.is_valid({"resolution": resolution})
    assert schema.is_valid({"resolution": resolution, "resolved_at": "2026-01-13T09:30:00Z"})


def test_text_that_is_only_space_is_refused_by_the_schema_as_by_the_api(app, records_system):  # noqa: F811
    schema = _schema(app, "VictimIn")
    body = victim_body("DR1", name="   ")
    assert not schema.is_valid(body)
    records_system.post("/crimes", crime_body("DR/2026/0010", records_system.collar))
    response = records_system.post("/crimes/DR/2026/0010/victims", body)
    assert response.status_code == 422


# --------------------------------------------------------- rules JSON Schema cannot state


def test_each_write_lists_the_rules_its_422_may_name(app, records_system):  # noqa: F811
    with app.test_request_context():
        doc = document()
    paths = doc["paths"]
    rules = paths["/api/v1/crimes"]["post"]["responses"]["422"]["x-rules"]
    assert {"pointer": "/officer_in_charge"}.items() <= rules[0].items()
    assert all(rule["rule"] for rule in rules)
    for path, operation_id in (
        ("/api/v1/crimes/{reference}/victims", "put_victim"),
        ("/api/v1/crimes/{reference}/events", "post_event"),
        ("/api/v1/crimes/{reference}/victims/{victim_ref}/information-requests", "post_information_request"),
        ("/api/v1/incidents", "put_incident"),
        ("/api/v1/reports/compliance", "compliance_report"),
    ):
        operation = next(iter(paths[path].values()))
        assert operation["operationId"] == operation_id
        assert operation["responses"]["422"]["x-rules"], path
    # A crime the schema allows, for an officer the force does not have: refused with 422
    # naming the field of a listed rule, and nothing saved.
    body = crime_body("DR/2026/0020", "NOBODY99")
    assert _schema(app, "CrimeIn").is_valid(body)
    response = records_system.post("/crimes", body)
    assert response.status_code == 422
    pointers = {error["pointer"] for error in response.get_json()["errors"]}
    assert pointers <= {rule["pointer"] for rule in rules}
    with app.app_context():
        assert _crimes() == 0


# ------------------------------------------------------ values read as the schema reads them


def test_an_outcome_written_as_a_whole_decimal_is_the_whole_number(app, records_system):  # noqa: F811
    """JSON Schema's integer takes 14.0 as it takes 14; a fraction or a string is refused."""
    collar = records_system.collar
    response = records_system.post("/crimes", crime_body("DR/2026/0030", collar, stage=None, outcome=14.0))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["crime"]["outcome"] == 14
    for outcome in (14.5, "14"):
        body = crime_body("DR/2026/0031", collar, stage=None, outcome=outcome)
        assert records_system.post("/crimes", body).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Crime.outcome).where(Crime.reference == "DR/2026/0030")) == 14
        assert _crimes() == 1


def test_text_longer_than_the_schema_allows_is_refused_even_when_the_rest_is_space(app, records_system):  # noqa: F811
    records_system.post("/crimes", crime_body("DR/2026/0040", records_system.collar))
    body = victim_body("DR40", name="Alex Jones" + " " * 200)
    assert not _schema(app, "VictimIn").is_valid(body)
    response = records_system.post("/crimes/DR/2026/0040/victims", body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/name"
    needs = victim_body("DR41", communication_needs="Large print" + "\f" * 2000)
    assert records_system.post("/crimes/DR/2026/0040/victims", needs).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CrimeVictim)) == 0


def test_an_identifier_is_taken_as_sent_as_its_pattern_says(app, records_system):  # noqa: F811
    """The collar number's pattern has no space: one sent with space around it is refused,
    not stripped and taken."""
    body = crime_body("DR/2026/0050", f" {records_system.collar} ")
    assert not _schema(app, "CrimeIn").is_valid(body)
    response = records_system.post("/crimes", body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/officer_in_charge"
    with app.app_context():
        assert _crimes() == 0


# ---------------------------------------------------------------------------- methods


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/crimes/NX/2026/001234/victims", {"POST", "OPTIONS"}),
        ("/crimes/NX/2026/001234/events", {"POST", "OPTIONS"}),
        ("/crimes/NX/2026/001234/victims/V1/invitation", {"POST", "OPTIONS"}),
        ("/crimes/NX/2026/001234", {"GET", "HEAD", "OPTIONS"}),
        ("/crimes", {"POST", "OPTIONS"}),
    ],
)
def test_a_method_the_path_does_not_take_is_answered_with_its_documented_methods(
    app,
    records_system,  # noqa: F811
    path,
    methods,
):
    """A crime reference may hold slashes, so `/crimes/X/victims` is also the shape of
    `/crimes/{reference}`: `Allow` still lists the methods of the path the document gives
    it, on a 405 and on OPTIONS."""
    refused = records_system.raw("delete", path, headers=records_system.headers())
    assert refused.status_code == 405
    assert refused.mimetype == "application/problem+json"
    assert set(refused.headers["Allow"].split(", ")) == methods
    options = records_system.raw("options", path, headers=records_system.headers())
    assert set(options.headers["Allow"].split(", ")) == methods
