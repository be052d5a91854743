"""What the Victims' Code owes victims as a crime moves on: through the real services,
from adding the victim, through the key events of an investigation, to the outcome;
for victims with standard rights and with enhanced rights, and as officers meet what
is owed.

Times are fixed in the past (autumn 2026) so that every deadline is exact; "now" is
passed to the status and queue queries for the same reason. 23:59:59 on a local date
is 22:59:59 UTC under summer time (until 25 October 2026) and 23:59:59 UTC after.
"""

import itertools
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.domain.victims_code_rules import ON_RECORDING
from shared.extensions import db
from shared.models import AuditEvent, EntitlementEvent
from shared.models.append_only import AppendOnlyError
from shared.services import (
    calendar,
    crimes,
    entitlements,
    reports,
    updates,
    victims,
    victims_code_actions,
    victims_code_queries,
)
from shared.services.errors import ServiceError
from tests import factories


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Reported on Friday 2 October 2026 at 20:00 BST; recorded on Saturday 3 October at 10:00.
REPORTED = utc(2026, 10, 2, 19, 0)
RECORDED = utc(2026, 10, 3, 9, 0)
ARREST = utc(2026, 10, 15, 15, 0)  # Thursday 15 October, 16:00 BST
INTERVIEW = utc(2026, 10, 16, 9, 0)  # Friday 16 October, 10:00 BST
BAIL = utc(2026, 10, 26, 11, 0)  # Monday 26 October, 11:00 GMT: the clocks went back on the 25th
CHARGE = utc(2026, 11, 20, 11, 0)  # Friday 20 November, 11:00 GMT
# "Now" for statuses and queues: Friday 20 November 2026, 15:00. Every test here runs
# then, whenever the suite runs.
NOW = utc(2026, 11, 20, 15, 0)
pytestmark = pytest.mark.time_machine(NOW, tick=True)

_references = itertools.count(70001)


def record(officer, offence="burglary_residential"):
    crime = crimes.record_crime(
        reference=f"43/{next(_references)}/26",
        offence=offence,
        occurred_at=utc(2026, 10, 2, 17, 30),
        reported_at=REPORTED,
        officer_in_charge=officer,
        stage="under_investigation",
        by=officer,
    )
    # Recorded on the police system the morning after the report.
    crime.recorded_at = RECORDED
    db.session.commit()
    return crime


def child(crime, officer, name="Ellie Hughes"):
    """A victim aged 14 when the crime was reported."""
    details = victims.VictimDetails(
        name=name,
        date_of_birth=date(2012, 3, 14),
        email=None,
        phone="07700 900123",
        preferred_language="en",
        contact_channel="phone",
        interpreter_language=None,
        communication_needs=None,
    )
    return victims.add_victim(crime, details, by=officer)


def post(crime, officer, kind, at=None, visible=True):
    if visible:
        return updates.post_update(
            crime,
            kind=kind,
            victim_text=f"News: {kind}.",
            internal_note=None,
            visible=True,
            by=officer,
            occurred_at=at,
        )
    return updates.post_update(
        crime,
        kind=kind,
        victim_text=None,
        internal_note=f"Internal: {kind}.",
        visible=False,
        by=officer,
        occurred_at=at,
    )


def rows(link, rule, event_kind=None, now=NOW):
    return [
        row
        for row in victims_code_queries.for_victim(link, now)
        if row.entitlement.rule == rule and (event_kind is None or row.entitlement.event_kind == event_kind)
    ]


def one(link, rule, event_kind=None, now=NOW):
    [row] = rows(link, rule, event_kind, now)
    return row


def told(link, event_kind, now=NOW):
    return one(link, "event_told", event_kind, now)


def rights(link) -> set[tuple[str, str, int | None]]:
    """The enhanced-rights categories that apply now, with who assessed them."""
    return {(r.category, r.reason, r.assessed_by_id) for r in entitlements.current_rights([link.id])[link.id]}


@contextmanager
def refused(app):
    """Expect a ServiceError; its message is translated, so it needs a request."""
    with app.test_request_context(), pytest.raises(ServiceError) as error:
        yield error


def queued(queue) -> dict[str, set[int]]:
    return {
        band: {item.entitlement.id for item in getattr(queue, band)}
        for band in ("overdue", "due_today", "due_this_week")
    }


# ----------------------------------------------------------------------- standard


