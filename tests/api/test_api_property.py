"""Property through the API: items pushed by the records system, kept as the back office
keeps them; impossible dates, an unknown status or a victim of no one refused with the
field named and nothing saved; the same item twice is one item."""

from datetime import UTC, datetime

import jsonschema_rs
import pytest
from sqlalchemy import func, select

from api.openapi import document
from shared.extensions import db
from shared.models import AuditEvent, PropertyItem, PropertyNote
from tests.api_helpers import crime_body, records_system, victim_body  # noqa: F401

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)

REF = "NX/2026/7001"
PATH = "/crimes/NX%2F2026%2F7001/property"


def item_body(item_ref: str = "P-1", **changes) -> dict:
    body = {
        "item_ref": item_ref,
        "kind": "stolen",
        "description": "Silver laptop",
        "victim_ref": "V1",
        "value_pence": 85000,
        "status": "held",
        "held_at": "2026-11-29T10:00:00Z",
        "return_details": "Collect it from the front desk.",
        "officer_note": "Exhibit JD/1: lab has it until January.",
        "updated_at": "2026-11-29T10:00:00Z",
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


@pytest.fixture
def crime_with_victim(records_system):  # noqa: F811
    assert records_system.post("/crimes", crime_body(REF, records_system.collar)).status_code == 201
    assert (
        records_system.post(f"/crimes/{REF.replace('/', '%2F')}/victims", victim_body("V1")).status_code
        == 201
    )
    return records_system


def _items(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PropertyItem))


def test_an_item_is_added_then_brought_up_to_date_and_read_back(app, crime_with_victim):
    api = crime_with_victim
    added = api.post(PATH, item_body())
    assert added.status_code == 201, added.get_json()
    item = added.get_json()["item"]
    assert (item["item_ref"], item["victim_ref"], item["status"]) == ("P-1", "V1", "held")
    assert item["officer_note"] == "Exhibit JD/1: lab has it until January."
    # The same version again changes nothing; an older one is ignored.
    assert api.post(PATH, item_body()).get_json()["result"] == "unchanged"
    older = api.post(PATH, item_body(status="returned", updated_at="2026-11-28T10:00:00Z"))
    assert older.get_json()["result"] == "ignored_older"
    returned = api.post(
        PATH,
        item_body(status="returned", returned_at="2026-11-30T15:00:00Z", updated_at="2026-11-30T15:00:00Z"),
    )
    assert returned.status_code == 200
    assert returned.get_json()["result"] == "updated"
    listed = api.get(PATH)
    assert listed.status_code == 200
    assert [(i["item_ref"], i["status"]) for i in listed.get_json()["items"]] == [("P-1", "returned")]
    assert _items(app) == 1
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_type == "property_item").order_by(AuditEvent.id)
        ).all()
        assert actions == ["property.record", "api.older_ignored", "property.change"]


@pytest.mark.parametrize(
    ("why", "changes", "pointer"),
    [
        (
            "given back before the police had it",
            {"status": "returned", "returned_at": "2026-11-28T10:00:00Z"},
            "/returned_at",
        ),
        ("taken in before the crime happened", {"held_at": "2026-10-01T10:00:00Z"}, "/held_at"),
        ("taken in in the future", {"held_at": "2026-12-24T10:00:00Z"}, "/held_at"),
        (
            "disposed of in the future",
            {"status": "disposed", "disposed_at": "2027-01-05T10:00:00Z"},
            "/disposed_at",
        ),
        ("a victim the crime does not have", {"victim_ref": "V9"}, "/victim_ref"),
        ("an unknown status", {"status": "lost_in_the_post"}, "/status"),
        ("a returned item without the date", {"status": "returned"}, "/returned_at"),
        ("a date for a status it does not have", {"disposed_at": "2026-11-30T10:00:00Z"}, "/disposed_at"),
        (
            "a found item the police do not have",
            {"kind": "found", "status": "not_held", "held_at": None},
            "/status",
        ),
        ("a negative value", {"value_pence": -1}, "/value_pence"),
    ],
)
def test_impossible_items_are_refused_with_the_field_and_nothing_saved(
    app, crime_with_victim, why, changes, pointer
):
    response = crime_with_victim.post(PATH, item_body(**changes))
    assert response.status_code == 422, (why, response.get_json())
    pointers = [error["pointer"] for error in response.get_json().get("errors") or []]
    assert pointer in pointers or any(p.startswith(pointer) for p in pointers), (why, pointers)
    assert _items(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PropertyNote)) == 0


def test_a_change_refused_leaves_the_item_as_it_was(app, crime_with_victim):
    api = crime_with_victim
    assert api.post(PATH, item_body()).status_code == 201
    refused = api.post(
        PATH,
        item_body(
            status="returned",
            returned_at="2026-11-20T10:00:00Z",
            officer_note="Changed note",
            updated_at="2026-11-30T10:00:00Z",
        ),
    )
    assert refused.status_code == 422
    with app.app_context():
        item = db.session.scalar(select(PropertyItem))
        assert (item.status, item.returned_at) == ("held", None)
        assert db.session.scalar(select(PropertyNote.text)) == "Exhibit JD/1: lab has it until January."


def test_property_of_an_unknown_crime_is_404(crime_with_victim):
    assert crime_with_victim.post("/crimes/NX%2F2026%2F9999/property", item_body()).status_code == 404
    assert crime_with_victim.get("/crimes/NX%2F2026%2F9999/property").status_code == 404


def test_the_property_schema_states_the_status_rules_the_api_keeps(app, crime_with_victim):
    with app.test_request_context():
        doc = document()
    schema = jsonschema_rs.validator_for(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/components/schemas/PropertyIn",
            "components": doc["components"],
        }
    )
    bodies = {
        "held with its date": item_body("S-1"),
        "held without its date": item_body("S-2", held_at=None),
        "not held, with a date taken in": item_body("S-3", status="not_held"),
        "returned without its date": item_body("S-4", status="returned"),
        "returned with its date": item_body("S-5", status="returned", returned_at="2026-11-30T10:00:00Z"),
        "disposed of, with a date given back": item_body(
            "S-6", status="disposed", disposed_at="2026-11-30T10:00:00Z", returned_at="2026-11-30T10:00:00Z"
        ),
        "found, not held": item_body("S-7", kind="found", status="not_held", held_at=None),
        "damaged, not held": item_body("S-8", kind="damaged", status="not_held", held_at=None),
    }
    for why, body in bodies.items():
        response = crime_with_victim.post(PATH, body)
        allowed = schema.is_valid(body)
        assert allowed == (response.status_code == 201), (why, allowed, response.get_json())
    assert _items(app) == 3
