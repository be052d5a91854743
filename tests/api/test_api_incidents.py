"""A records system pushes incidents through `/api/v1/incidents`: created the first
time, brought up to date after that, an older version ignored, the same key with a
different body refused, an unknown crime link refused with nothing changed; crimes
name their incident and are grouped under its principal crime."""

import itertools
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, Crime, Incident
from tests.api_helpers import crime_body

_refs = itertools.count(1)


def _ref(prefix: str) -> str:
    return f"{prefix}/{next(_refs):06d}"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    return json.loads(response.get_data())


def incident_body(reference: str, **changes) -> dict:
    received = datetime.now(UTC) - timedelta(days=3)
    body = {
        "reference": reference,
        "received_at": received.isoformat(),
        "route": "control_room",
        "disclosed_crime": True,
        "closing_code": "crime_recorded",
        "updated_at": (received + timedelta(hours=2)).isoformat(),
    }
    body.update(changes)
    return body


def _incident(reference: str) -> Incident:
    db.session.expire_all()
    return db.session.scalar(select(Incident).where(Incident.reference == reference))


def test_an_incident_groups_its_crimes_under_the_principal_one_and_reads_back(app, api):
    stalking, damage = _ref("43"), _ref("43")
    assert api.post("/crimes", crime_body(stalking, api.collar, offence="stalking")).status_code == 201
    assert api.post("/crimes", crime_body(damage, api.collar, offence="criminal_damage")).status_code == 201
    reference = _ref("INC")
    body = incident_body(reference, crimes=[damage, stalking], principal_crime=stalking)

    response = api.post("/incidents", body)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Location"] == "/api/v1/incidents/" + reference.replace("/", "%2F")
    written = response.get_json()
    assert written["result"] == "created"
    assert [(c["reference"], c["principal"]) for c in written["incident"]["crimes"]] == [
        (stalking, True),
        (damage, False),
    ]
    assert written["incident"]["offence_group"] == "violence"
    with app.app_context():
        incident = _incident(reference)
        crimes = {
            c.reference: c for c in db.session.scalars(select(Crime).where(Crime.incident_id == incident.id))
        }
        assert crimes[damage].principal_crime_id == crimes[stalking].id
        assert crimes[stalking].principal_crime_id is None
        assert incident.team_id == crimes[stalking].team_id
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "incident.create", AuditEvent.record_id == str(incident.id)
            )
        )
    read = api.get(f"/incidents/{reference}")
    assert read.status_code == 200 and read.get_json() == written["incident"]
    assert api.get(f"/crimes/{damage}").get_json()["incident"] == reference

    # The same incident again changes nothing; an older version is ignored.
    assert api.post("/incidents", body).get_json()["result"] == "unchanged"
    older = incident_body(
        reference, crimes=[damage], updated_at=(datetime.now(UTC) - timedelta(days=5)).isoformat()
    )
    assert api.post("/incidents", older).get_json()["result"] == "ignored_older"
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Crime.id)).where(Crime.incident_id == _incident(reference).id)
            )
            == 2
        )


def test_a_crime_naming_its_incident_is_linked_under_the_incidents_principal_crime(app, api):
    reference = _ref("INC")
    assert api.post("/incidents", incident_body(reference)).status_code == 201
    first, second = _ref("43"), _ref("43")
    assert api.post("/crimes", crime_body(first, api.collar, incident=reference)).status_code == 201
    assert api.post("/crimes", crime_body(second, api.collar, incident=reference)).status_code == 201
    crimes = api.get(f"/incidents/{reference}").get_json()["crimes"]
    assert [(c["reference"], c["principal"]) for c in crimes] == [(first, True), (second, False)]

    unknown = _problem(api.post("/crimes", crime_body(_ref("43"), api.collar, incident="INC/NOPE01")), 422)
    assert unknown["errors"][0]["pointer"] == "/incident"


def test_an_unknown_crime_link_is_refused_and_nothing_is_written(app, api):
    known = _ref("43")
    api.post("/crimes", crime_body(known, api.collar))
    reference = _ref("INC")
    problem = _problem(api.post("/incidents", incident_body(reference, crimes=[known, "43/NOSUCH/26"])), 422)
    assert problem["errors"][0]["pointer"] == "/crimes/1"
    with app.app_context():
        assert _incident(reference) is None
        assert db.session.scalar(select(Crime.incident_id).where(Crime.reference == known)) is None
    # A principal crime that is not one of the incident's crimes.
    _problem(
        api.post("/incidents", incident_body(reference, crimes=[known], principal_crime="43/OTHER/26")), 422
    )
    with app.app_context():
        assert _incident(reference) is None


def test_the_same_key_with_a_different_incident_is_refused(app, api):
    reference = _ref("INC")
    body = incident_body(reference)
    assert api.post("/incidents", body, key="incident-key-1").status_code == 201
    replay = api.post("/incidents", body, key="incident-key-1")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    changed = {**body, "route": "online"}
    _problem(api.post("/incidents", changed, key="incident-key-1"), 422)
    with app.app_context():
        assert _incident(reference).route == "control_room"


def test_an_exclusion_pushed_by_the_records_system_awaits_sign_off(app, api):
    reference = _ref("INC")
    received = datetime.now(UTC) - timedelta(days=1)
    decision = {
        "reason": "disturbance_over",
        "note": "Shouting in the street; all gone by the time officers arrived.",
        "decided_at": (received + timedelta(hours=1)).isoformat(),
        "decided_by": "X9999",
        "decided_by_name": "Sergeant Ruth Evans",
    }
    body = incident_body(
        reference,
        received_at=received.isoformat(),
        closing_code="crime_not_recorded",
        offence_group="public_order",
        not_recorded=decision,
        updated_at=(received + timedelta(hours=1)).isoformat(),
    )
    written = api.post("/incidents", body).get_json()["incident"]
    assert written["not_recorded"]["sign_off"] == "awaiting"
    assert written["not_recorded"]["decided_by"] == "X9999"
    with app.app_context():
        incident = _incident(reference)
        assert incident.awaiting_sign_off and incident.not_recorded_by_name == "Sergeant Ruth Evans"

    # Someone the service does not know, without a name, is refused.
    nameless = {**decision, "decided_by_name": None}
    problem = _problem(
        api.post("/incidents", {**body, "reference": _ref("INC"), "not_recorded": nameless}), 422
    )
    assert problem["errors"][0]["pointer"] == "/not_recorded/decided_by_name"


def test_an_n100_and_its_resolution(app, api):
    reference = _ref("INC")
    received = datetime.now(UTC) - timedelta(days=4)
    n100 = {"resolution": "recorded_rape", "resolved_at": (received + timedelta(days=1)).isoformat()}
    written = api.post("/incidents", incident_body(reference, received_at=received.isoformat(), n100=n100))
    assert written.get_json()["incident"]["n100"]["resolution"] == "recorded_rape"
    half = {"resolution": "recorded_rape"}
    _problem(api.post("/incidents", incident_body(_ref("INC"), n100=half)), 422)
    with app.app_context():
        assert _incident(reference).n100


def test_reading_an_incident_needs_the_scope_and_an_unknown_one_is_404(app, api):
    _problem(api.get("/incidents/INC/NONE00"), 404)
    api.token = api.fetch_token("crimes:read")
    _problem(api.get("/incidents/INC/NONE00"), 403)
