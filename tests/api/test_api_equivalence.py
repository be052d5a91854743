"""The same sequence of events, recorded once by an officer in the back office and once
pushed by a records system through `/api/v1`, owes each victim exactly the same under
the Victims' Code: the same entitlements, triggered at the same moments, due at the
same times, enhanced or not, in the same state; and the same enhanced-rights categories.

The back office is driven through its services, as the officer's pages drive them; the
API through HTTP. Times are fixed in the past so that every deadline is exact, and
chosen to straddle the bank holidays of May and August 2026. Two moments come from the
clock in either run and so differ by the milliseconds between the runs: when a victim's
regular updates start (when they were added, or last told) and when an outcome is
recorded. Those are compared by what they are and by the local date they fall due.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import Crime, CrimeVictim, Entitlement, StaffMember, Victim
from shared.models.types import utcnow
from shared.services import (
    calendar,
    court,
    crimes,
    entitlements,
    reports,
    updates,
    victims,
    victims_code_actions,
)
from shared.services.passwords import hash_password
from tests.api_helpers import records_system  # noqa: F401  (fixture)
from tests.factories import PASSWORD


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Every sequence here happened in 2026; the tests run on 1 December 2026, whenever the suite runs.
pytestmark = pytest.mark.time_machine(utc(2026, 12, 1, 12), tick=True)


def iso(moment: datetime) -> str:
    return moment.isoformat()


_refs = itertools.count(1)


# ------------------------------------------------------------------ the steps


@dataclass(frozen=True)
class Record:
    offence: str
    occurred_at: datetime
    reported_at: datetime
    recorded_at: datetime
    stage: str = "under_investigation"


@dataclass(frozen=True)
class AddVictim:
    name: str
    date_of_birth: date | None
    email: bool = True  # each run gives its own address: an address belongs to one victim
    uses_service: bool = False  # sets up an account as soon as they are added


@dataclass(frozen=True)
class Event:
    kind: str
    occurred_at: datetime
    victim_text: str | None = None  # given: the victim can read it


@dataclass(frozen=True)
class Stage:
    stage: str


@dataclass(frozen=True)
class Assess:
    name: str
    rights: dict  # category: reason, as the officer assesses them


@dataclass(frozen=True)
class Plan:
    name: str
    frequency_days: int


@dataclass(frozen=True)
class Outcome:
    outcome: int


@dataclass(frozen=True)
class Cancel:
    reason: str
    evidence: str


@dataclass(frozen=True)
class Court:
    kind: str
    occurred_at: datetime
    hearing: str | None = None  # the hearing listed, or the one it is about
    court: str | None = None
    starts_at: datetime | None = None
    reason: str | None = None
    verdict: str | None = None
    sentence: tuple[str, int | None] | None = None  # kind, months


@dataclass(frozen=True)
class Referral:
    name: str
    way: str
    at: datetime


# ------------------------------------------------------------- the two runs


def _email(name: str, run: str) -> str:
    return f"{name.split()[0].lower()}.{run}.{next(_refs)}@example.com"


def _sets_up_account(link: CrimeVictim) -> None:
    link.victim.password_hash = hash_password(PASSWORD)
    link.victim.activated_at = utcnow()
    db.session.commit()


def _staff(collar: str) -> StaffMember:
    return db.session.scalar(select(StaffMember).where(StaffMember.collar_number == collar))


def in_back_office(steps, officer: StaffMember, ddm: StaffMember) -> tuple[Crime, dict]:
    """The sequence as an officer (and a DDM, for a cancellation) records it. Returns the
    crime and the moments the clock chose that the records system then sends as they
    happened (the cancellation)."""
    crime, links, moments, hearings = None, {}, {}, {}
    for step in steps:
        if isinstance(step, Record):
            crime = crimes.record_crime(
                reference=f"BO/{next(_refs):05d}/26",
                offence=step.offence,
                occurred_at=step.occurred_at,
                reported_at=step.reported_at,
                recorded_at=step.recorded_at,
                officer_in_charge=officer,
                stage=step.stage,
                by=officer,
            )
        elif isinstance(step, AddVictim):
            details = victims.VictimDetails(
                name=step.name,
                date_of_birth=step.date_of_birth,
                email=_email(step.name, "office") if step.email else None,
                phone=None if step.email else "07700 900123",
                preferred_language="en",
                contact_channel="email" if step.email else "phone",
                interpreter_language=None,
                communication_needs=None,
            )
            links[step.name] = victims.add_victim(crime, details, by=officer)
            if step.uses_service:
                _sets_up_account(links[step.name])
        elif isinstance(step, Event):
            updates.post_update(
                crime,
                kind=step.kind,
                victim_text=step.victim_text,
                internal_note=None if step.victim_text else f"Recorded on the system: {step.kind}.",
                visible=step.victim_text is not None,
                by=officer,
                occurred_at=step.occurred_at,
            )
        elif isinstance(step, Stage):
            crimes.change_stage(crime, step.stage, None, False, officer)
        elif isinstance(step, Assess):
            victims_code_actions.assess_enhanced_rights(links[step.name], dict(step.rights), None, officer)
        elif isinstance(step, Plan):
            victims_code_actions.change_contact_plan(
                links[step.name],
                frequency_days=step.frequency_days,
                channel="email",
                language="en",
                safe_to_contact=True,
                opted_out=False,
                note=None,
                by=officer,
            )
        elif isinstance(step, Outcome):
            crimes.record_outcome(crime, step.outcome, None, False, officer)
        elif isinstance(step, Cancel):
            victims_code_actions.cancel_crime(crime, step.reason, step.evidence, ddm)
            moments["cancelled_at"] = crime.cancelled_at
        elif isinstance(step, Court):
            listing = step.court is not None
            court.record_event(
                crime,
                court.CourtEventDetails(
                    kind=step.kind,
                    occurred_at=step.occurred_at,
                    hearing=None if listing or step.hearing is None else hearings[step.hearing],
                    court=step.court,
                    starts_at=step.starts_at,
                    reason=step.reason,
                    verdict=step.verdict,
                    sentence_kind=step.sentence[0] if step.sentence else None,
                    sentence_months=step.sentence[1] if step.sentence else None,
                ),
                officer,
            )
            if listing:
                hearings[step.hearing] = court.hearings_of(crime)[-1]
        elif isinstance(step, Referral):
            ent = court.referral_owed(links[step.name])
            victims_code_actions.record_action(ent, step.way, step.at, officer)
        else:  # pragma: no cover
            raise AssertionError(step)
    return crime, moments


def through_api(api, steps, moments: dict) -> str:
    """The same sequence as a records system pushes it. Returns the crime reference."""
    reference = f"API/{next(_refs):05d}/26"
    versions = (utc(2026, 11, 1) + timedelta(minutes=n) for n in itertools.count())
    crime_body, victim_bodies = None, {}
    events = itertools.count(1)

    def post(path, body, status):
        response = api.post(path, body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    for step in steps:
        if isinstance(step, Record):
            crime_body = {
                "reference": reference,
                "offence": step.offence,
                "occurred_at": iso(step.occurred_at),
                "reported_at": iso(step.reported_at),
                "recorded_at": iso(step.recorded_at),
                "officer_in_charge": api.collar,
                "stage": step.stage,
                "updated_at": iso(next(versions)),
            }
            assert post("/crimes", crime_body, 201)["result"] == "created"
        elif isinstance(step, AddVictim):
            victim_ref = f"V{next(events)}"
            body = {
                "victim_ref": victim_ref,
                "name": step.name,
                "date_of_birth": step.date_of_birth.isoformat() if step.date_of_birth else None,
                "email": _email(step.name, "api") if step.email else None,
                "phone": None if step.email else "07700 900123",
                "preferred_language": "en",
                "contact_channel": "email" if step.email else "phone",
                "updated_at": iso(next(versions)),
            }
            victim_bodies[step.name] = body
            assert post(f"/crimes/{reference}/victims", body, 201)["result"] == "created"
            if step.uses_service:
                link = db.session.scalar(select(CrimeVictim).where(CrimeVictim.source_ref == victim_ref))
                _sets_up_account(link)
        elif isinstance(step, Event):
            body = {"event_id": f"EV-{next(events)}", "kind": step.kind, "occurred_at": iso(step.occurred_at)}
            if step.victim_text:
                body["victim_text"] = step.victim_text
            assert post(f"/crimes/{reference}/events", body, 201)["result"] == "created"
        elif isinstance(step, Stage):
            crime_body = {**crime_body, "stage": step.stage, "updated_at": iso(next(versions))}
            assert post("/crimes", crime_body, 200)["result"] == "updated"
        elif isinstance(step, Assess | Plan):
            body = {**victim_bodies[step.name], "updated_at": iso(next(versions))}
            if isinstance(step, Assess):
                body["enhanced_rights"] = [{"category": c, "reason": r} for c, r in step.rights.items()]
            else:
                body["contact_plan"] = {
                    "frequency_days": step.frequency_days,
                    "channel": "email",
                    "language": "en",
                }
            victim_bodies[step.name] = body
            assert post(f"/crimes/{reference}/victims", body, 200)["result"] == "updated"
        elif isinstance(step, Outcome):
            crime_body = {**crime_body, "outcome": step.outcome, "updated_at": iso(next(versions))}
            crime_body.pop("stage")
            assert post("/crimes", crime_body, 200)["result"] == "updated"
        elif isinstance(step, Cancel):
            body = {
                "event_id": f"EV-{next(events)}",
                "kind": "cancelled",
                "occurred_at": iso(moments["cancelled_at"]),
                "cancellation": {
                    "reason": step.reason,
                    "evidence": step.evidence,
                    "authorised_by": api.ddm_collar,
                },
            }
            assert post(f"/crimes/{reference}/events", body, 201)["result"] == "created"
        elif isinstance(step, Court):
            body = {"event_id": f"CE-{next(events)}", "kind": step.kind, "occurred_at": iso(step.occurred_at)}
            optional = {
                "hearing_ref": step.hearing,
                "court": step.court,
                "starts_at": step.starts_at and iso(step.starts_at),
                "reason": step.reason,
                "verdict": step.verdict,
                "sentence": step.sentence and {"kind": step.sentence[0], "months": step.sentence[1]},
            }
            body.update({name: value for name, value in optional.items() if value is not None})
            assert post(f"/crimes/{reference}/court-events", body, 201)["result"] == "created"
        elif isinstance(step, Referral):
            victim_ref = victim_bodies[step.name]["victim_ref"]
            body = {"way": step.way, "at": iso(step.at)}
            assert post(f"/crimes/{reference}/victims/{victim_ref}/victim-contact-scheme", body, 201)
        else:  # pragma: no cover
            raise AssertionError(step)
    return reference


# ------------------------------------------------------------- comparing


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _state(status: str) -> str:
    return {"pending": "open", "overdue": "open", "met_on_time": "met", "met_late": "met"}.get(status, status)


def _canonical(rule, event_kind, triggered_at, due_at, enhanced, state, status, outcome_at) -> tuple:
    """One entitlement as compared: its trigger and due time exactly, except where the
    trigger is a moment the clock chose (see the module docstring)."""
    if rule == "contact_update":
        trigger, due = "when the regular updates started", due_at and calendar.local_date(due_at)
    elif outcome_at is not None and triggered_at == outcome_at:
        trigger, due = "when the outcome was recorded", due_at and calendar.local_date(due_at)
    else:
        trigger, due = triggered_at, due_at
    return tuple(str(part) for part in (rule, event_kind, trigger, due, enhanced, state, status))


def office_view(crime: Crime) -> dict[str, dict]:
    """Per victim (by name): their enhanced-rights categories and entitlements, from the
    back office's own records."""
    now = utcnow()
    links = victims.victims_of_crime(crime)
    rights = entitlements.current_rights(link.id for link in links)
    names = {link.id: link.victim.name for link in links}
    out = {
        link.victim.name: {"rights": sorted(r.category for r in rights[link.id]), "owed": []}
        for link in links
    }
    rows = db.session.execute(
        select(Entitlement, entitlements.status_expression(now)).where(Entitlement.crime_id == crime.id)
    )
    for ent, status in rows:
        out[names[ent.crime_victim_id]]["owed"].append(
            _canonical(
                ent.rule,
                ent.event_kind,
                ent.triggered_at,
                ent.due_at,
                ent.enhanced,
                ent.state,
                status,
                crime.outcome_at,
            )
        )
    for victim in out.values():
        victim["owed"].sort()
    return out


