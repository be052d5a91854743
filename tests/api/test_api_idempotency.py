"""Safe to retry: an Idempotency-Key on every POST. A replay gets the same answer and
changes nothing; the same key with another body is refused; duplicates sent at the
same moment make one record, and one invitation."""

import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import (
    AccountLink,
    AuditEvent,
    CourtEvent,
    Crime,
    CrimeVictim,
    Entitlement,
    Guardian,
    IdempotencyRecord,
    InformationRequest,
    InvestigationUpdate,
    OutboxMessage,
    PropertyItem,
    PropertyNote,
)
from tests.api_helpers import ApiCaller, crime_body, register, victim_body
from tests.conftest import TEST_DATABASE_URL

# Its requests carry fixed dates in 2026; they are
# sent on 1 December 2026, whenever the suite runs.
pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)

postgres_only = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"), reason="concurrent writers need PostgreSQL"
)


def _count(app, column, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(column)).where(*where))


def test_a_replay_gets_the_same_answer_and_changes_nothing(app, records_system):
    body = crime_body("NX-1001", records_system.collar)
    first = records_system.post("/crimes", body, key="push-1")
    again = records_system.post("/crimes", body, key="push-1")
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"] == "/api/v1/crimes/NX-1001"
    assert _count(app, Crime.id) == 1
    assert _count(app, AuditEvent.id, AuditEvent.action == "crime.record") == 1
    # The same key with another body is refused, and changes nothing either.
    changed = records_system.post("/crimes", {**body, "stage": "suspect_identified"}, key="push-1")
    assert changed.status_code == 422
    assert changed.get_json(force=True)["type"].endswith("/idempotency-key-reused")
    with app.app_context():
        assert db.session.scalar(select(Crime.stage)) == "under_investigation"
    # Keys belong to their client: another records system may use the same one.
    with app.app_context():
        client, secret = register(("crimes:write",))
        client_id = client.client_id
    other = ApiCaller(app, client_id, secret)
    assert (
        other.post("/crimes", crime_body("NX-1002", records_system.collar), key="push-1").status_code == 201
    )


def test_a_request_refused_for_bad_input_leaves_its_key_free_for_the_corrected_one(app, records_system):
    body = crime_body("NX-1003", records_system.collar)
    assert records_system.post("/crimes", {**body, "officer_in_charge": "X1"}, key="k-2").status_code == 422
    assert _count(app, IdempotencyRecord.id) == 0
    assert records_system.post("/crimes", body, key="k-2").status_code == 201


def test_replays_of_events_victims_and_invitations_write_nothing_more(app, records_system, messages):
    records_system.post("/crimes", crime_body("NX-1004", records_system.collar))
    victim = victim_body("V1")
    event = {"event_id": "ARR-1", "kind": "arrest", "occurred_at": "2026-11-20T09:30:00Z"}
    for _ in range(2):
        assert records_system.post("/crimes/NX-1004/victims", victim, key="victim-1").status_code == 201
        assert records_system.post("/crimes/NX-1004/events", event, key="event-1").status_code == 201
        assert (
            records_system.post("/crimes/NX-1004/victims/V1/invitation", {}, key="invite-1").status_code
            == 201
        )
    assert _count(app, CrimeVictim.id) == 1
    assert _count(app, InvestigationUpdate.id, InvestigationUpdate.kind == "arrest") == 1
    assert _count(app, AccountLink.id, AccountLink.purpose == "activation") == 1
    assert [m["kind"] for m in messages()] == ["invitation"]
    # Without the key's help too: the same event and invitation with new keys.
    assert records_system.post("/crimes/NX-1004/events", event).get_json()["result"] == "unchanged"
    again = records_system.post("/crimes/NX-1004/victims/V1/invitation", {})
    assert again.status_code == 200 and again.get_json()["result"] == "already_invited"
    assert _count(app, AccountLink.id, AccountLink.purpose == "activation") == 1
    assert _count(app, OutboxMessage.id, OutboxMessage.kind == "invitation") == 1


