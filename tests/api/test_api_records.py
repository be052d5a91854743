"""What a records system's pushes through `/api/v1` do to crimes, victims, key events and
invitations: created the first time, brought up to date after that, the same record
again changing nothing, an older version ignored and logged, and what the record's
state refuses answered with a conflict. Every bad input gets a 4xx problem document.
"""

import itertools
import json
import logging
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import (
    AccountLink,
    AuditEvent,
    ContactPlan,
    Crime,
    CrimeVictim,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    InvestigationUpdate,
    OutboxMessage,
    StaffMember,
    Victim,
)
from shared.models.types import utcnow
from shared.services import calendar
from tests import factories
from tests.api_helpers import ApiCaller, crime_body, register, victim_body
from tests.conftest import activation_path
from tests.signed_in import sign_in_as

_refs = itertools.count(1)


def new_reference() -> str:
    return f"NX/2026/{next(_refs):06d}"


def ago(**delta) -> str:
    return (utcnow() - timedelta(**delta)).isoformat()


def later(body: dict, minutes: int = 1, **changes) -> dict:
    """The record as the records system sends it after changing it: a newer version."""
    newer = datetime_of(body["updated_at"]) + timedelta(minutes=minutes)
    return {**body, **changes, "updated_at": newer.isoformat()}


def datetime_of(value: str) -> datetime:
    return datetime.fromisoformat(value)