def api_view(crime: dict) -> dict[str, dict]:
    """The same, as the records system reads it back."""
    outcome_at = _parse(crime["outcome_at"])
    out = {}
    for victim in crime["victims"]:
        owed = [
            _canonical(
                ent["rule"],
                ent["event_kind"],
                _parse(ent["triggered_at"]),
                _parse(ent["due_at"]),
                ent["enhanced"],
                _state(ent["status"]),
                ent["status"],
                outcome_at,
            )
            for ent in victim["entitlements"]
        ]
        out[victim["name"]] = {"rights": sorted(victim["enhanced_rights"]), "owed": sorted(owed)}
    return out


def run_both(app, api, steps) -> tuple[Crime, dict]:
    """Run the sequence both ways, check each victim is owed the same, and return the
    back office's crime and the API's view of its own."""
    officer, ddm = _staff(api.collar), _staff(api.ddm_collar)
    crime, moments = in_back_office(steps, officer, ddm)
    reference = through_api(api, steps, moments)
    db.session.commit()
    db.session.expire_all()

    response = api.get(f"/crimes/{reference}")
    assert response.status_code == 200, response.get_data(as_text=True)
    pushed = response.get_json()
    assert (_parse(pushed["recorded_at"]), pushed["stage"], pushed["outcome"]) == (
        crime.recorded_at,
        crime.stage,
        crime.outcome,
    )
    office, through = office_view(crime), api_view(pushed)
    assert list(through) == list(office)
    for name in office:
        assert through[name]["rights"] == office[name]["rights"], name
        assert through[name]["owed"] == office[name]["owed"], name
        assert office[name]["owed"], name
    # Nothing is owed twice, nor left out, in either run.
    pushed_crime = db.session.scalar(select(Crime).where(Crime.reference == reference))
    assert _count(pushed_crime) == _count(crime)
    return crime, pushed