def test_a_standard_victim_of_burglary_is_owed_the_code_from_report_to_charge(ctx):
    officer = factories.staff(name="Sam Taylor")
    crime = record(officer)
    online = factories.active_victim(crime, officer, name="Jane Doe")
    offline = factories.victim(crime, officer, name="Tom Baker")

    # Adding each victim opens what is owed from the report and the recording.
    for link in (online, offline):
        assert rights(link) == set()
        opened = victims_code_queries.for_victim(link, NOW)
        assert sorted(row.entitlement.rule for row in opened) == sorted([*ON_RECORDING, "contact_update"])
        assert not any(row.entitlement.enhanced for row in opened)
        # 5 working days from Saturday 3 October: Monday 5 to Friday 9 October.
        assert one(link, "acknowledgement").entitlement.due_at == utc(2026, 10, 9, 22, 59, 59)
        assert one(link, "needs_assessment").entitlement.due_at == utc(2026, 10, 6, 22, 59, 59)
        # 2 working days from the report on Friday 2 October: Monday 5 and Tuesday 6.
        referral = one(link, "referral").entitlement
        assert (referral.triggered_at, referral.due_at) == (REPORTED, utc(2026, 10, 6, 22, 59, 59))
        # No one is charged yet, so the Victim Personal Statement offer has no deadline.
        vps = one(link, "vps_offer")
        assert vps.entitlement.due_at is None and vps.status == "pending"
        # The first agreed update is due 28 days after the victim was added.
        update = one(link, "contact_update").entitlement
        assert update.due_at == calendar.end_of_local_day(
            calendar.local_date(link.added_at) + timedelta(days=28)
        )

    # The arrest, posted for the victims to read: told online at once to the victim with
    # an account; the other is owed being told within 5 working days of the arrest.
    post(crime, officer, "arrest", at=ARREST)
    for link in (online, offline):
        arrest = told(link, "arrest").entitlement
        assert arrest.triggered_at == ARREST
        assert arrest.due_at == utc(2026, 10, 22, 22, 59, 59)  # Thursday 22 October, 23:59:59 BST
        assert arrest.enhanced is False
    arrest_online = told(online, "arrest")
    assert (arrest_online.entitlement.state, arrest_online.entitlement.way) == ("met", "portal")
    # Posted weeks after the arrest happened, so told late.
    assert arrest_online.status == "met_late"
    assert (told(offline, "arrest").entitlement.state, told(offline, "arrest").status) == ("open", "overdue")

    # An interview recorded only in an internal note tells no one.
    post(crime, officer, "interview", at=INTERVIEW, visible=False)
    for link in (online, offline):
        interview = told(link, "interview").entitlement
        assert (interview.state, interview.due_at) == ("open", utc(2026, 10, 23, 22, 59, 59))

    # The charge, recorded internally: the Victim Personal Statement must now be offered
    # by the end of the day of the charge.
    post(crime, officer, "charge", at=CHARGE, visible=False)
    for link in (online, offline):
        assert told(link, "charge").entitlement.due_at == utc(
            2026, 11, 27, 23, 59, 59
        )  # Friday 27 November, GMT
        vps = one(link, "vps_offer").entitlement
        assert vps.due_at == utc(2026, 11, 20, 23, 59, 59)
        assert [event.action for event in victims_code_queries.history(vps.id)] == ["created", "due_changed"]

    # Released on bail to appear at court, posted as it happens: told at once online.
    bail = post(crime, officer, "bail")
    online_bail = told(online, "bail").entitlement
    assert online_bail.met_at == bail.created_at
    assert told(online, "bail", now=bail.created_at).status == "met_on_time"
    offline_bail = told(offline, "bail", now=bail.created_at)
    assert offline_bail.status == "pending"
    assert offline_bail.entitlement.due_at == calendar.working_day_deadline(bail.created_at, 5)

    # Each key event owes each victim one "told" entitlement.
    for link in (online, offline):
        assert sorted(row.entitlement.event_kind for row in rows(link, "event_told")) == [
            "arrest",
            "bail",
            "charge",
            "interview",
        ]

    # The charge recorded as the outcome is not a second decision to tell.
    crimes.record_outcome(crime, 1, "The suspect has been charged.", True, officer)
    for link in (online, offline):
        assert len(rows(link, "event_told", "charge")) == 1
        assert len(rows(link, "event_told")) == 4
        # The investigation is over: no more regular updates are owed...
        assert not [row for row in rows(link, "contact_update") if row.entitlement.state == "open"]
        # ...but the Victim Personal Statement is still to be offered.
        assert one(link, "vps_offer").entitlement.state == "open"
    [ended] = [row.entitlement for row in rows(offline, "contact_update")]
    assert (ended.state, ended.reason) == ("not_applicable", "investigation_finished")
    # The victim online had their regular updates met by the updates they could read.
    online_updates = [row.entitlement for row in rows(online, "contact_update")]
    assert {ent.state for ent in online_updates} <= {"met", "not_applicable"}
    assert [ent.way for ent in online_updates if ent.state == "met"] and all(
        ent.way == "portal" for ent in online_updates if ent.state == "met"
    )


