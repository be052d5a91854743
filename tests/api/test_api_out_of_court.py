"""An out-of-court outcome pushed by a records system carries the capture the back office
requires: the victim's views (or why not), the offender-history check, the admission and
the approving sergeant. Without it, or with it incomplete, the push is refused with 422
naming the field and nothing is saved; the OpenAPI document says the same."""

from datetime import UTC, datetime

import jsonschema_rs
import pytest
from sqlalchemy import func, select

from api.openapi import EXAMPLE_CAPTURE, document
from shared.extensions import db
from shared.models import AuditEvent, Crime, OutOfCourtCapture, StaffMember, StaffRole
from tests.api.test_api_records import create, crime_row, fresh, later, ok, pointers, problem
from tests.api_helpers import crime_body

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)


def _captures() -> list[OutOfCourtCapture]:
    fresh()
    return list(db.session.scalars(select(OutOfCourtCapture).order_by(OutOfCourtCapture.id)))


def _disposal(body: dict, outcome: int = 8, **capture) -> dict:
    closed = later(body, outcome=outcome, out_of_court={**EXAMPLE_CAPTURE, **capture})
    closed.pop("stage")
    return closed


def test_a_community_resolution_is_kept_with_its_capture_and_a_changed_capture_as_history(app, ctx, api):
    body = create(api)
    closed = _disposal(body)
    written = ok(api.post("/crimes", closed))
    assert (written["result"], written["crime"]["outcome"]) == ("updated", 8)
    sergeant = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == api.sergeant_collar))
    [kept] = _captures()
    assert (kept.crime_id, kept.outcome, kept.approved_by_id, kept.recorded_by_id) == (
        crime_row(body["reference"]).id,
        8,
        sergeant.id,
        None,
    )
    assert (kept.views_sought, kept.history_checked, kept.admission) == (True, True, "yes")
    assert kept.victim_views == EXAMPLE_CAPTURE["victim_views"]

    # The same again changes nothing; a corrected capture is kept beside the first.
    assert ok(api.post("/crimes", later(closed)))["result"] == "unchanged"
    corrected = later(closed, minutes=2)
    corrected["out_of_court"] = {
        **EXAMPLE_CAPTURE,
        "views_sought": False,
        "victim_views": None,
        "views_not_sought_reason": "The victim could not be reached in time.",
    }
    assert ok(api.post("/crimes", corrected))["result"] == "updated"
    first, second = _captures()
    assert (first.views_sought, second.views_sought) == (True, False)
    assert second.views_not_sought_reason == "The victim could not be reached in time."
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "crime.out_of_court_capture")) == 1
    )


def test_a_new_crime_closed_by_a_caution_comes_with_its_capture(app, ctx, api):
    body = crime_body("NX/2026/770001", api.collar, stage=None, outcome=3, out_of_court=EXAMPLE_CAPTURE)
    assert ok(api.post("/crimes", body), 201)["crime"]["outcome"] == 3
    assert [capture.outcome for capture in _captures()] == [3]


@pytest.mark.parametrize(
    ("why", "change", "pointer"),
    [
        ("no capture", {"out_of_court": None}, "/out_of_court"),
        ("views sought, not given", {"victim_views": None}, "/out_of_court/victim_views"),
        (
            "views not sought, no reason",
            {"views_sought": False, "victim_views": None},
            "/out_of_court/views_not_sought_reason",
        ),
        ("history checked, nothing found said", {"history_summary": None}, "/out_of_court/history_summary"),
        ("blank views", {"victim_views": "   "}, "/out_of_court/victim_views"),
        ("no admission", {"admission": "perhaps"}, "/out_of_court/admission"),
        ("no sergeant", {"approved_by": None}, "/out_of_court/approved_by"),
        ("an unknown sergeant", {"approved_by": "NOBODY9"}, "/out_of_court/approved_by"),
    ],
)
def test_a_disposal_without_its_full_capture_is_refused_and_nothing_saved(
    app, ctx, api, why, change, pointer
):
    body = create(api)
    if "out_of_court" in change:
        closed = _disposal(body)
        closed["out_of_court"] = None
    else:
        closed = _disposal(body, **change)
    refused = problem(api.post("/crimes", closed), 422)
    assert pointer in pointers(refused), (why, refused)
    row = crime_row(body["reference"])
    assert (row.outcome, row.stage) == (None, body["stage"])
    assert _captures() == []


def test_the_approver_is_an_active_sergeant_other_than_the_officer_in_charge(app, ctx, api):
    body = create(api)
    officer = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == api.collar))
    ddm = api.ddm_collar
    for collar in (api.collar, ddm):
        refused = problem(api.post("/crimes", _disposal(body, approved_by=collar)), 422)
        assert pointers(refused) == ["/out_of_court/approved_by"]
    # A sergeant in charge of the crime cannot approve their own disposal.
    officer.role_rows.append(StaffRole(role="supervisor"))
    db.session.commit()
    refused = problem(api.post("/crimes", _disposal(body, approved_by=api.collar)), 422)
    assert "other than the officer in charge" in refused["errors"][0]["detail"]
    assert crime_row(body["reference"]).outcome is None and _captures() == []


def test_only_an_out_of_court_outcome_carries_a_capture(app, ctx, api):
    body = create(api)
    refused = problem(api.post("/crimes", _disposal(body, outcome=14)), 422)
    assert pointers(refused) == ["/out_of_court"]
    assert crime_row(body["reference"]).outcome is None


def test_the_document_states_the_capture_rules_the_api_keeps(app, ctx, api):
    with app.test_request_context():
        doc = document()
    schema = jsonschema_rs.validator_for(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/components/schemas/CrimeIn",
            "components": doc["components"],
        }
    )
    crimes = doc["paths"]["/api/v1/crimes"]["post"]
    assert "community_resolution" in crimes["requestBody"]["content"]["application/json"]["examples"]
    rules = {rule["pointer"] for rule in crimes["responses"]["422"]["x-rules"]}
    assert "/out_of_court/approved_by" in rules
    good = crime_body("NX/2026/770100", api.collar, stage=None, outcome=8, out_of_court=EXAMPLE_CAPTURE)
    bodies = {
        "complete": good,
        "a disposal without capture": {**good, "out_of_court": None},
        "left out": {k: v for k, v in good.items() if k != "out_of_court"},
        "views sought, not given": {**good, "out_of_court": {**EXAMPLE_CAPTURE, "victim_views": None}},
        "not sought, no reason": {**good, "out_of_court": {**EXAMPLE_CAPTURE, "views_sought": False}},
        "not sought, with reason": {
            **good,
            "out_of_court": {
                **EXAMPLE_CAPTURE,
                "views_sought": False,
                "views_not_sought_reason": "Unreachable",
            },
        },
        "history unchecked": {
            **good,
            "out_of_court": {**EXAMPLE_CAPTURE, "history_checked": False, "history_summary": None},
        },
        "history checked, nothing said": {
            **good,
            "out_of_court": {**EXAMPLE_CAPTURE, "history_summary": None},
        },
        "another outcome with a capture": {**good, "outcome": 14},
    }
    for n, (why, body) in enumerate(bodies.items()):
        body = {**body, "reference": f"NX/2026/7702{n:02d}"}
        response = api.post("/crimes", body)
        assert schema.is_valid(body) == (response.status_code == 201), (why, response.get_json())
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Crime)) == 3