def _count(crime: Crime) -> int:
    return db.session.scalar(select(func.count(Entitlement.id)).where(Entitlement.crime_id == crime.id))


def owed(pushed: dict, name: str, rule: str, event_kind: str | None = None) -> list[dict]:
    [victim] = [v for v in pushed["victims"] if v["name"] == name]
    return [e for e in victim["entitlements"] if e["rule"] == rule and e["event_kind"] == event_kind]


def due(pushed: dict, name: str, rule: str, event_kind: str | None = None) -> datetime:
    [ent] = owed(pushed, name, rule, event_kind)
    return _parse(ent["due_at"])


# ------------------------------------------------------------------ sequences

# A burglary reported on Thursday 30 April 2026 at 20:00 BST and recorded the next
# morning, across the Early May bank holiday (Monday 4 May) and the Spring bank holiday
# (Monday 25 May).
BURGLARY = [
    Record("burglary_residential", utc(2026, 4, 30, 17), utc(2026, 4, 30, 19), utc(2026, 5, 1, 8)),
    AddVictim("Jane Doe", date(1979, 6, 1), uses_service=True),
    AddVictim("Tom Baker", date(1990, 2, 11)),
    Event("arrest", utc(2026, 5, 1, 15), "A suspect has been arrested."),  # Friday 1 May, 16:00 BST
    Stage("suspect_identified"),
    Event("interview", utc(2026, 5, 1, 18)),
    Event("bail", utc(2026, 5, 2, 9), "The suspect was released on bail."),  # Saturday 2 May
    Assess("Tom Baker", {"persistently_targeted": "assessed"}),
    Plan("Jane Doe", 14),
    Stage("awaiting_decision"),
    Event("charge", utc(2026, 5, 22, 14)),  # Friday 22 May, 15:00 BST
    Outcome(1),
]


