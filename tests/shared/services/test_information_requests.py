"""Victim information requests (Victims and Prisoners Act 2024 s.28): the written notice
owed when the police ask a third party for information about a victim, through the real
services, on both databases.

The clock is fixed: Monday 7 December 2026, 10:00 (GMT). A request dated a day is made at
its midnight, London time; the notice is due by the end of that day unless the force
allows more.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import Entitlement, InformationRequest, OutboxMessage
from shared.services import (
    crimes,
    entitlements,
    information_requests,
    reports,
    victims,
    victims_code_actions,
)
from shared.services.errors import ServiceError
from shared.services.information_requests import RequestDetails
from tests import factories

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
MONDAY = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # midnight GMT is midnight in London
END_OF_MONDAY = datetime(2026, 12, 7, 23, 59, 59, tzinfo=UTC)


def details(**changes) -> RequestDetails:
    values = {
        "recipient_kind": "counsellor",
        "recipient_name": "Riverside Counselling",
        "information_sought": "Notes of your sessions since March 2026.",
        "purpose": "To check what you told the counsellor about the assault.",
        "handling": "Kept securely with the case file; shared only with the Crown Prosecution Service.",
        "requested_at": MONDAY,
        **changes,
    }
    return RequestDetails(**values)


def victim_born(crime, officer, born: date | None, name: str = "Robin Lee"):
    return victims.add_victim(
        crime,
        victims.VictimDetails(
            name=name,
            date_of_birth=born,
            email=None,
            phone=None,
            preferred_language="en",
            contact_channel="letter",
            interpreter_language=None,
            communication_needs=None,
        ),
        by=officer,
        paced=False,
    )


def not_safe(link, officer) -> None:
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=28,
        channel="email",
        language="en",
        safe_to_contact=False,
        opted_out=False,
        note="Lives with the suspect.",
        by=officer,
    )


def notice(request: InformationRequest) -> Entitlement:
    return db.session.get_one(Entitlement, request.entitlement_id)


def status(ent: Entitlement, now: datetime = NOW) -> str:
    return db.session.scalar(select(entitlements.status_expression(now)).where(Entitlement.id == ent.id))


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(InformationRequest)) or 0,
        db.session.scalar(
            select(func.count()).select_from(Entitlement).where(Entitlement.rule == "info_request_notice")
        )
        or 0,
        db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
    )


def test_the_notice_is_due_by_the_end_of_the_day_of_the_request_and_a_force_may_allow_more(
    app, ctx, monkeypatch
):
    officer = factories.staff()
    link = factories.victim(factories.crime(officer), officer)
    request = information_requests.record_request(link, details(), officer)
    ent = notice(request)
    assert (ent.rule, ent.triggered_at, ent.due_at, ent.state) == (
        "info_request_notice",
        MONDAY,
        END_OF_MONDAY,
        "open",
    )
    assert status(ent) == "pending"
    assert status(ent, END_OF_MONDAY + timedelta(seconds=1)) == "overdue"
    assert request.guardian_name is None and request.safe_route is None

    # "As soon as reasonably practicable after": a force allowing 2 working days.
    monkeypatch.setitem(
        app.config, "VICTIMS_CODE_DAYS", {**app.config["VICTIMS_CODE_DAYS"], "info_request_notice": 2}
    )
    later = information_requests.record_request(link, details(recipient_kind="school"), officer)
    assert notice(later).due_at == datetime(2026, 12, 9, 23, 59, 59, tzinfo=UTC)


def test_met_in_writing_on_time_even_before_the_request_late_after_its_day_and_never_by_phone(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)  # reported on Saturday 5 December
    link = factories.victim(crime, officer)
    before = information_requests.record_request(link, details(), officer)
    # A victim without an account is not told online: the officer records the letter.
    assert notice(before).state == "open"
    with pytest.raises(ServiceError) as refused:
        victims_code_actions.record_action(notice(before), "phone", MONDAY, officer)
    assert refused.value.field == "way"
    # The notice went the day before the request: that is on time.
    victims_code_actions.record_action(
        notice(before), "letter", datetime(2026, 12, 6, 12, tzinfo=UTC), officer
    )
    assert status(notice(before)) == "met_on_time"

    # Asked on Saturday 5 December, the day the crime was reported: told on the 7th, late.
    late = information_requests.record_request(
        link, details(requested_at=datetime(2026, 12, 5, 0, 0, tzinfo=UTC)), officer
    )
    assert status(notice(late)) == "overdue"
    victims_code_actions.record_action(notice(late), "email", NOW, officer)
    assert status(notice(late)) == "met_late"
    # M11 of the compliance reports counts them: one on time, one late.
    report = reports.compliance(None, date(2026, 12, 1), date(2026, 12, 31), None, now=NOW)
    assert report.total.metrics["M11"].values() == (1, 1, 0, 0, 0)


def test_a_victim_who_uses_the_service_is_told_there_at_once_and_sent_a_notice_to_sign_in(app, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    request = information_requests.record_request(link, details(), officer)
    ent = notice(request)
    assert (ent.state, ent.way, ent.met_at) == ("met", "portal", NOW)
    assert status(ent) == "met_on_time"
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert (message.kind, message.victim_id, message.crime_id) == (
        "new_update",
        link.victim_id,
        link.crime_id,
    )


def test_a_victim_not_safe_to_contact_needs_a_safe_route_and_is_sent_nothing(app, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    not_safe(link, officer)
    held = counts()
    with pytest.raises(ServiceError) as refused:
        information_requests.record_request(link, details(), officer)
    assert refused.value.field == "safe_route"
    assert counts() == held
    with pytest.raises(ServiceError) as refused:
        information_requests.record_request(link, details(safe_route="carrier_pigeon"), officer)
    assert refused.value.field == "safe_route"
    assert counts() == held

    request = information_requests.record_request(
        link, details(safe_route="intermediary", safe_route_detail="Jo Smith, ISVA"), officer
    )
    # Nothing went out, not even on the portal's account, though she has one.
    ent = notice(request)
    assert ent.state == "open"
    assert counts() == (held[0] + 1, held[1] + 1, held[2])
    # Only a safe route meets it.
    for way in ("email", "letter", "secure_message"):
        with pytest.raises(ServiceError):
            victims_code_actions.record_action(notice(request), way, NOW, officer)
    victims_code_actions.record_action(notice(request), "intermediary", NOW, officer)
    assert status(notice(request)) == "met_on_time"


def test_a_safe_route_the_officer_chooses_is_kept_even_for_a_victim_safe_to_contact(app, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    request = information_requests.record_request(link, details(safe_route="in_person"), officer)
    assert notice(request).state == "open"
    assert counts()[2] == 0
    with pytest.raises(ServiceError):
        victims_code_actions.record_action(notice(request), "email", NOW, officer)
    victims_code_actions.record_action(notice(request), "in_person", NOW, officer)
    assert notice(request).way == "in_person"


def test_for_a_child_the_notice_goes_to_a_parent_or_guardian(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    # 17 on the day of the request (18 on 8 December 2026).
    child = victim_born(crime, officer, date(2008, 12, 8))
    child.victim.email = "child@example.com"
    child.victim.activated_at = NOW
    db.session.commit()
    held = counts()
    with pytest.raises(ServiceError) as refused:
        information_requests.record_request(child, details(), officer)
    assert refused.value.field == "guardian_name"
    with pytest.raises(ServiceError) as refused:
        information_requests.record_request(child, details(guardian_name="Sam Lee"), officer)
    assert refused.value.field == "guardian_relationship"
    assert counts() == held

    request = information_requests.record_request(
        child, details(guardian_name="Sam Lee", guardian_relationship="parent"), officer
    )
    assert (request.guardian_name, request.guardian_relationship) == ("Sam Lee", "parent")
    # The child's own account is not the parent: nothing is met or sent by itself.
    assert notice(request).state == "open"
    assert counts()[2] == held[2]
    victims_code_actions.record_action(notice(request), "letter", NOW, officer)
    assert status(notice(request)) == "met_on_time"

    # Eighteen the next day: the notice goes to them, and a parent is refused.
    adult = victim_born(crime, officer, date(2008, 12, 7), name="Kim Lee")
    with pytest.raises(ServiceError) as refused:
        information_requests.record_request(
            adult, details(guardian_name="Sam Lee", guardian_relationship="parent"), officer
        )
    assert refused.value.field == "guardian_name"
    assert information_requests.record_request(adult, details(), officer).guardian_name is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient_kind": None}, "recipient_kind"),
        ({"recipient_kind": "neighbour"}, "recipient_kind"),
        ({"recipient_name": "  "}, "recipient_name"),
        ({"recipient_name": "x" * 201}, "recipient_name"),
        ({"information_sought": ""}, "information_sought"),
        ({"purpose": " \n "}, "purpose"),
        ({"handling": "x" * 2001}, "handling"),
        ({"requested_at": None}, "requested_at"),
        ({"requested_at": datetime(2026, 12, 8, 0, 0, tzinfo=UTC)}, "requested_at"),
        ({"requested_at": NOW + timedelta(hours=1)}, "requested_at"),
        ({"requested_at": datetime(2026, 12, 1, tzinfo=UTC)}, "requested_at"),
        ({"guardian_name": "Sam Lee", "guardian_relationship": "parent"}, "guardian_name"),
    ],
)
def test_bad_requests_are_refused_with_the_field_named_and_nothing_kept(app, ctx, changes, field):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    held = counts()
    with pytest.raises(ServiceError) as refused:
        information_requests.record_request(link, details(**changes), officer)
    assert refused.value.field == field
    assert counts() == held


def test_a_request_made_before_the_law_came_into_force_owes_no_notice(app, ctx):
    officer = factories.staff()
    crime = crimes.record_crime(
        reference="43/09001/25",
        offence="burglary_residential",
        occurred_at=datetime(2025, 11, 1, 20, tzinfo=UTC),
        reported_at=datetime(2025, 11, 2, 9, tzinfo=UTC),
        officer_in_charge=officer,
        stage="under_investigation",
        by=officer,
    )
    link = factories.victim(crime, officer)
    request = information_requests.record_request(
        link, details(requested_at=datetime(2026, 1, 11, tzinfo=UTC)), officer
    )
    assert (notice(request).state, notice(request).reason) == ("not_applicable", "before_in_force")
    in_force = information_requests.record_request(
        link, details(requested_at=datetime(2026, 1, 12, tzinfo=UTC)), officer
    )
    assert notice(in_force).state == "open"


def test_a_cancelled_crime_takes_no_request(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    ddm = factories.staff(officer.team, roles=("ddm", "fcr"))
    victims_code_actions.cancel_crime(crime, "C4", "Recorded twice by mistake.", ddm)
    with pytest.raises(ServiceError):
        information_requests.record_request(link, details(), officer)
    assert counts()[0] == 0


def test_for_a_child_with_a_parent_recorded_the_notice_goes_to_them_and_their_account_tells_them(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    child = factories.child(crime, officer, age=14)
    parent = factories.guardian(child, officer)
    held = counts()
    # No parent named on the request: the one recorded for the child is told.
    request = information_requests.record_request(child, details(), officer)
    assert (request.guardian_name, request.guardian_relationship) == (parent.name, "parent")
    # Their account follows the child's case: the case page is the written notice, and
    # they are sent word of it.
    assert (notice(request).state, notice(request).way) == ("met", "portal")
    assert counts()[2] == held[2] + 1

    # Another person named by the officer is told by other means: nothing is met by itself.
    other = information_requests.record_request(
        child, details(guardian_name="Alex Aunt", guardian_relationship="other"), officer
    )
    assert (other.guardian_name, notice(other).state) == ("Alex Aunt", "open")
