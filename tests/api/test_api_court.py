"""Court events through `/api/v1/crimes/{reference}/court-events`, as a Witness Care
Unit's system sends them with its own scopes: the hearings listed and read back, the
victims owed being told within 1 working day, the crime at court, the Victim Contact
Scheme after a long enough sentence; and bad input refused with nothing kept."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import CourtEvent, CourtHearing, Crime, Entitlement, InvestigationUpdate
from shared.services import calendar
from tests.api_helpers import ApiCaller, crime_body, records_system, register, victim_body  # noqa: F401

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


REFERENCE = "NX/2026/007001"


@pytest.fixture
def charged(app, records_system):  # noqa: F811
    """An assault charged on 2 November 2026, with one victim."""
    body = crime_body(
        REFERENCE,
        records_system.collar,
        offence="abh",
        occurred_at="2026-10-01T20:00:00+00:00",
        reported_at="2026-10-01T22:00:00+00:00",
        recorded_at="2026-10-02T08:00:00+00:00",
        updated_at="2026-10-02T08:00:00+00:00",
    )
    assert records_system.post("/crimes", body).status_code == 201
    assert records_system.post(f"/crimes/{REFERENCE}/victims", victim_body("V-1")).status_code == 201
    charge = {"event_id": "EV-CHARGE", "kind": "charge", "occurred_at": "2026-11-02T10:00:00+00:00"}
    assert records_system.post(f"/crimes/{REFERENCE}/events", charge).status_code == 201
    return records_system


@pytest.fixture
def wcu(app, charged):
    """A Witness Care Unit's system: the court scopes only."""
    with app.app_context():
        client, secret = register(("court:write", "court:read"), name="Witness Care Unit")
        client_id = client.client_id
        db.session.remove()
    return ApiCaller(app, client_id, secret)


def listed(event_id="E1", kind="first_hearing_listed", hearing_ref="H1", starts="2027-01-12T10:00:00+00:00"):
    return {
        "event_id": event_id,
        "kind": kind,
        "occurred_at": "2026-11-20T09:00:00+00:00",
        "hearing_ref": hearing_ref,
        "court": "Cardiff Magistrates’ Court",
        "starts_at": starts,
    }


def _path():
    return f"/crimes/{REFERENCE.replace('/', '%2F')}"


def test_a_witness_care_unit_lists_a_hearing_and_reads_it_back(ctx, wcu):
    response = wcu.post(_path() + "/court-events", listed())
    assert response.status_code == 201, response.get_data(as_text=True)
    event = response.get_json()["event"]
    assert (event["kind"], event["hearing_ref"], event["victims_to_tell"]) == (
        "first_hearing_listed",
        "H1",
        1,
    )

    court = wcu.get(_path() + "/court").get_json()
    assert court["stage"] == "at_court"
    assert court["next_hearing"]["court"] == "Cardiff Magistrates’ Court"
    assert court["next_hearing"]["starts_at"].startswith("2027-01-12T10:00")
    # Nothing about the victims or the investigation.
    assert "victims" not in court
    # Its scopes reach nothing else.
    assert wcu.get(_path()).status_code == 403
    assert (
        wcu.post(
            _path() + "/events", {"event_id": "X", "kind": "arrest", "occurred_at": "2026-11-20T09:00:00Z"}
        ).status_code
        == 403
    )

    db.session.expire_all()
    [told] = db.session.scalars(select(Entitlement).where(Entitlement.rule == "court_told"))
    assert told.event_kind == "first_hearing_listed"
    assert told.due_at == calendar.working_day_deadline(utc(2026, 11, 20, 9), 1)


def test_the_same_event_sent_again_changes_nothing(ctx, wcu):
    assert wcu.post(_path() + "/court-events", listed()).status_code == 201
    again = wcu.post(_path() + "/court-events", listed())
    assert again.status_code == 200 and again.get_json()["result"] == "unchanged"
    assert db.session.scalar(select(func.count(CourtEvent.id))) == 1
    other_kind = wcu.post(_path() + "/court-events", listed(kind="trial_listed"))
    assert other_kind.status_code == 409


