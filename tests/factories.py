"""Factories for test data. Each returns a committed row."""

import base64
import hashlib
import itertools
from datetime import UTC, date, datetime, timedelta

from shared.extensions import db
from shared.models import Action, Incident, Recommendation, SecureMessage, StaffMember, StaffRole, Team
from shared.models.types import utcnow
from shared.services import (
    calendar,
    crimes,
    guardians,
    out_of_court,
    scrutiny,
    totp,
    updates,
    victim_accounts,
    victims,
    victims_code_actions,
)
from shared.services import property as property_service
from shared.services.passwords import hash_password

PASSWORD = "a long test password"
_seq = itertools.count(1)


def team(name: str | None = None) -> Team:
    row = Team(name=name or f"Team {next(_seq)}")
    db.session.add(row)
    db.session.commit()
    return row


def totp_secret(email: str) -> str:
    """The authenticator key `staff()` gives the member with this email address, so that
    sign-in helpers (the browser's included) can make their codes."""
    return base64.b32encode(hashlib.sha256(f"test-totp:{email}".encode()).digest()[:20]).decode()


def staff(
    team_row: Team | None = None, roles=("officer",), name: str | None = None, email: str | None = None
) -> StaffMember:
    n = next(_seq)
    email = email or f"officer{n}@police.example"
    member = StaffMember(
        name=name or f"Officer {n}",
        collar_number=f"{1000 + n}",
        email=email,
        team=team_row or team(),
        password_hash=hash_password(PASSWORD),
        totp_secret=totp.sealed_secret(totp_secret(email)),
    )
    member.role_rows = [StaffRole(role=r) for r in roles]
    db.session.add(member)
    db.session.commit()
    return member


def crime(
    oic: StaffMember,
    reference: str | None = None,
    offence: str = "burglary_residential",
    stage: str = "under_investigation",
):
    reported = utcnow() - timedelta(days=2)
    return crimes.record_crime(
        reference=reference or f"43/{next(_seq):05d}/26",
        offence=offence,
        occurred_at=reported - timedelta(hours=3),
        reported_at=reported,
        officer_in_charge=oic,
        stage=stage,
        by=oic,
    )


def victim(
    crime_row, by: StaffMember, name: str | None = None, email: str | None = None, language: str = "en"
):
    n = next(_seq)
    details = victims.VictimDetails(
        name=name or f"Victim {n}",
        date_of_birth=date(1980, 1, 1),
        email=email if email is not None else f"victim{n}@example.com",
        phone=None,
        preferred_language=language,
        contact_channel="email",
        interpreter_language=None,
        communication_needs=None,
    )
    return victims.add_victim(crime_row, details, by=by, paced=False)


def child(crime_row, by: StaffMember, age: int = 14, name: str | None = None, email: str | None = None):
    """A victim who is `age` today (London), with no email address of their own unless
    given: a child whose parent or guardian may be recorded."""
    n = next(_seq)
    today = calendar.local_date(utcnow())
    details = victims.VictimDetails(
        name=name or f"Child {n}",
        date_of_birth=today.replace(year=today.year - age, day=min(today.day, 28)) - timedelta(days=1),
        email=email,
        phone=None,
        preferred_language="en",
        contact_channel="email",
        interpreter_language=None,
        communication_needs=None,
    )
    return victims.add_victim(crime_row, details, by=by, paced=False)


def guardian(
    link, by: StaffMember, email: str = "parent@example.com", contact: str = "guardian", active: bool = True
):
    """A parent recorded for the child victim `link`, holding the account (set up with
    PASSWORD when `active`)."""
    row = guardians.record(
        link,
        guardians.GuardianDetails(
            name="Pat Parent",
            relationship="parent",
            email=email,
            phone=None,
            holds_account=True,
            contact=contact,
        ),
        by=by,
    )
    if active and row.account is not None:
        row.account.password_hash = hash_password(PASSWORD)
        row.account.activated_at = datetime.now(UTC)
        db.session.commit()
    return row


def same_person(crime_row, victim_row, by: StaffMember):
    """`victim_row` (who has an account) as a victim of another crime too: the officer
    adds her by her email address and invites her, and she confirms the case is hers."""
    details = victims.VictimDetails(
        name=victim_row.name,
        date_of_birth=victim_row.date_of_birth,
        email=victim_row.email,
        phone=None,
        preferred_language="en",
        contact_channel="email",
        interpreter_language=None,
        communication_needs=None,
    )
    link = victims.add_victim(crime_row, details, by=by, paced=False)
    victim_accounts.invite(link, by=by)
    return victims.confirm_case(victim_row, link.public_id)


def active_victim(crime_row, by: StaffMember, **kwargs):
    """A victim who has set up their account with PASSWORD."""
    link = victim(crime_row, by, **kwargs)
    link.victim.password_hash = hash_password(PASSWORD)
    link.victim.activated_at = datetime.now(UTC)
    db.session.commit()
    return link