def test_an_outcome_without_a_charge_is_told_and_ends_what_no_longer_applies(ctx):
    officer = factories.staff()
    crime = record(officer)
    link = factories.victim(crime, officer)
    post(crime, officer, "arrest", at=ARREST, visible=False)

    update = crimes.record_outcome(crime, 15, None, False, officer)

    told_nfa = told(link, "released_nfa").entitlement
    assert told_nfa.triggered_at == update.created_at
    assert told_nfa.due_at == calendar.working_day_deadline(update.created_at, 5)
    assert told_nfa.state == "open"
    vps = one(link, "vps_offer").entitlement
    assert (vps.state, vps.reason) == ("not_applicable", "not_charged")
    assert one(link, "vps_offer").status == "not_applicable"
    [plan_update] = [row.entitlement for row in rows(link, "contact_update")]
    assert (plan_update.state, plan_update.reason) == ("not_applicable", "investigation_finished")


# ----------------------------------------------------------------------- enhanced


def test_a_child_is_told_of_decisions_within_one_working_day(ctx):
    officer = factories.staff()
    crime = record(officer)
    adult = factories.victim(crime, officer, name="Tom Baker")
    young = child(crime, officer)

    # Under 18 when the crime was reported: vulnerable, derived without an assessor.
    assert rights(young) == {("vulnerable", "under_18", None)}
    assert rights(adult) == set()
    assert all(row.entitlement.enhanced for row in victims_code_queries.for_victim(young, NOW))
    # The recording timescales are the same for enhanced rights.
    assert one(young, "acknowledgement").entitlement.due_at == utc(2026, 10, 9, 22, 59, 59)
    assert one(young, "referral").entitlement.due_at == utc(2026, 10, 6, 22, 59, 59)

    post(crime, officer, "arrest", at=ARREST)
    post(crime, officer, "bail", at=BAIL)
    # The adult: 5 working days; the child: 1.
    assert told(adult, "arrest").entitlement.due_at == utc(2026, 10, 22, 22, 59, 59)
    assert told(young, "arrest").entitlement.due_at == utc(2026, 10, 16, 22, 59, 59)  # Friday 16 October, BST
    assert told(young, "arrest").entitlement.enhanced is True
    # Bail on the Monday after the clocks went back: 5 working days to Monday 2 November;
    # 1 to Tuesday 27 October, 23:59:59 GMT.
    assert told(adult, "bail").entitlement.due_at == utc(2026, 11, 2, 23, 59, 59)
    assert told(young, "bail").entitlement.due_at == utc(2026, 10, 27, 23, 59, 59)
    # Neither has an account, so both are still owed being told.
    for link in (adult, young):
        assert {row.status for row in rows(link, "event_told")} == {"overdue"}
        assert len(rows(link, "event_told")) == 2

    # The charge on Friday 20 November: the adult is to be told by Friday 27 November,
    # the child by Monday 23 November; both are to be offered a Victim Personal Statement
    # by the end of the day of the charge.
    post(crime, officer, "charge", at=CHARGE)
    assert told(adult, "charge").entitlement.due_at == utc(2026, 11, 27, 23, 59, 59)
    assert told(young, "charge").entitlement.due_at == utc(2026, 11, 23, 23, 59, 59)
    for link in (adult, young):
        assert one(link, "vps_offer").entitlement.due_at == utc(2026, 11, 20, 23, 59, 59)
        assert {row.entitlement.event_kind for row in rows(link, "event_told")} == {
            "arrest",
            "bail",
            "charge",
        }