def test_replays_of_court_events_and_referrals_write_nothing_more(app, records_system):
    """Court events and the Victim Contact Scheme referral: a replay with its key gets the
    same answer; the same event or referral sent again with a new key changes nothing."""
    body = crime_body("NX-1005", records_system.collar, offence="abh")
    assert records_system.post("/crimes", body).status_code == 201
    assert records_system.post("/crimes/NX-1005/victims", victim_body("V1")).status_code == 201
    charge = {"event_id": "CH-1", "kind": "charge", "occurred_at": "2026-11-29T09:00:00Z"}
    assert records_system.post("/crimes/NX-1005/events", charge).status_code == 201
    first_hearing = {
        "event_id": "C-1",
        "kind": "first_hearing_listed",
        "occurred_at": "2026-11-29T10:00:00Z",
        "hearing_ref": "H-1",
        "court": "Newport Magistrates’ Court",
        "starts_at": "2026-11-30T10:00:00Z",
    }
    later = [
        {
            "event_id": "C-2",
            "kind": "trial_listed",
            "occurred_at": "2026-11-30T11:00:00Z",
            "hearing_ref": "H-2",
            "court": "Newport Crown Court",
            "starts_at": "2026-11-30T12:00:00Z",
        },
        {
            "event_id": "C-3",
            "kind": "trial_started",
            "occurred_at": "2026-11-30T12:00:00Z",
            "hearing_ref": "H-2",
        },
        {
            "event_id": "C-4",
            "kind": "verdict",
            "occurred_at": "2026-11-30T15:00:00Z",
            "hearing_ref": "H-2",
            "verdict": "guilty",
        },
        {
            "event_id": "C-5",
            "kind": "sentence",
            "occurred_at": "2026-11-30T16:00:00Z",
            "sentence": {"kind": "custody", "months": 24},
        },
    ]
    for _ in range(2):
        answers = [records_system.post("/crimes/NX-1005/court-events", first_hearing, key="court-1")]
        answers += [records_system.post("/crimes/NX-1005/court-events", e, key=e["event_id"]) for e in later]
        assert [a.status_code for a in answers] == [201] * 5
    assert answers[0].headers["Idempotent-Replayed"] == "true"
    assert answers[-1].get_json()["event"]["victim_contact_scheme"] == 1
    referral = {"way": "referred", "at": "2026-12-01T09:00:00Z"}
    path = "/crimes/NX-1005/victims/V1/victim-contact-scheme"
    first = records_system.post(path, referral, key="vcs-1")
    again = records_system.post(path, referral, key="vcs-1")
    assert first.status_code == again.status_code == 201 and again.get_data() == first.get_data()
    assert records_system.post(path, referral).get_json()["result"] == "unchanged"
    assert records_system.post(path, {**referral, "way": "victim_declined"}).status_code == 409
    assert (
        records_system.post("/crimes/NX-1005/court-events", first_hearing).get_json()["result"] == "unchanged"
    )
    assert _count(app, CourtEvent.id) == 5
    assert _count(app, InvestigationUpdate.id, InvestigationUpdate.kind == "verdict") == 1
    assert _count(app, Entitlement.id, Entitlement.rule == "victim_contact_scheme") == 1
    assert _count(app, AuditEvent.id, AuditEvent.action == "entitlement.recorded") == 1


def test_replays_of_a_child_with_a_parent_and_their_invitation_write_nothing_more(
    app, records_system, messages
):
    records_system.post("/crimes", crime_body("NX-1005", records_system.collar))
    parent = {
        "name": "Pat Parent",
        "relationship": "parent",
        "email": "pat@example.com",
        "holds_account": True,
    }
    child = victim_body("C1", date_of_birth="2016-05-01", email=None, guardian=parent)
    for _ in range(2):
        assert records_system.post("/crimes/NX-1005/victims", child, key="child-1").status_code == 201
        assert (
            records_system.post("/crimes/NX-1005/victims/C1/invitation", {}, key="invite-c1").status_code
            == 201
        )
    assert _count(app, Guardian.id) == 1
    assert _count(app, AuditEvent.id, AuditEvent.action == "guardian.record") == 1
    assert _count(app, AccountLink.id, AccountLink.purpose == "activation") == 1
    assert [(m["kind"], m["to"]) for m in messages()] == [("invitation", "pat@example.com")]
    again = records_system.post("/crimes/NX-1005/victims/C1/invitation", {})
    assert again.status_code == 200 and again.get_json()["result"] == "already_invited"