def test_a_burglary_to_charge_is_owed_the_same_through_the_api(app, ctx, api):
    crime, pushed = run_both(app, api, BURGLARY)

    # Working days skip the Early May bank holiday: from Friday 1 May, 5 of them end on
    # Monday 11 May, 23:59:59 BST.
    assert due(pushed, "Jane Doe", "event_told", "arrest") == utc(2026, 5, 11, 22, 59, 59)
    assert due(pushed, "Jane Doe", "acknowledgement") == utc(2026, 5, 11, 22, 59, 59)
    # 2 working days from the report on Thursday 30 April: Friday 1 and Tuesday 5 May.
    assert due(pushed, "Tom Baker", "referral") == utc(2026, 5, 5, 22, 59, 59)
    # A bail on the Saturday counts from that Saturday.
    assert due(pushed, "Jane Doe", "event_told", "bail") == utc(2026, 5, 11, 22, 59, 59)
    # Tom's assessment after the bail: what was still open takes 1 working day...
    assert due(pushed, "Tom Baker", "event_told", "bail") == utc(2026, 5, 5, 22, 59, 59)
    assert due(pushed, "Tom Baker", "event_told", "interview") == utc(2026, 5, 5, 22, 59, 59)
    # ...and the charge, on the Friday before the Spring bank holiday, is due on Tuesday
    # 26 May for him, Monday 1 June for Jane.
    assert due(pushed, "Tom Baker", "event_told", "charge") == utc(2026, 5, 26, 22, 59, 59)
    assert due(pushed, "Jane Doe", "event_told", "charge") == utc(2026, 6, 1, 22, 59, 59)
    assert due(pushed, "Jane Doe", "vps_offer") == utc(2026, 5, 22, 22, 59, 59)
    # Jane uses the service: the updates she could read told her there and then.
    [arrest] = owed(pushed, "Jane Doe", "event_told", "arrest")
    assert arrest["met"] and arrest["status"] == "met_late"
    # The charge is not told twice, and the regular updates ended with the outcome.
    assert len(owed(pushed, "Tom Baker", "event_told", "charge")) == 1
    assert {e["status"] for e in owed(pushed, "Tom Baker", "contact_update")} == {"not_applicable"}
    assert crime.stage == "charged"