def test_a_rape_complainant_has_enhanced_rights_by_the_offence(app, ctx):
    officer = factories.staff()
    crime = record(officer, offence="rape")
    link = factories.victim(crime, officer, name="Amira Hassan")

    assert rights(link) == {("most_serious", "offence", None), ("intimidated", "offence", None)}
    post(crime, officer, "arrest", at=ARREST, visible=False)
    assert told(link, "arrest").entitlement.due_at == utc(2026, 10, 16, 22, 59, 59)

    # A referral after a sexual offence needs the victim's explicit consent.
    referral = one(link, "referral").entitlement
    with refused(app) as error:
        victims_code_actions.record_action(referral, "referred", utc(2026, 10, 5, 9), officer, service="isva")
    assert error.value.field == "consent"
    db.session.rollback()
    victims_code_actions.record_action(
        referral, "referred", utc(2026, 10, 5, 9), officer, service="isva", consent=True
    )
    row = one(link, "referral")
    assert (row.entitlement.detail, row.status) == ("isva", "met_on_time")


def test_an_officers_assessment_shortens_what_is_still_owed(ctx):
    officer = factories.staff()
    crime = record(officer)
    link = factories.victim(crime, officer, name="Gareth Jones")
    post(crime, officer, "arrest", at=ARREST)
    post(crime, officer, "bail", at=BAIL)
    victims_code_actions.record_action(
        told(link, "arrest").entitlement, "phone", utc(2026, 10, 19, 10), officer
    )
    bail_told = told(link, "bail").entitlement
    assert bail_told.due_at == utc(2026, 11, 2, 23, 59, 59)

    victims_code_actions.assess_enhanced_rights(
        link, {"persistently_targeted": "assessed"}, "Third burglary this year.", officer
    )

    assert rights(link) == {("persistently_targeted", "assessed", officer.id)}
    # The open "told" takes 1 working day from the bail, with the change in its history.
    db.session.refresh(bail_told)
    assert (bail_told.due_at, bail_told.enhanced) == (utc(2026, 10, 27, 23, 59, 59), True)
    history = victims_code_queries.history(bail_told.id)
    assert [event.action for event in history] == ["created", "due_changed"]
    assert (history[-1].due_at, history[-1].by_id) == (utc(2026, 10, 27, 23, 59, 59), officer.id)
    # What was already met is left as it was.
    arrest_told = told(link, "arrest").entitlement
    assert (arrest_told.due_at, arrest_told.enhanced) == (utc(2026, 10, 22, 22, 59, 59), False)
    assert [event.action for event in victims_code_queries.history(arrest_told.id)] == ["created", "met"]
    # Key events from now on are told within 1 working day.
    post(crime, officer, "charge", at=CHARGE, visible=False)
    assert told(link, "charge").entitlement.due_at == utc(2026, 11, 23, 23, 59, 59)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enhanced_rights.assess")).actor_id
        == officer.id
    )

    # Assessed as no longer applying: back to 5 working days.
    victims_code_actions.assess_enhanced_rights(link, {}, "Reassessed.", officer)
    assert rights(link) == set()
    db.session.refresh(bail_told)
    assert (bail_told.due_at, bail_told.enhanced) == (utc(2026, 11, 2, 23, 59, 59), False)
    assert [event.action for event in victims_code_queries.history(bail_told.id)] == [
        "created",
        "due_changed",
        "due_changed",
    ]


# --------------------------------------------------------------- meeting and queue


