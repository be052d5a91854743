"""A records system records a request to a third party for information about a victim:
the same notice, due the same day, as when an officer records it in the back office; bad
input refused with the field named and nothing kept; the same request_id, or the same
Idempotency-Key, again changes nothing."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import Entitlement, InformationRequest
from tests.api_helpers import crime_body, victim_body

# Sent on Monday 7 December 2026 at 10:00, whenever the suite runs.
pytestmark = pytest.mark.time_machine(datetime(2026, 12, 7, 10, tzinfo=UTC), tick=True)

PATH = "/crimes/IR-2001/victims/V1/information-requests"


def request_body(**changes) -> dict:
    body = {
        "request_id": "IR-1",
        "recipient": {"kind": "doctor", "name": "Park Road Surgery"},
        "information_sought": "Your GP's notes of the injuries you were seen for on 3 December.",
        "purpose": "To show the court how badly you were hurt.",
        "handling": "Kept with the case file; shared only with the Crown Prosecution Service.",
        "requested_at": "2026-12-07T09:00:00Z",
        **changes,
    }
    return body


def _held(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(InformationRequest)) or 0,
            db.session.scalar(
                select(func.count()).select_from(Entitlement).where(Entitlement.rule == "info_request_notice")
            )
            or 0,
        )


@pytest.fixture
def pushed(records_system):
    assert records_system.post("/crimes", crime_body("IR-2001", records_system.collar)).status_code == 201
    assert records_system.post("/crimes/IR-2001/victims", victim_body("V1")).status_code == 201
    return records_system


def test_a_request_opens_the_written_notice_due_by_the_end_of_its_day(app, pushed):
    answer = pushed.post(PATH, request_body(), key="ir-1")
    assert answer.status_code == 201, answer.get_json()
    out = answer.get_json()
    assert out["result"] == "created"
    assert out["information_request"] == {
        "request_id": "IR-1",
        "recipient_kind": "doctor",
        "requested_at": "2026-12-07T09:00:00Z",
        "notice_to": "victim",
        "notice": {"due_at": "2026-12-07T23:59:59Z", "status": "pending", "met_at": None, "way": None},
    }
    # The crime's entitlements, read back, hold it too.
    victim = pushed.get("/crimes/IR-2001").get_json()["victims"][0]
    [notice] = [e for e in victim["entitlements"] if e["rule"] == "info_request_notice"]
    assert (notice["due_at"], notice["status"]) == ("2026-12-07T23:59:59Z", "pending")

    # The same key again: the same answer, replayed; the same request_id with a new key:
    # unchanged. Either way nothing more is kept.
    again = pushed.post(PATH, request_body(), key="ir-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == answer.get_data()
    same = pushed.post(PATH, request_body(), key="ir-2")
    assert same.status_code == 200 and same.get_json()["result"] == "unchanged"
    assert _held(app) == (1, 1)
    # The same request_id for another recipient is a conflict.
    other = pushed.post(PATH, request_body(recipient={"kind": "school", "name": "Hill School"}))
    assert other.status_code == 409
    assert _held(app) == (1, 1)


def test_a_child_s_request_names_the_parent_and_a_victim_not_safe_to_contact_a_safe_route(app, pushed):
    assert (
        pushed.post(
            "/crimes/IR-2001/victims",
            victim_body("C1", name="Ellie Hughes", date_of_birth=date(2012, 3, 14).isoformat()),
        ).status_code
        == 201
    )
    child = "/crimes/IR-2001/victims/C1/information-requests"
    refused = pushed.post(child, request_body(request_id="IR-C"))
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["pointer"] == "/guardian"
    made = pushed.post(
        child, request_body(request_id="IR-C", guardian={"name": "Dana Hughes", "relationship": "parent"})
    )
    assert made.status_code == 201
    assert made.get_json()["information_request"]["notice_to"] == "guardian"

    plan = {
        "frequency_days": 28,
        "channel": "email",
        "language": "en",
        "safe_to_contact": False,
        "opted_out": False,
    }
    assert pushed.post("/crimes/IR-2001/victims", victim_body("V1", contact_plan=plan)).status_code == 200
    held = _held(app)
    refused = pushed.post(PATH, request_body(request_id="IR-S"))
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["pointer"] == "/safe_route"
    assert _held(app) == held
    made = pushed.post(PATH, request_body(request_id="IR-S", safe_route={"route": "in_person"}))
    assert made.status_code == 201
    assert made.get_json()["information_request"]["notice"]["status"] == "pending"


@pytest.mark.parametrize(
    ("changes", "status", "pointer"),
    [
        ({"recipient": None}, 422, "/recipient"),
        ({"recipient": {"kind": "neighbour", "name": "Next door"}}, 422, "/recipient/kind"),
        ({"recipient": {"kind": "school", "name": "   "}}, 422, "/recipient/name"),
        ({"information_sought": ""}, 422, "/information_sought"),
        ({"requested_at": "2026-12-08T09:00:00Z"}, 422, "/requested_at"),
        ({"requested_at": "2026-11-01T09:00:00Z"}, 422, "/requested_at"),
        ({"requested_at": "7 December"}, 422, "/requested_at"),
        ({"guardian": {"name": "Sam Jones", "relationship": "parent"}}, 422, "/guardian"),
        ({"safe_route": {"route": "carrier_pigeon"}}, 422, "/safe_route/route"),
        ({"colour": "blue"}, 422, "/colour"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_kept(app, pushed, changes, status, pointer):
    body = {key: value for key, value in request_body(**changes).items() if value is not None}
    answer = pushed.post(PATH, body)
    assert answer.status_code == status, answer.get_json()
    assert pointer in [error["pointer"] for error in answer.get_json()["errors"]]
    assert _held(app) == (0, 0)


def test_unknown_crime_or_victim_is_404(app, pushed):
    assert pushed.post("/crimes/IR-9999/victims/V1/information-requests", request_body()).status_code == 404
    assert pushed.post("/crimes/IR-2001/victims/V9/information-requests", request_body()).status_code == 404
    assert _held(app) == (0, 0)