# A rape reported on Thursday 27 August 2026, across the Summer bank holiday (Monday 31
# August); one victim is 14, so every victim has enhanced rights without an assessment.
SEXUAL_OFFENCE = [
    Record("rape", utc(2026, 8, 27, 13), utc(2026, 8, 27, 19), utc(2026, 8, 28, 8)),
    AddVictim("Ellie Hughes", date(2012, 3, 14), email=False),
    AddVictim("Amira Hassan", date(1994, 7, 9)),
    Event("arrest", utc(2026, 8, 28, 15)),  # Friday 28 August, 16:00 BST
    Event("interview", utc(2026, 8, 29, 10), "The suspect has been interviewed."),  # Saturday
    Event("released_under_investigation", utc(2026, 8, 31, 11)),  # the bank holiday itself
    Stage("awaiting_decision"),
    Outcome(16),
]


def test_a_sexual_offence_against_a_child_is_owed_the_same_through_the_api(app, ctx, api):
    crime, pushed = run_both(app, api, SEXUAL_OFFENCE)

    rights = {v["name"]: set(v["enhanced_rights"]) for v in pushed["victims"]}
    assert rights == {
        "Ellie Hughes": {"most_serious", "intimidated", "vulnerable"},
        "Amira Hassan": {"most_serious", "intimidated"},
    }
    # 1 working day, whatever the day the event fell on, skipping the bank holiday:
    # Tuesday 1 September, 23:59:59 BST.
    for name in rights:
        for kind in ("arrest", "interview", "released_under_investigation"):
            assert due(pushed, name, "event_told", kind) == utc(2026, 9, 1, 22, 59, 59), (name, kind)
        assert all(e["enhanced"] for v in pushed["victims"] for e in v["entitlements"])
        # No one was charged: the Victim Personal Statement offer no longer applies, and
        # the decision is to be told within 1 working day of when it was recorded.
        [nfa] = owed(pushed, name, "event_told", "released_nfa")
        assert nfa["triggered_at"] == pushed["outcome_at"]
        assert _parse(nfa["due_at"]) == calendar.working_day_deadline(_parse(pushed["outcome_at"]), 1)
        assert [e["status"] for e in owed(pushed, name, "vps_offer")] == ["not_applicable"]
    assert crime.stage == "closed"


# A burglary cancelled as a duplicate (C3) by a Designated Decision Maker after an
# arrest: nothing more is owed but being told of the cancellation.
CANCELLED = [
    Record("burglary_residential", utc(2026, 11, 2, 8), utc(2026, 11, 2, 10), utc(2026, 11, 2, 12)),
    AddVictim("Gareth Jones", date(1968, 12, 1)),
    AddVictim("Sian Jones", date(2010, 5, 5), email=False),
    Event("arrest", utc(2026, 11, 10, 9)),
    Cancel("C3", "Already recorded under the first report of the same break-in."),
]


def test_a_cancellation_authorised_by_a_ddm_is_owed_the_same_through_the_api(app, ctx, api):
    crime, pushed = run_both(app, api, CANCELLED)

    assert pushed["stage"] == "cancelled"
    assert pushed["cancellation"]["reason"] == "C3"
    assert _parse(pushed["cancellation"]["at"]) == crime.cancelled_at
    for victim in pushed["victims"]:
        [told] = owed(pushed, victim["name"], "event_told", "cancelled")
        assert (told["status"], _parse(told["triggered_at"])) == ("pending", crime.cancelled_at)
        others = [e for e in victim["entitlements"] if e is not told]
        assert {e["status"] for e in others} == {"not_applicable"}
    # Sian was 16 when it was reported: told within 1 working day; Gareth within 5.
    assert due(pushed, "Sian Jones", "event_told", "cancelled") == calendar.working_day_deadline(
        crime.cancelled_at, 1
    )
    assert due(pushed, "Gareth Jones", "event_told", "cancelled") == calendar.working_day_deadline(
        crime.cancelled_at, 5
    )
    # Who authorised it is the same member of staff either way.
    pushed_crime = db.session.scalar(select(Crime).where(Crime.reference == pushed["reference"]))
    assert pushed_crime.cancelled_by_id == crime.cancelled_by_id
    assert pushed_crime.cancelled_by_role == crime.cancelled_by_role == "ddm"
    assert db.session.scalar(select(func.count(Victim.id))) == 4