def problem(response, status: int) -> dict:
    """A problem document (RFC 9457) with this status: never an HTML page, never a 500."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = json.loads(response.get_data())
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    return body


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    return response.get_json()


def pointers(body: dict) -> list[str]:
    return [error["pointer"] for error in body.get("errors", [])]


def fresh() -> None:
    """End the test's own transaction and forget what it loaded (the session keeps
    objects after a commit), so that it reads what the calls wrote."""
    db.session.commit()
    db.session.expire_all()


def crime_row(reference: str) -> Crime:
    fresh()
    return db.session.scalar(select(Crime).where(Crime.reference == reference))


def link_row(victim_ref: str) -> CrimeVictim:
    fresh()
    return db.session.scalar(select(CrimeVictim).where(CrimeVictim.source_ref == victim_ref))


def owed(link: CrimeVictim, rule: str, event_kind: str | None = None) -> list[Entitlement]:
    return list(
        db.session.scalars(
            select(Entitlement)
            .where(
                Entitlement.crime_victim_id == link.id,
                Entitlement.rule == rule,
                Entitlement.event_kind == event_kind,
            )
            .order_by(Entitlement.id)
        )
    )


def create(api: ApiCaller, **changes) -> dict:
    """A crime reported 3 days ago, under investigation: the body sent."""
    body = crime_body(new_reference(), api.collar, **changes)
    assert ok(api.post("/crimes", body), 201)["result"] == "created"
    return body


def add_victim(api: ApiCaller, reference: str, victim_ref: str, **changes) -> dict:
    body = victim_body(victim_ref, **changes)
    assert ok(api.post(f"/crimes/{reference}/victims", body), 201)["result"] == "created"
    return body


def event(api: ApiCaller, reference: str, event_id: str, kind: str = "arrest", **changes) -> dict:
    body = {"event_id": event_id, "kind": kind, "occurred_at": ago(days=1), **changes}
    assert ok(api.post(f"/crimes/{reference}/events", body), 201)["result"] == "created"
    return body


COUNTED = (
    Crime,
    CrimeVictim,
    Victim,
    InvestigationUpdate,
    Entitlement,
    EntitlementEvent,
    EnhancedRight,
    ContactPlan,
    OutboxMessage,
    AccountLink,
)


def snapshot() -> dict:
    """How many rows each table the upserts write holds, and the audit trail's events
    other than the one every call writes."""
    fresh()
    counts = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED
    }
    counts["audit"] = sorted(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.action != "api.call")).all()
    )
    return counts


# ----------------------------------------------------------------------------- crimes


@pytest.mark.time_sensitive
def test_a_crime_is_created_then_brought_up_to_date(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    response = api.get(f"/crimes/{reference}")
    crime = ok(response)
    officer = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == api.collar))
    assert (crime["stage"], crime["offence"], crime["offence_group"]) == (
        "under_investigation",
        "burglary_residential",
        "theft",
    )
    assert crime["officer_in_charge"] == {"collar_number": api.collar, "name": officer.name}
    assert crime["team"] == officer.team.name
    assert ok(api.get(f"/crimes/{reference.lower()}")) == crime
    assert datetime_of(crime["recorded_at"]) == datetime_of(body["recorded_at"])
    assert datetime_of(crime["updated_at"]) == datetime_of(body["updated_at"])

    add_victim(api, reference, "P1")
    arrest = event(api, reference, "E1")
    arrest_at = datetime_of(arrest["occurred_at"])
    link = link_row("P1")
    [told] = owed(link, "event_told", "arrest")
    assert (told.due_at, told.enhanced) == (calendar.working_day_deadline(arrest_at, 5), False)

    # The stage moves on, as the officer would move it: with its history.
    body = later(body, stage="suspect_identified")
    written = ok(api.post("/crimes", body))
    assert (written["result"], written["crime"]["stage"]) == ("updated", "suspect_identified")
    row = crime_row(reference)
    [change] = db.session.scalars(
        select(InvestigationUpdate).where(
            InvestigationUpdate.crime_id == row.id, InvestigationUpdate.kind == "stage_change"
        )
    )
    assert (change.new_stage, change.author_id, change.api_client_id) == (
        "suspect_identified",
        None,
        api.client.id,
    )

    # A new officer in charge from another team takes the crime to their team.
    other_team = factories.team("Burglary team North")
    new_officer = factories.staff(team_row=other_team, name="Priya Patel")
    body = later(body, officer_in_charge=new_officer.collar_number)
    written = ok(api.post("/crimes", body))
    assert written["crime"]["officer_in_charge"]["name"] == "Priya Patel"
    assert written["crime"]["team"] == "Burglary team North"
    row = crime_row(reference)
    assert (row.officer_in_charge_id, row.team_id) == (new_officer.id, other_team.id)

    # Reclassified as a sexual offence: the victim's enhanced rights follow, and what is
    # still owed takes 1 working day.
    body = later(body, offence="sexual_assault")
    written = ok(api.post("/crimes", body))
    assert written["crime"]["offence_group"] == "sexual"
    rights = ok(api.get(f"/crimes/{reference}"))["victims"][0]["enhanced_rights"]
    assert sorted(rights) == ["intimidated", "most_serious"]
    fresh()
    [told] = owed(link, "event_told", "arrest")
    assert (told.due_at, told.enhanced) == (calendar.working_day_deadline(arrest_at, 1), True)
    [update] = owed(link, "contact_update")
    assert update.enhanced is True

    # And back again: the automatic categories no longer apply.
    body = later(body, offence="burglary_residential")
    ok(api.post("/crimes", body))
    assert ok(api.get(f"/crimes/{reference}"))["victims"][0]["enhanced_rights"] == []
    fresh()
    [told] = owed(link, "event_told", "arrest")
    assert (told.due_at, told.enhanced) == (calendar.working_day_deadline(arrest_at, 5), False)

    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == str(row.id))).all()
    assert {"crime.record", "crime.stage", "crime.reassigned", "crime.reclassified"} <= set(actions)
    # An officer who is not known is bad input, pointed at.
    assert pointers(problem(api.post("/crimes", later(body, officer_in_charge="NOBODY1")), 422)) == [
        "/officer_in_charge"
    ]


def test_only_an_officer_or_a_supervisor_can_be_made_officer_in_charge(app, ctx, api):
    team = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == api.collar)).team
    pcc = factories.staff(team, roles=("pcc",))
    analyst = factories.staff(team, roles=("analyst",))
    supervisor = factories.staff(team, roles=("supervisor",))
    db.session.commit()

    # A new crime in the hands of the Commissioner's office is refused, pointed at.
    reference = new_reference()
    body = crime_body(reference, pcc.collar_number)
    refused = problem(api.post("/crimes", body), 422)
    assert pointers(refused) == ["/officer_in_charge"]
    assert "officer or a supervisor" in refused["errors"][0]["detail"]
    assert crime_row(reference) is None

    # So is handing a crime held to an analyst; a supervisor can take it.
    body = create(api)
    assert pointers(
        problem(api.post("/crimes", later(body, officer_in_charge=analyst.collar_number)), 422)
    ) == ["/officer_in_charge"]
    assert crime_row(body["reference"]).officer_in_charge.collar_number == api.collar
    ok(api.post("/crimes", later(body, minutes=2, officer_in_charge=supervisor.collar_number)))
    assert crime_row(body["reference"]).officer_in_charge_id == supervisor.id


def test_the_same_record_again_changes_nothing(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    victim = add_victim(api, reference, "P1")
    arrest = event(api, reference, "E1")
    before = snapshot()

    again = ok(api.post("/crimes", body))
    assert again["result"] == "unchanged"
    assert ok(api.post(f"/crimes/{reference}/victims", victim))["result"] == "unchanged"
    assert ok(api.post(f"/crimes/{reference}/events", arrest))["result"] == "unchanged"
    # A newer version that says the same is unchanged too.
    assert ok(api.post("/crimes", later(body)))["result"] == "unchanged"
    assert ok(api.post(f"/crimes/{reference}/victims", later(victim)))["result"] == "unchanged"
    assert snapshot() == before

    # The same request sent again with its idempotency key gets the answer it got first.
    key = "retry-after-a-timeout-1"
    first = ok(api.post("/crimes", later(body, minutes=5), key=key))
    replay = api.post("/crimes", later(body, minutes=5), key=key)
    assert ok(replay) == first and replay.headers["Idempotent-Replayed"] == "true"
    # Another request with that key is refused.
    assert problem(api.post("/crimes", later(body, minutes=6), key=key), 422)["type"].endswith(
        "idempotency-key-reused"
    )
    assert snapshot() == before


def test_an_older_version_is_ignored_and_logged(app, ctx, api, caplog):
    caplog.set_level(logging.INFO, logger="trackmycrime.records")
    body = create(api)
    reference = body["reference"]
    victim = add_victim(api, reference, "P1")
    before = snapshot()

    older = later(body, minutes=-30, stage="awaiting_decision", offence="robbery_personal")
    written = ok(api.post("/crimes", older))
    assert written["result"] == "ignored_older"
    assert (written["crime"]["stage"], written["crime"]["offence"]) == (
        "under_investigation",
        "burglary_residential",
    )
    older_victim = later(victim, minutes=-30, name="Somebody Else")
    written = ok(api.post(f"/crimes/{reference}/victims", older_victim))
    assert (written["result"], written["victim"]["name"]) == ("ignored_older", "Alex Jones")

    after = snapshot()
    assert after["audit"] == sorted([*before["audit"], "api.older_ignored", "api.older_ignored"])
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    row = crime_row(reference)
    assert datetime_of(body["updated_at"]) == row.source_updated_at
    ignored = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api.older_ignored").order_by(AuditEvent.id)
    ).all()
    assert [(e.record_type, e.record_id, e.actor_type, e.actor_id) for e in ignored] == [
        ("crime", str(row.id), "api", api.client.id),
        ("crime_victim", str(link_row("P1").id), "api", api.client.id),
    ]
    logged = [r for r in caplog.records if r.name == "trackmycrime.records"]
    assert len(logged) == 2 and all(r.levelno == logging.INFO for r in logged)
    assert "older version of crime" in logged[0].getMessage()


def test_when_a_crime_was_reported_or_recorded_cannot_change(app, ctx, api):
    body = create(api)
    for field in ("reported_at", "recorded_at"):
        moved = later(body, **{field: (datetime_of(body[field]) - timedelta(hours=1)).isoformat()})
        assert problem(api.post("/crimes", moved), 409)["detail"]
    row = crime_row(body["reference"])
    assert row.reported_at == datetime_of(body["reported_at"])
    assert row.source_updated_at == datetime_of(body["updated_at"])


@pytest.mark.time_sensitive
def test_an_outcome_closes_the_crime_as_in_the_back_office(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    add_victim(api, reference, "P1")
    event(api, reference, "E1")

    closed = later(body, outcome=15)
    closed.pop("stage")
    written = ok(api.post("/crimes", closed))
    assert (written["result"], written["crime"]["stage"], written["crime"]["outcome"]) == (
        "updated",
        "closed",
        15,
    )
    row = crime_row(reference)
    link = link_row("P1")
    [outcome] = db.session.scalars(
        select(InvestigationUpdate).where(
            InvestigationUpdate.crime_id == row.id, InvestigationUpdate.kind == "outcome"
        )
    )
    assert (outcome.new_outcome, outcome.api_client_id) == (15, api.client.id)
    # Told of the decision within 5 working days of it; regular updates end; without a
    # charge no statement is still to be offered.
    [told] = owed(link, "event_told", "released_nfa")
    assert (told.triggered_at, told.due_at, told.state) == (
        row.outcome_at,
        calendar.working_day_deadline(row.outcome_at, 5),
        "open",
    )
    assert [(e.state, e.reason) for e in owed(link, "contact_update")] == [
        ("not_applicable", "investigation_finished")
    ]
    assert [(e.state, e.reason) for e in owed(link, "vps_offer")] == [("not_applicable", "not_charged")]

    # The same outcome again is unchanged; another one is refused.
    assert ok(api.post("/crimes", later(closed)))["result"] == "unchanged"
    assert problem(api.post("/crimes", later(closed, minutes=2, outcome=16)), 409)["detail"]
    assert crime_row(reference).outcome == 15
    # A crime charged on the records system is charged here, at the stage sent.
    charged = create(api, outcome=1, stage="at_court")
    crime = ok(api.get(f"/crimes/{charged['reference']}"))
    assert (crime["stage"], crime["outcome"]) == ("at_court", 1)


# ---------------------------------------------------------------------------- victims


@pytest.mark.time_sensitive
def test_a_victim_is_added_then_brought_up_to_date(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    victim = victim_body("P1", phone="07700 900456", communication_needs="Prefers afternoon calls")
    written = ok(api.post(f"/crimes/{reference}/victims", victim), 201)
    assert written["victim"] == {
        "victim_ref": "P1",
        "name": "Alex Jones",
        "account": "not_invited",
        "enhanced_rights": [],
        "contact_plan": {
            "frequency_days": 28,
            "channel": "email",
            "language": "en",
            "safe_to_contact": True,
            "opted_out": False,
        },
        "guardian": None,
        "entitlements": written["victim"]["entitlements"],
    }
    assert sorted(e["rule"] for e in written["victim"]["entitlements"]) == sorted(
        ["acknowledgement", "needs_assessment", "referral", "vps_offer", "contact_update"]
    )
    arrest_at = datetime_of(event(api, reference, "E1")["occurred_at"])
    link = link_row("P1")

    # Details.
    victim = later(victim, name="Alex Jones-Price", phone="07700 900789", preferred_language="cy")
    assert ok(api.post(f"/crimes/{reference}/victims", victim))["result"] == "updated"
    link = link_row("P1")
    person = link.victim
    assert (person.name, person.phone, person.preferred_language) == (
        "Alex Jones-Price",
        "07700 900789",
        "cy",
    )
    [audit] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "victim.update"))
    assert audit.detail == "name,phone,preferred_language"

    # The contact plan: the next regular update is due by the new frequency.
    plan = {
        "frequency_days": 14,
        "channel": "phone",
        "language": "cy",
        "safe_to_contact": True,
        "opted_out": False,
    }
    victim = later(victim, contact_plan=plan)
    written = ok(api.post(f"/crimes/{reference}/victims", victim))
    assert written["victim"]["contact_plan"] == plan
    fresh()
    [regular] = owed(link, "contact_update")
    assert regular.due_at == calendar.calendar_day_deadline(regular.triggered_at, 14)
    newest = db.session.scalar(
        select(ContactPlan)
        .where(ContactPlan.crime_victim_id == link.id)
        .order_by(ContactPlan.id.desc())
        .limit(1)
    )
    assert (newest.changed_by_id, newest.api_client_id) == (None, api.client.id)

    # Enhanced rights the officer assessed on the records system.
    victim = later(victim, enhanced_rights=[{"category": "persistently_targeted", "reason": "assessed"}])
    written = ok(api.post(f"/crimes/{reference}/victims", victim))
    assert written["victim"]["enhanced_rights"] == ["persistently_targeted"]
    fresh()
    [told] = owed(link, "event_told", "arrest")
    assert (told.due_at, told.enhanced) == (calendar.working_day_deadline(arrest_at, 1), True)
    right = db.session.scalar(select(EnhancedRight).where(EnhancedRight.crime_victim_id == link.id))
    assert (right.assessed_by_id, right.api_client_id) == (None, api.client.id)

    # A date of birth that makes them under 18 adds the category that applies by age...
    victim = later(victim, date_of_birth=(date.today() - timedelta(days=15 * 365)).isoformat())
    assert ok(api.post(f"/crimes/{reference}/victims", victim))["victim"]["enhanced_rights"] == [
        "persistently_targeted",
        "vulnerable",
    ]
    # ...which an assessment sent without it keeps, since it was not assessed.
    victim = later(victim, enhanced_rights=[])
    assert ok(api.post(f"/crimes/{reference}/victims", victim))["victim"]["enhanced_rights"] == ["vulnerable"]
    victim = later(victim, enhanced_rights=[{"category": "vulnerable", "reason": "assessed"}])
    assert ok(api.post(f"/crimes/{reference}/victims", victim))["victim"]["enhanced_rights"] == ["vulnerable"]
    fresh()
    newest = select(EnhancedRight).where(
        EnhancedRight.crime_victim_id == link.id, EnhancedRight.category == "vulnerable"
    )
    vulnerable = db.session.scalar(newest.order_by(EnhancedRight.id.desc()).limit(1))
    assert (vulnerable.reason, vulnerable.applies) == ("under_18", True)
    [told] = owed(link, "event_told", "arrest")
    assert told.enhanced is True

    # Reasons that apply only automatically, or do not exist for the category, or a
    # category given twice, are refused.
    for rights, pointer in (
        ([{"category": "vulnerable", "reason": "under_18"}], "/enhanced_rights/0/reason"),
        ([{"category": "most_serious", "reason": "assessed"}], "/enhanced_rights/0"),
        (
            [
                {"category": "intimidated", "reason": "assessed"},
                {"category": "intimidated", "reason": "assessed"},
            ],
            "/enhanced_rights/1",
        ),
    ):
        refused = problem(
            api.post(f"/crimes/{reference}/victims", later(victim, minutes=9, enhanced_rights=rights)), 422
        )
        assert pointer in pointers(refused), refused


def test_a_known_email_address_gets_the_same_answer_and_links_nobody(app, ctx, api):
    """As in the back office: a victim whose address another crime's victim has is a
    record of her own, with the same answer as an unknown address, whatever the name,
    date of birth or `link_existing_victim` sent; she alone can join the two."""
    first = create(api)
    add_victim(api, first["reference"], "P1", email="sam.smith@example.com", name="Sam Smith")
    answers = {}
    for label, email in (("known", "Sam.Smith@Example.com"), ("unknown", "kim.jones@example.com")):
        crime = create(api)
        path = f"/crimes/{crime['reference']}/victims"
        body = victim_body("Q1", email=email, name="Sam Smith", link_existing_victim=True)
        response = api.post(path, body)
        invited = api.post(f"/crimes/{crime['reference']}/victims/Q1/invitation", {})
        answers[label] = (
            response.status_code,
            sorted(response.headers.keys()),
            re.sub(r"\d", "N", response.get_data(as_text=True)),
            invited.status_code,
            re.sub(r"\d", "N", invited.get_data(as_text=True)),
        )
    assert answers["known"][0] == 201 and answers["known"][3] == 201
    assert answers["known"] == answers["unknown"]
    assert link_row("Q1").victim_id != link_row("P1").victim_id
    assert link_row("Q1").victim.same_as_id == link_row("P1").victim_id

    # The same address twice on one crime is refused, and the refusal is on the trail.
    second = create(api)
    path = f"/crimes/{second['reference']}/victims"
    add_victim(api, second["reference"], "R1", email="kim@example.com", name="Kim Lee")
    assert problem(api.post(path, victim_body("R2", email="kim@example.com")), 409)
    fresh()
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "victim.add_refused"))
    assert (refused.actor_type, refused.actor_id, refused.detail) == (
        "api",
        api.client.id,
        "already_on_crime",
    )

    # An update to another victim's address gets the usual answer, and links nobody.
    taken = later(victim_body("R1", email="kim@example.com", name="Kim Lee"), email="sam.smith@example.com")
    assert ok(api.post(path, taken))["result"] == "updated"
    assert link_row("R1").victim.same_as_id == link_row("P1").victim_id
    assert (
        db.session.scalar(select(func.count()).where(CrimeVictim.victim_id == link_row("P1").victim_id)) == 1
    )


def test_a_records_system_adding_victims_too_fast_is_throttled(app, ctx, api, monkeypatch):
    monkeypatch.setitem(app.config, "API_VICTIM_ADD_LIMIT", "2 per hour")
    crime = create(api)
    path = f"/crimes/{crime['reference']}/victims"
    add_victim(api, crime["reference"], "T1", email="t1@example.com")
    add_victim(api, crime["reference"], "T2", email="t2@example.com")
    throttled = api.post(path, victim_body("T3", email="t3@example.com"))
    body = problem(throttled, 429)
    assert "too many victims" in body["detail"]
    assert int(throttled.headers["Retry-After"]) > 0
    fresh()
    assert db.session.scalar(select(func.count()).select_from(CrimeVictim)) == 2
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "victim.add_refused"))
    assert (refused.actor_type, refused.record_id, refused.detail) == (
        "api",
        str(crime_row(crime["reference"]).id),
        "throttled",
    )
    # Updating a victim already held is not an addition.
    assert (
        ok(api.post(path, later(victim_body("T1", email="t1@example.com"), name="T One")))["result"]
        == "updated"
    )


def test_an_event_is_recorded_once_whatever_the_retries(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    add_victim(api, reference, "P1")
    add_victim(api, reference, "P2")
    arrest = {"event_id": "NICHE-77", "kind": "arrest", "occurred_at": ago(days=1)}

    first = ok(api.post(f"/crimes/{reference}/events", arrest), 201)
    assert first["event"] == {
        "event_id": "NICHE-77",
        "kind": "arrest",
        "occurred_at": first["event"]["occurred_at"],
        "victims_to_tell": 2,
    }
    assert datetime_of(first["event"]["occurred_at"]) == datetime_of(arrest["occurred_at"])
    again = ok(api.post(f"/crimes/{reference}/events", arrest))
    assert (again["result"], again["event"]["victims_to_tell"]) == ("unchanged", 2)

    row = crime_row(reference)
    [update] = db.session.scalars(
        select(InvestigationUpdate).where(
            InvestigationUpdate.crime_id == row.id, InvestigationUpdate.source_ref == "NICHE-77"
        )
    )
    assert (update.kind, update.visible_to_victim, update.api_client_id, update.author_id) == (
        "arrest",
        False,
        api.client.id,
        None,
    )
    told = db.session.scalars(select(Entitlement).where(Entitlement.update_id == update.id)).all()
    assert len(told) == 2 and {e.crime_victim_id for e in told} == {link_row("P1").id, link_row("P2").id}
    # The same id for another kind of event is a conflict, not a second event.
    assert problem(api.post(f"/crimes/{reference}/events", {**arrest, "kind": "charge"}), 409)
    # An event that has not happened yet is bad input.
    future = {
        "event_id": "NICHE-78",
        "kind": "charge",
        "occurred_at": (utcnow() + timedelta(hours=2)).isoformat(),
    }
    assert pointers(problem(api.post(f"/crimes/{reference}/events", future), 422)) == ["/occurred_at"]
    fresh()
    assert (
        db.session.scalar(
            select(func.count(InvestigationUpdate.id)).where(InvestigationUpdate.crime_id == row.id)
        )
        == 1
    )


def test_a_cancellation_pushed_follows_the_gravity_matrix(app, ctx, api):
    body = create(api, offence="rape")
    path = f"/crimes/{body['reference']}/events"
    cancellation = {"reason": "C2", "evidence": "The account was withdrawn.", "authorised_by": api.ddm_collar}
    cancel = {
        "event_id": "CAN-G1",
        "kind": "cancelled",
        "occurred_at": ago(hours=1),
        "cancellation": cancellation,
    }
    # A DDM may not decide that no rape occurred (the default matrix: the FCR only).
    refused = problem(api.post(path, cancel), 422)
    assert pointers(refused) == ["/cancellation/authorised_by"]
    assert "Only the force crime registrar can authorise" in refused["errors"][0]["detail"]
    row = crime_row(body["reference"])
    assert (row.cancelled_at, row.cancellation_rule) == (None, None)
    # A duplicate the DDM may cancel, and the rule that allowed it is kept.
    duplicate = {**cancel, "event_id": "CAN-G2", "cancellation": {**cancellation, "reason": "C3"}}
    assert ok(api.post(path, duplicate), 201)["event"]["kind"] == "cancelled"
    row = crime_row(body["reference"])
    assert (row.cancelled_by_role, row.cancellation_gravity, row.cancellation_rule) == (
        "ddm",
        "most_serious",
        "most_serious:C3=ddm+fcr",
    )


def test_a_cancellation_needs_a_ddm_and_ends_what_can_be_pushed(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    add_victim(api, reference, "P1")
    path = f"/crimes/{reference}/events"
    cancellation = {
        "reason": "C4",
        "evidence": "Recorded against the wrong address.",
        "authorised_by": api.collar,
    }
    cancel = {
        "event_id": "CAN-1",
        "kind": "cancelled",
        "occurred_at": ago(hours=1),
        "cancellation": cancellation,
    }

    # An officer cannot authorise it, nor can someone unknown.
    assert pointers(problem(api.post(path, cancel), 422)) == ["/cancellation/authorised_by"]
    unknown = {**cancel, "cancellation": {**cancellation, "authorised_by": "X999"}}
    assert pointers(problem(api.post(path, unknown), 422)) == ["/cancellation/authorised_by"]
    # A cancellation goes with, and only with, an event of kind cancelled.
    assert problem(api.post(path, {k: v for k, v in cancel.items() if k != "cancellation"}), 422)
    assert problem(api.post(path, {**cancel, "kind": "arrest"}), 422)
    assert crime_row(reference).cancelled_at is None

    by_ddm = {**cancel, "cancellation": {**cancellation, "authorised_by": api.ddm_collar}}
    written = ok(api.post(path, by_ddm), 201)
    assert written["event"]["kind"] == "cancelled"
    row = crime_row(reference)
    ddm = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == api.ddm_collar))
    assert (row.stage, row.cancellation_reason, row.cancelled_by_id, row.cancelled_by_role) == (
        "cancelled",
        "C4",
        ddm.id,
        "ddm",
    )
    assert row.cancelled_at == datetime_of(cancel["occurred_at"])
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.crime_cancel")).actor_id
        == api.client.id
    )

    # The same cancellation again is unchanged; nothing else may be pushed to the crime.
    assert ok(api.post(path, by_ddm))["result"] == "unchanged"
    assert problem(api.post(path, {**by_ddm, "event_id": "CAN-2"}), 409)
    assert problem(api.post(path, {"event_id": "E9", "kind": "arrest", "occurred_at": ago(minutes=5)}), 409)
    assert problem(api.post(f"/crimes/{reference}/victims", victim_body("P2")), 409)
    assert problem(api.post("/crimes", later(body, offence="robbery_personal")), 409)
    assert problem(api.post("/crimes", later(body, officer_in_charge=api.ddm_collar)), 409)
    # The records system cannot send the cancelled stage (it sends the cancellation as
    # an event), so the crime pushed again as it holds it is unchanged.
    assert ok(api.post("/crimes", later(body, minutes=2)))["result"] == "unchanged"
    row = crime_row(reference)
    assert (row.stage, row.offence, row.source_updated_at) == (
        "cancelled",
        "burglary_residential",
        datetime_of(later(body, minutes=2)["updated_at"]),
    )

    # The Force Crime Registrar may authorise one too.
    fcr = factories.staff(roles=("fcr",), name="Force Crime Registrar")
    other = create(api)
    by_fcr = {**cancel, "cancellation": {**cancellation, "reason": "C2", "authorised_by": fcr.collar_number}}
    ok(api.post(f"/crimes/{other['reference']}/events", by_fcr), 201)
    row = crime_row(other["reference"])
    assert (row.cancellation_reason, row.cancelled_by_id, row.cancelled_by_role) == ("C2", fcr.id, "fcr")


# ------------------------------------------------------------------------- invitation


def test_a_victim_is_invited_once(app, ctx, api, messages):
    body = create(api)
    reference = body["reference"]
    add_victim(api, reference, "P1", email="jo.bloggs@example.com")
    path = f"/crimes/{reference}/victims/P1/invitation"

    first = ok(api.post(path, {}), 201)
    assert first["result"] == "invited"
    link = link_row("P1")
    [live] = db.session.scalars(select(AccountLink).where(AccountLink.victim_id == link.victim_id))
    assert datetime_of(first["expires_at"]) == live.expires_at
    sent = messages()
    assert [(m["kind"], m["to"]) for m in sent] == [("invitation", "jo.bloggs@example.com")]

    again = ok(api.post(path, {}))
    assert (again["result"], again["expires_at"]) == ("already_invited", first["expires_at"])
    assert messages() == sent
    fresh()
    assert db.session.scalar(select(func.count(AccountLink.id))) == 1
    assert ok(api.get(f"/crimes/{reference}"))["victims"][0]["account"] == "invited"

    # No one to invite: no email address, an account already, or no such victim.
    add_victim(api, reference, "P2", email=None, phone="07700 900111", contact_channel="phone")
    assert problem(api.post(f"/crimes/{reference}/victims/P2/invitation", {}), 409)
    person = link.victim
    person.activated_at = utcnow()
    db.session.commit()
    assert problem(api.post(path, {}), 409)
    assert problem(api.post(f"/crimes/{reference}/victims/P9/invitation", {}), 404)
    # Nor is anything sent to a victim whom it is not safe to contact.
    plan = {"frequency_days": 28, "channel": "email", "language": "en", "safe_to_contact": False}
    add_victim(api, reference, "P3", email="hidden@example.com", contact_plan=plan)
    assert problem(api.post(f"/crimes/{reference}/victims/P3/invitation", {}), 409)
    assert problem(api.post(path, {"send": True}), 422)
    assert messages() == sent


# ------------------------------------------------------------------------ reading back


def test_entitlements_are_read_only_with_their_scope(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    add_victim(api, reference, "P1")
    assert ok(api.get(f"/crimes/{reference}"))["victims"][0]["entitlements"]

    client, secret = register(("crimes:read",))
    reader = ApiCaller(app, client.client_id, secret)
    crime = ok(reader.get(f"/crimes/{reference}"))
    assert crime["victims"][0]["entitlements"] is None
    assert crime["victims"][0]["enhanced_rights"] == []
    # A token asked for with fewer scopes than the client holds reads no more than them.
    narrow = ApiCaller(app, api.client_id, api.secret, "crimes:read")
    assert ok(narrow.get(f"/crimes/{reference}"))["victims"][0]["entitlements"] is None
    # Without crimes:write it writes nothing; without crimes:read it reads nothing.
    assert problem(narrow.post("/crimes", later(body, stage="charged")), 403)
    writer_client, writer_secret = register(("crimes:write",))
    writer = ApiCaller(app, writer_client.client_id, writer_secret)
    assert problem(writer.get(f"/crimes/{reference}"), 403)
    assert problem(api.get("/crimes/NX/2026/999999"), 404)


def test_victims_see_no_internal_data_and_staff_see_the_records_system(
    app, ctx, api, messages, client, victim_client
):
    body = create(api)
    reference = body["reference"]
    add_victim(api, reference, "NICHE-PERSON-5531", email="jo.bloggs@example.com", name="Jo Bloggs")
    ok(api.post(f"/crimes/{reference}/victims/NICHE-PERSON-5531/invitation", {}), 201)
    [invitation] = messages()
    path = activation_path(invitation)
    page = victim_client.post(path, {"password": "correct horse battery", "confirm": "correct horse battery"})
    assert page.status == 302
    victim_client.victim_sign_in("jo.bloggs@example.com", "correct horse battery")

    event(api, reference, "NICHE-EVENT-88120", victim_text="We have arrested a suspect.")
    event(api, reference, "NICHE-EVENT-88121", kind="interview")
    messages()  # the notice of the arrest goes before the next one is due
    evidence = "Intelligence log 4471: same incident as NX/2026/000001."
    event(
        api,
        reference,
        "NICHE-EVENT-88122",
        kind="cancelled",
        occurred_at=ago(minutes=10),
        cancellation={"reason": "C3", "evidence": evidence, "authorised_by": api.ddm_collar},
    )

    name = api.client.name
    ddm = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == api.ddm_collar))
    internal = [
        name,
        "NICHE-PERSON-5531",
        "NICHE-EVENT-88120",
        "NICHE-EVENT-88122",
        evidence,
        "4471",
        ddm.name,
        "records system",
    ]

    link = link_row("NICHE-PERSON-5531")
    case = victim_client.get(f"/cases/{link.public_id}")
    assert case.status == 200
    assert "We have arrested a suspect." in case.main_text
    assert "already recorded under another reference" in case.main_text
    assert "Suspect interviewed" not in case.main_text  # an event without words for the victim
    rights = victim_client.get(f"/cases/{link.public_id}/rights")
    assert rights.status == 200
    for page in (case, rights):
        for secret in internal:
            assert secret.lower() not in page.text.lower(), (page.response.request.path, secret)
    updates_sent = messages()[1:]
    assert [m["kind"] for m in updates_sent] == ["new_update", "new_update"]
    for message in updates_sent:
        for secret in [*internal, reference, "burglary"]:
            assert secret.lower() not in (message["subject"] + message["body"]).lower(), secret

    # Staff see who wrote each entry: the records system, by name.
    officer = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == api.collar))
    sign_in_as(client, officer)
    page = client.get(f"/backoffice/crimes/{link.crime_id}")
    assert page.status == 200
    assert page.main_text.count(f"from the records system {name}") == 2


# -------------------------------------------------------------------------- bad input


def _bad_crimes(api: ApiCaller):
    reference = new_reference()
    good = crime_body(reference, api.collar)
    reported = datetime_of(good["reported_at"])
    yield "unknown field", good | {"colour": "red"}, 422
    yield "reference", good | {"reference": "x"}, 422
    yield "offence", good | {"offence": "murder"}, 422
    yield "no time zone", good | {"reported_at": "2026-11-01T10:00:00"}, 422
    yield "not a date", good | {"occurred_at": "yesterday"}, 422
    yield "officer", good | {"officer_in_charge": "NOBODY1"}, 422
    yield "occurred after reported", good | {"occurred_at": (reported + timedelta(hours=1)).isoformat()}, 422
    yield "recorded before reported", good | {"recorded_at": (reported - timedelta(hours=1)).isoformat()}, 422
    yield "recorded in the future", good | {"recorded_at": (utcnow() + timedelta(days=1)).isoformat()}, 422
    yield (
        "reported in the future",
        good
        | {
            "reported_at": (utcnow() + timedelta(days=1)).isoformat(),
            "recorded_at": (utcnow() + timedelta(days=1)).isoformat(),
        },
        422,
    )
    yield "outcome", good | {"outcome": 23}, 422
    yield "outcome as text", good | {"outcome": "15"}, 422
    yield "final stage", good | {"stage": "closed"}, 422
    yield "neither stage nor outcome", {k: v for k, v in good.items() if k != "stage"}, 422
    yield "closed with a stage", good | {"outcome": 15}, 422
    yield "charged at an open stage", good | {"outcome": 1}, 422
    yield "not an object", [good], 422
    yield "null", None, 415  # no body at all


@pytest.mark.time_sensitive
def test_bad_crimes_are_refused_with_problem_details(app, ctx, api):
    for what, body, status in _bad_crimes(api):
        refused = problem(api.post("/crimes", body), status)
        assert refused["detail"], what
    assert db.session.scalar(select(func.count(Crime.id))) == 0


def test_bad_victims_events_and_requests_are_refused_with_problem_details(app, ctx, api):
    body = create(api)
    reference = body["reference"]
    add_victim(api, reference, "P1")
    victims_path, events_path = f"/crimes/{reference}/victims", f"/crimes/{reference}/events"
    good_victim = victim_body("P2")
    good_event = {"event_id": "E1", "kind": "arrest", "occurred_at": ago(hours=2)}
    cases = [
        (victims_path, good_victim | {"email": "not an address"}, 422),
        (victims_path, good_victim | {"phone": "call me"}, 422),
        (victims_path, good_victim | {"name": "   "}, 422),
        (victims_path, good_victim | {"preferred_language": "fr"}, 422),
        (victims_path, good_victim | {"date_of_birth": "2020-13-01"}, 422),
        (victims_path, good_victim | {"victim_ref": "has space"}, 422),
        (
            victims_path,
            good_victim | {"contact_plan": {"frequency_days": 0, "channel": "email", "language": "en"}},
            422,
        ),
        (victims_path, good_victim | {"enhanced_rights": [{"category": "brave", "reason": "assessed"}]}, 422),
        ("/crimes/NX/2026/999999/victims", good_victim, 404),
        (events_path, good_event | {"kind": "coffee"}, 422),
        (events_path, good_event | {"event_id": "has space"}, 422),
        (events_path, good_event | {"victim_text": "   "}, 422),
        (events_path, good_event | {"occurred_at": "2026-11-01T10:00:00"}, 422),
        ("/crimes/NX/2026/999999/events", good_event, 404),
        ("/crimes/NX/2026/999999/victims/P1/invitation", {}, 404),
    ]
    before = snapshot()
    for path, bad, status in cases:
        problem(api.post(path, bad), status)

    # Not JSON, broken JSON, no idempotency key, too large.
    headers = api.headers("bad-input-1")
    problem(
        api.raw(
            "post",
            "/crimes",
            data="reference=1",
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        ),
        415,
    )
    problem(
        api.raw(
            "post",
            "/crimes",
            data="{not json",
            headers=api.headers("bad-input-2"),
            content_type="application/json",
        ),
        400,
    )
    problem(
        api.raw(
            "post",
            "/crimes",
            data="null",
            headers=api.headers("bad-input-4"),
            content_type="application/json",
        ),
        422,
    )
    problem(api.raw("post", "/crimes", json=body, headers=api.headers()), 400)
    huge = good_event | {"victim_text": "x" * 70000}
    problem(api.raw("post", events_path, json=huge, headers=api.headers("bad-input-3")), 413)
    assert snapshot() == before