def test_meeting_what_is_owed_clears_the_queue_and_sets_the_status(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime = record(officer)
    link = factories.victim(crime, officer, name="Tom Baker")
    post(crime, officer, "arrest", at=ARREST, visible=False)
    post(crime, officer, "charge", at=CHARGE, visible=False)
    ack = one(link, "acknowledgement")
    needs = one(link, "needs_assessment", now=utc(2026, 10, 5, 12))
    referral = one(link, "referral", now=utc(2026, 10, 5, 12))
    vps = one(link, "vps_offer")
    charge_told = told(link, "charge")

    # On Friday 20 November at 15:00: the acknowledgement and the arrest are overdue, the
    # Victim Personal Statement offer is due today, being told of the charge this week.
    assert (ack.status, vps.status, charge_told.status) == ("overdue", "pending", "pending")
    assert (needs.status, referral.status) == ("pending", "pending")  # on Monday 5 October
    queue = victims_code_queries.queue(officer, now=NOW)
    assert queued(queue) == {
        "overdue": {
            ack.entitlement.id,
            needs.entitlement.id,
            referral.entitlement.id,
            told(link, "arrest").entitlement.id,
        },
        "due_today": {vps.entitlement.id},
        "due_this_week": {charge_told.entitlement.id},
    }
    assert queue.counts == {"overdue": 4, "due_today": 1, "due_this_week": 1}
    before = reports.compliance(officer, date(2026, 10, 1), date(2026, 11, 30), now=NOW).total.metrics
    assert (before["M1"].overdue, before["M1"].rate) == (1, 0.0)
    assert (before["M3"].overdue, before["M3"].declined) == (1, 0)
    assert (before["M4"].pending, before["M5"].overdue, before["M5"].pending) == (1, 1, 1)
    # Another officer's queue does not hold them.
    colleague = factories.staff(officer.team)
    assert queued(victims_code_queries.queue(colleague, now=NOW)) == {
        "overdue": set(),
        "due_today": set(),
        "due_this_week": set(),
    }
    assert (
        queued(victims_code_queries.queue(colleague, team=True, now=NOW))["overdue"]
        == queued(queue)["overdue"]
    )

    victims_code_actions.record_action(ack.entitlement, "letter", utc(2026, 10, 12, 10), officer)
    victims_code_actions.record_action(needs.entitlement, "needs_identified", utc(2026, 10, 5, 11), officer)
    victims_code_actions.record_action(referral.entitlement, "victim_declined", utc(2026, 10, 5, 11), officer)
    victims_code_actions.record_action(vps.entitlement, "offered", utc(2026, 11, 20, 14), officer)
    victims_code_actions.record_action(charge_told.entitlement, "phone", utc(2026, 11, 20, 14, 30), officer)

    assert one(link, "acknowledgement").status == "met_late"
    assert one(link, "needs_assessment").status == "met_on_time"
    assert one(link, "referral").status == "declined"
    assert one(link, "vps_offer").status == "met_on_time"
    assert told(link, "charge").status == "met_on_time"
    assert one(link, "acknowledgement").entitlement.closed_by_id == officer.id
    queue = victims_code_queries.queue(officer, now=NOW)
    assert queued(queue) == {
        "overdue": {told(link, "arrest").entitlement.id},
        "due_today": set(),
        "due_this_week": set(),
    }
    assert queue.counts == {"overdue": 1, "due_today": 0, "due_this_week": 0}
    # The compliance report moves with them: late, declined (out of the rate), on time.
    after = reports.compliance(officer, date(2026, 10, 1), date(2026, 11, 30), now=NOW).total.metrics
    assert (after["M1"].met_late, after["M1"].overdue, after["M1"].rate) == (1, 0, 0.0)
    assert (after["M2"].met_on_time, after["M2"].rate) == (1, 1.0)
    assert (after["M3"].declined, after["M3"].rate) == (1, None)
    assert (after["M4"].met_on_time, after["M4"].rate) == (1, 1.0)
    assert (after["M5"].met_on_time, after["M5"].overdue, after["M5"].rate) == (1, 1, 0.5)
    recorded = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "entitlement.recorded")
    ).all()
    assert f"acknowledgement {ack.entitlement.id} letter" in recorded

    # What is recorded cannot be recorded again, and a date before it started is refused.
    with refused(app):
        victims_code_actions.record_action(ack.entitlement, "email", utc(2026, 10, 13, 10), officer)
    arrest_told = told(link, "arrest").entitlement
    with refused(app) as error:
        victims_code_actions.record_action(arrest_told, "phone", utc(2026, 10, 14, 10), officer)
    assert error.value.field == "date"


def test_the_history_of_what_is_owed_cannot_be_changed(ctx):
    officer = factories.staff()
    crime = record(officer)
    link = factories.victim(crime, officer)
    ack = one(link, "acknowledgement").entitlement
    victims_code_actions.record_action(ack, "email", utc(2026, 10, 5, 9), officer)
    created, met = victims_code_queries.history(ack.id)
    assert (created.action, created.state, met.action, met.state, met.way, met.by_id) == (
        "created",
        "open",
        "met",
        "met",
        "email",
        officer.id,
    )

    met.way = "letter"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(created)
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert [
        (e.action, e.way)
        for e in db.session.scalars(
            select(EntitlementEvent)
            .where(EntitlementEvent.entitlement_id == ack.id)
            .order_by(EntitlementEvent.id)
        )
    ] == [
        ("created", None),
        ("met", "email"),
    ]