def _at_once(calls) -> list:
    """Run the calls in threads that start together; their responses, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@postgres_only
def test_concurrent_duplicates_with_one_key_make_one_crime_and_give_one_answer(app, records_system):
    body = crime_body("NX-2001", records_system.collar)
    callers = [ApiCaller(app, records_system.client_id, records_system.secret) for _ in range(6)]
    responses = _at_once([lambda c=c: c.post("/crimes", body, key="same-key") for c in callers])
    assert [r.status_code for r in responses] == [201] * 6, [r.get_data(as_text=True) for r in responses]
    assert len({r.get_data() for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 5
    assert _count(app, Crime.id) == 1
    assert _count(app, IdempotencyRecord.id) == 1
    assert _count(app, AuditEvent.id, AuditEvent.action == "crime.record") == 1


@postgres_only
def test_concurrent_pushes_of_one_record_with_different_keys_make_one_of_each(app, records_system, messages):
    callers = [ApiCaller(app, records_system.client_id, records_system.secret) for _ in range(5)]
    body = crime_body("NX-2002", records_system.collar)
    crimes = _at_once([lambda c=c: c.post("/crimes", body, key=str(uuid.uuid4())) for c in callers])
    assert sorted(r.status_code for r in crimes) == [200] * 4 + [201], [
        r.get_data(as_text=True) for r in crimes
    ]
    victim = victim_body("V7")
    added = _at_once([lambda c=c: c.post("/crimes/NX-2002/victims", victim) for c in callers])
    assert sorted(r.status_code for r in added) == [200] * 4 + [201], [
        r.get_data(as_text=True) for r in added
    ]
    event = {"event_id": "CHG-9", "kind": "charge", "occurred_at": "2026-11-20T09:30:00Z"}
    told = _at_once([lambda c=c: c.post("/crimes/NX-2002/events", event) for c in callers])
    assert sorted(r.status_code for r in told) == [200] * 4 + [201], [r.get_data(as_text=True) for r in told]
    invited = _at_once([lambda c=c: c.post("/crimes/NX-2002/victims/V7/invitation", {}) for c in callers])
    assert sorted(r.status_code for r in invited) == [200] * 4 + [201], [
        r.get_data(as_text=True) for r in invited
    ]
    assert _count(app, Crime.id) == 1
    assert _count(app, CrimeVictim.id) == 1
    assert _count(app, InvestigationUpdate.id, InvestigationUpdate.kind == "charge") == 1
    assert _count(app, AccountLink.id, AccountLink.purpose == "activation") == 1
    assert [m["kind"] for m in messages()] == ["invitation"]


def _item(item_ref: str = "P-1") -> dict:
    return {
        "item_ref": item_ref,
        "kind": "stolen",
        "description": "Silver laptop",
        "victim_ref": "V1",
        "status": "held",
        "held_at": "2026-11-30T10:00:00Z",
        "officer_note": "Exhibit AB/1",
        "updated_at": "2026-11-30T10:00:00Z",
    }


def test_a_replayed_item_of_property_writes_nothing_more(app, records_system):
    records_system.post("/crimes", crime_body("NX-1005", records_system.collar))
    records_system.post("/crimes/NX-1005/victims", victim_body("V1"))
    first = records_system.post("/crimes/NX-1005/property", _item(), key="item-1")
    again = records_system.post("/crimes/NX-1005/property", _item(), key="item-1")
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    # The same item with a new key: recognised by its item_ref, unchanged.
    assert records_system.post("/crimes/NX-1005/property", _item()).get_json()["result"] == "unchanged"
    assert _count(app, PropertyItem.id) == 1
    assert _count(app, PropertyNote.id) == 1
    assert _count(app, AuditEvent.id, AuditEvent.action == "property.record") == 1


@postgres_only
def test_concurrent_pushes_of_one_item_of_property_make_one(app, records_system):
    records_system.post("/crimes", crime_body("NX-2003", records_system.collar))
    records_system.post("/crimes/NX-2003/victims", victim_body("V1"))
    callers = [ApiCaller(app, records_system.client_id, records_system.secret) for _ in range(5)]
    pushed = _at_once([lambda c=c: c.post("/crimes/NX-2003/property", _item()) for c in callers])
    assert sorted(r.status_code for r in pushed) == [200] * 4 + [201], [
        r.get_data(as_text=True) for r in pushed
    ]
    assert _count(app, PropertyItem.id) == 1
    assert _count(app, PropertyNote.id) == 1


def test_replays_of_an_information_request_write_nothing_more(app, records_system):
    records_system.post("/crimes", crime_body("NX-1010", records_system.collar))
    records_system.post("/crimes/NX-1010/victims", victim_body("V1"))
    body = {
        "request_id": "IR-1",
        "recipient": {"kind": "social_services", "name": "Children's services"},
        "information_sought": "Any referral made about your family this year.",
        "purpose": "To understand what was reported before the crime.",
        "handling": "Kept with the case file.",
        "requested_at": "2026-12-01T09:00:00Z",
    }
    path = "/crimes/NX-1010/victims/V1/information-requests"
    first = records_system.post(path, body, key="ir-1")
    again = records_system.post(path, body, key="ir-1")
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    # Another key, the same request_id: recognised, nothing more written.
    assert records_system.post(path, body, key="ir-2").get_json()["result"] == "unchanged"
    # The same key with another body is refused.
    assert records_system.post(path, {**body, "purpose": "Another reason."}, key="ir-1").status_code == 422
    assert _count(app, InformationRequest.id) == 1
    assert _count(app, Entitlement.id, Entitlement.rule == "info_request_notice") == 1
    assert _count(app, AuditEvent.id, AuditEvent.action == "information_request.record") == 1