def _nothing_kept(before: int) -> None:
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CourtEvent.id))) == before
    assert db.session.scalar(
        select(func.count(InvestigationUpdate.id)).where(InvestigationUpdate.kind.like("%hearing%"))
    ) == db.session.scalar(select(func.count(CourtEvent.id)).where(CourtEvent.kind.like("%hearing%")))


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        # A hearing that does not exist.
        (
            {
                "event_id": "A1",
                "kind": "hearing_adjourned",
                "occurred_at": "2026-11-21T09:00:00Z",
                "hearing_ref": "NOPE",
                "reason": "defendant_ill",
            },
            422,
            "/hearing_ref",
        ),
        # A verdict before a trial: the first hearing is no trial.
        (
            {
                "event_id": "V1",
                "kind": "verdict",
                "occurred_at": "2026-11-21T09:00:00Z",
                "hearing_ref": "H1",
                "verdict": "guilty",
            },
            409,
            "/hearing_ref",
        ),
        # A sentence without a verdict.
        (
            {
                "event_id": "S1",
                "kind": "sentence",
                "occurred_at": "2026-11-21T09:00:00Z",
                "sentence": {"kind": "custody", "months": 18},
            },
            409,
            "/kind",
        ),
        # A trial before any first hearing is checked below; impossible dates:
        (listed("L2", hearing_ref="H2", starts="2030-01-01T10:00:00Z"), 422, "/starts_at"),
        (listed("L3", hearing_ref="H3", starts="2026-09-01T10:00:00Z"), 422, "/starts_at"),
        ({**listed("L4", hearing_ref="H4"), "occurred_at": "2026-12-25T09:00:00Z"}, 422, "/occurred_at"),
        # Custody without its length.
        (
            {
                "event_id": "S2",
                "kind": "sentence",
                "occurred_at": "2026-11-21T09:00:00Z",
                "sentence": {"kind": "custody"},
            },
            409,
            None,
        ),
        # A listing without its court: the schema's.
        ({**listed("L5", hearing_ref="H5"), "court": None}, 422, None),
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(ctx, wcu, body, status, pointer):
    assert wcu.post(_path() + "/court-events", listed()).status_code == 201
    response = wcu.post(_path() + "/court-events", body)
    assert response.status_code == status, response.get_data(as_text=True)
    if pointer and status == 422:
        assert [e["pointer"] for e in response.get_json()["errors"]] == [pointer]
    _nothing_kept(1)


def test_a_trial_needs_a_first_hearing_and_a_crime_needs_a_charge(ctx, wcu, charged):
    response = wcu.post(_path() + "/court-events", listed(kind="trial_listed"))
    assert response.status_code == 409
    other = "NX/2026/007002"
    assert charged.post("/crimes", crime_body(other, charged.collar)).status_code == 201
    response = wcu.post(f"/crimes/{other.replace('/', '%2F')}/court-events", listed())
    assert response.status_code == 409
    assert wcu.post("/crimes/NX-0000-00/court-events", listed()).status_code == 404
    _nothing_kept(0)
    assert db.session.scalar(select(func.count(CourtHearing.id))) == 0
    assert db.session.scalar(select(Crime.stage).where(Crime.reference == REFERENCE)) == "under_investigation"


def test_a_crime_at_court_stays_there_when_the_records_system_still_says_charged(ctx, wcu, charged):
    assert wcu.post(_path() + "/court-events", listed()).status_code == 201
    # The records system sends the crime again, charged, as it knows it.
    body = crime_body(
        REFERENCE,
        charged.collar,
        offence="abh",
        occurred_at="2026-10-01T20:00:00+00:00",
        reported_at="2026-10-01T22:00:00+00:00",
        recorded_at="2026-10-02T08:00:00+00:00",
        updated_at="2026-11-21T08:00:00+00:00",
        stage="charged",
        outcome=1,
    )
    answer = charged.post("/crimes", body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Crime.stage).where(Crime.reference == REFERENCE)) == "at_court"