def by_text(link, by: StaffMember, phone: str = "07700 900123"):
    """The victim given a mobile number and told of her case by text message."""
    link.victim.phone = phone
    db.session.commit()
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=28,
        channel="sms",
        language="en",
        safe_to_contact=True,
        opted_out=False,
        note=None,
        by=by,
    )
    return link


def update(
    crime_row,
    by: StaffMember,
    text: str = "We have spoken to a witness.",
    note: str | None = None,
    visible: bool = True,
    kind: str = "general",
):
    return updates.post_update(
        crime_row, kind=kind, victim_text=text, internal_note=note, visible=visible, by=by
    )


def thread(link, officer: StaffMember, pairs: int) -> None:
    """`pairs` messages each way between the victim and the officer, sent over the past
    days (so no hourly limit applies), oldest first."""
    start = utcnow() - timedelta(days=10)
    for n in range(pairs):
        at = start + timedelta(minutes=10 * n)
        db.session.add(
            SecureMessage(
                crime_victim_id=link.id,
                crime_id=link.crime_id,
                sender="victim",
                to_staff_id=officer.id,
                body=f"Question {n}",
                sent_at=at,
            )
        )
        db.session.add(
            SecureMessage(
                crime_victim_id=link.id,
                crime_id=link.crime_id,
                sender="staff",
                author_id=officer.id,
                body=f"Answer {n}",
                sent_at=at + timedelta(minutes=5),
            )
        )
    db.session.commit()


def out_of_court_disposal(
    oic: StaffMember,
    approver: StaffMember,
    outcome: int = 3,
    reference: str | None = None,
    victim_views: str = "She wants an apology and no court case",
    history_summary: str = "No previous cautions or convictions",
):
    """A crime closed with an out-of-court disposal recorded in the back office, with
    its capture."""
    row = crime(oic, reference=reference, offence="common_assault")
    crimes.record_outcome(
        row,
        outcome,
        None,
        False,
        oic,
        out_of_court.Capture(
            views_sought=True,
            victim_views=victim_views,
            history_checked=True,
            history_summary=history_summary,
            admission="yes",
            approved_by_id=approver.id,
        ),
    )
    return row


def scrutiny_sample(fcr: StaffMember, size: int, seed: int = 1):
    """A scrutiny sample of today's disposals (local dates)."""
    today = calendar.local_date(utcnow())
    return scrutiny.draw_sample(today - timedelta(days=1), today, size, seed, fcr)


def excluded_incident(crime_row, by: StaffMember, reference: str = "INC/2026/000001"):
    """An incident behind `crime_row`'s report, not recorded under a May 2023 exclusion (a
    message that may merely offend), waiting for a supervisor of its team to sign it off."""
    row = Incident(
        reference=reference,
        received_at=crime_row.reported_at,
        route="control_room",
        disclosed_crime=True,
        offence_group="violence",
        team_id=crime_row.team_id,
        not_recorded_reason="offensive_message",
        not_recorded_note="A rude message",
        not_recorded_at=crime_row.reported_at,
        not_recorded_by_id=by.id,
        needs_sign_off=True,
    )
    db.session.add(row)
    db.session.flush()
    return row


def undecided_incident(team_row, received_at, reference: str = "INC/2026/000900"):
    """An online report that disclosed a possible crime (a theft) with no crime recorded
    from it and no decision yet: waiting for a decision, or for its crime."""
    row = Incident(
        reference=reference,
        received_at=received_at,
        route="online",
        disclosed_crime=True,
        offence_group="theft",
        team_id=team_row.id,
        summary="Bike taken from the front garden; may have been lent.",
    )
    db.session.add(row)
    db.session.flush()
    return row


def plan_action(owner: StaffMember, status: str = "in_progress"):
    """An action of the force's action plan, owned by `owner`, answering a 2014 inspection's
    recommendation."""
    recommendation = Recommendation(
        source="inspection", source_title="Inspection 2014", source_date=date(2014, 8, 1), text="Record more"
    )
    db.session.add(recommendation)
    db.session.flush()
    row = Action(
        recommendation_id=recommendation.id,
        title="An action",
        theme="training",
        owner_id=owner.id,
        due_on=date(2030, 1, 1),
        status=status,
    )
    db.session.add(row)
    db.session.commit()
    return row


def property_item(crime_row, by: StaffMember, owner=None, **changes):
    """An item of property on the crime (shared.services.property): by default a laptop
    stolen from `owner` (a victim's link, or None) and not found."""
    details = {
        "kind": "stolen",
        "description": f"Laptop {next(_seq)}",
        "status": "not_held",
        "owner": owner,
        "value_pence": 85000,
    }
    details.update(changes)
    return property_service.record_item(crime_row, property_service.ItemDetails(**details), by)