# An assault (actual bodily harm) charged on Friday 3 July 2026, through court to a
# sentence of 18 months in custody: each court event is the Witness Care Unit's to tell
# within 1 working day; the sentence opens the Victim Contact Scheme (20 working days),
# and the referral meets it. Across the Summer bank holiday (Monday 31 August).
AT_COURT = [
    Record("abh", utc(2026, 6, 20, 21), utc(2026, 6, 20, 23), utc(2026, 6, 21, 8)),
    AddVictim("Megan Price", date(1988, 9, 3), uses_service=True),
    AddVictim("Owen Price", date(2011, 1, 15)),
    Event("charge", utc(2026, 7, 3, 14)),
    Outcome(1),
    Court(
        "first_hearing_listed", utc(2026, 7, 6, 9), "H1", "Cardiff Magistrates’ Court", utc(2026, 7, 20, 9)
    ),
    Court("hearing_adjourned", utc(2026, 7, 20, 11), "H1", reason="witness_unavailable"),
    Court("trial_listed", utc(2026, 7, 21, 9), "H2", "Cardiff Crown Court", utc(2026, 8, 24, 9)),
    Court("trial_started", utc(2026, 8, 24, 9), "H2"),
    Court("verdict", utc(2026, 8, 28, 15), "H2", verdict="guilty"),  # Friday before the bank holiday
    Court("sentence", utc(2026, 9, 25, 12), sentence=("custody", 18)),
    Referral("Megan Price", "referred", utc(2026, 10, 1, 10)),
]


def test_a_case_through_court_to_the_victim_contact_scheme_is_owed_the_same_through_the_api(app, ctx, api):
    crime, pushed = run_both(app, api, AT_COURT)

    assert crime.stage == pushed["stage"] == "at_court"
    # The verdict on the Friday before the Summer bank holiday: told by Tuesday 1 September.
    for name in ("Megan Price", "Owen Price"):
        assert due(pushed, name, "court_told", "verdict") == utc(2026, 9, 1, 22, 59, 59)
        # The adjournment, on Monday 20 July: told by Tuesday 21 July.
        assert due(pushed, name, "court_told", "hearing_adjourned") == utc(2026, 7, 21, 22, 59, 59)
        # 18 months for an assault: the Victim Contact Scheme, 20 working days from
        # Friday 25 September: Friday 23 October.
        assert due(pushed, name, "victim_contact_scheme") == utc(2026, 10, 23, 22, 59, 59)
        assert len(owed(pushed, name, "court_told", None)) == 0
        kinds = {e["event_kind"] for e in pushed_victim(pushed, name) if e["rule"] == "court_told"}
        assert kinds == {
            "first_hearing_listed",
            "hearing_adjourned",
            "trial_listed",
            "trial_started",
            "verdict",
            "sentence",
        }
    # Megan uses the service: she read each event there and then. Owen is 15: enhanced,
    # but the Witness Care Unit's 1 working day is the same for him.
    [verdict] = owed(pushed, "Megan Price", "court_told", "verdict")
    assert verdict["met"] and verdict["status"] == "met_late"
    assert not owed(pushed, "Owen Price", "court_told", "verdict")[0]["met"]
    [referral] = owed(pushed, "Megan Price", "victim_contact_scheme")
    assert (referral["met"], referral["status"]) == (True, "met_on_time")
    assert [e["status"] for e in owed(pushed, "Owen Price", "victim_contact_scheme")] == ["overdue"]
    # The compliance report counts both the Witness Care Unit's duty (M12) and the
    # referrals (M13), the two crimes' victims alike: the sentence was in September.
    september = reports.compliance(None, date(2026, 9, 1), date(2026, 9, 30)).total.metrics
    assert september["M13"] == reports.Counts(met_on_time=2, overdue=2)
    assert september["M12"].total == 4  # the sentence, told to two victims of each crime


def pushed_victim(pushed: dict, name: str) -> list[dict]:
    [victim] = [v for v in pushed["victims"] if v["name"] == name]
    return victim["entitlements"]
