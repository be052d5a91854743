"""The OpenAPI links: what POST /crimes answers names the crime the next calls take (read
it, add a victim, add an event), and what adding a victim answers names the victim to
invite. A client follows them as written in the document and each call is answered."""

import uuid
from urllib.parse import quote

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from api.openapi import document
from tests.api_helpers import crime_body, victim_body

PATHS = {
    "get_crime": ("get", "/crimes/{reference}"),
    "put_victim": ("post", "/crimes/{reference}/victims"),
    "post_event": ("post", "/crimes/{reference}/events"),
    "invite_victim": ("post", "/crimes/{reference}/victims/{victim_ref}/invitation"),
    "put_property": ("post", "/crimes/{reference}/property"),
    "get_property": ("get", "/crimes/{reference}/property"),
    "post_information_request": ("post", "/crimes/{reference}/victims/{victim_ref}/information-requests"),
}


def _links(doc: dict, path: str, status: str) -> dict:
    return doc["paths"]["/api/v1" + path]["post"]["responses"][status]["links"]


def _resolve(expression: str, request_path: dict, body: dict) -> str:
    if expression.startswith("$request.path."):
        return request_path[expression.removeprefix("$request.path.")]
    assert expression.startswith("$response.body#/"), expression
    value = body
    for part in expression.removeprefix("$response.body#/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def test_recording_a_crime_links_to_every_operation_that_takes_its_reference(app):
    with app.test_request_context():
        doc = document()
    for status in ("201", "200"):
        assert set(_links(doc, "/crimes", status)) == {
            "get_crime",
            "put_victim",
            "post_event",
            "put_property",
            "get_property",
        }
        assert set(_links(doc, "/crimes/{reference}/victims", status)) == {
            "get_crime",
            "invite_victim",
            "post_information_request",
        }
    operation_ids = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    for path in ("/crimes", "/crimes/{reference}/victims"):
        for link in _links(doc, path, "201").values():
            assert link["operationId"] in operation_ids


def test_a_client_follows_the_links_from_a_new_crime_to_an_invitation(app, records_system):
    with app.test_request_context():
        doc = document()
    created = records_system.post("/crimes", crime_body("LK/2026/00001", records_system.collar))
    assert created.status_code == 201
    answers = {}
    for target, link in _links(doc, "/crimes", "201").items():
        values = {name: _resolve(expr, {}, created.get_json()) for name, expr in link["parameters"].items()}
        assert values == {"reference": "LK/2026/00001"}
        method, template = PATHS[target]
        path = template.format(**{k: quote(v, safe="/") for k, v in values.items()})
        if method == "get":
            answers[target] = records_system.get(path)
        elif target == "put_victim":
            answers[target] = records_system.post(path, victim_body("L1"))
    assert answers["get_crime"].status_code == 200
    assert answers["get_crime"].get_json()["reference"] == "LK/2026/00001"
    assert answers["get_property"].get_json() == {"items": []}
    added = answers["put_victim"]
    assert added.status_code == 201
    link = _links(doc, "/crimes/{reference}/victims", "201")["invite_victim"]
    values = {
        name: _resolve(expr, {"reference": "LK/2026/00001"}, added.get_json())
        for name, expr in link["parameters"].items()
    }
    assert values == {"reference": "LK/2026/00001", "victim_ref": "L1"}
    invited = records_system.post(PATHS["invite_victim"][1].format(**values), {})
    assert invited.status_code == 201, invited.get_json()


def test_stateful_sequences_along_the_links_never_get_a_server_error(app, records_system):
    """schemathesis's state machine chains calls along the document's links (record a
    crime, then read it, add a victim, an event, invite her), bounded: no 5xx, and every
    answer's status is one the document describes."""
    # The test's copy of the document names as officer in charge only the officer the
    # force has, and times in the order a crime has them, so that generated crimes are
    # recorded and the chains go on from them.
    times = crime_body("unused", records_system.collar)

    def before_load_schema(ctx, raw_schema):
        crime = raw_schema["components"]["schemas"]["CrimeIn"]["properties"]
        crime["officer_in_charge"]["enum"] = [records_system.collar]
        for name in ("occurred_at", "reported_at", "recorded_at"):
            crime[name]["enum"] = [times[name]]
        crime["incident"] = {"type": "null"}

    schemathesis.hook(before_load_schema)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    finally:
        schemathesis.hooks.unregister(before_load_schema)
    headers = {"Authorization": f"Bearer {records_system.token}"}
    base = schema.as_state_machine()
    answered = []

    class Links(base):  # type: ignore[misc,valid-type]
        def before_call(self, case):
            # A client sends a new key with each new POST (the tool leaves the header out).
            key = {"Idempotency-Key": str(uuid.uuid4())} if case.method.upper() == "POST" else {}
            case.headers = {**key, **(case.headers or {}), **headers}

        def after_call(self, response, case):
            answered.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])

    before = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    try:
        run_state_machine_as_test(
            Links,
            settings=settings(
                max_examples=10,
                stateful_step_count=5,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        app.config["API_RATE_LIMIT"] = before
    # The machine recorded crimes and went on along the links from them.
    assert any(label == "POST /api/v1/crimes" and status < 300 for label, status in answered), answered
    # An operation on a crime's reference found the crime (anything but 404): the
    # reference came from a recorded crime along a link.
    followed = {label for label, status in answered if status != 404}
    assert any(label.split(" ", 1)[1].startswith("/api/v1/crimes/{reference}") for label in followed), (
        answered
    )
    assert all(status < 500 for _label, status in answered)
