"""The demo data command fills an empty database and prints the logins."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.cli import demo
from shared.domain.action_plan import THEMES
from shared.domain.reference_data import OUT_OF_COURT_OUTCOMES
from shared.domain.victims_code_rules import KEY_EVENTS, RULES, STATUSES, VRR_OUTCOMES
from shared.extensions import db
from shared.factory import create_app
from shared.models import (
    ActionEvent,
    AuditEvent,
    CdiAudit,
    CdiAuditRecord,
    CdiDispute,
    CdiJudgement,
    CdiPutRight,
    Crime,
    CrimeVictim,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    InternalNote,
    InvestigationUpdate,
    OutOfCourtCapture,
    PropertyItem,
    Recommendation,
    ScrutinyCase,
    ScrutinyGrade,
    ScrutinyResponse,
    StaffMember,
    Victim,
)
from shared.models.types import utcnow
from shared.services import action_plan, entitlements, outbox_failures, totp, victims_code_queries
from shared.services import property as property_service
from shared.services.entitlements import status_expression


def test_demo_data_loads_once_and_prints_the_logins(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo data." in result.output
    assert demo.DEMO_PASSWORD in result.output
    assert "sam.taylor@police.example" in result.output and "sian.williams@example.com" in result.output
    # Each member of staff has an authenticator key of their own, printed to add to an app.
    sealed = db.session.execute(select(StaffMember.email, StaffMember.totp_secret)).all()
    keys = {email: totp.opened_secret(secret) for email, secret in sealed}
    assert len(set(keys.values())) == len(keys) == len(demo.STAFF)
    sam = next(line for line in result.output.splitlines() if "sam.taylor@police.example" in line)
    assert keys["sam.taylor@police.example"] in sam
    assert "alex.morgan@police.example" in result.output and "(admin)" in result.output

    # 50 crimes, and two at court (shared.cli.demo_court).
    assert db.session.scalar(select(func.count()).select_from(Crime)) == 52
    groups = set(db.session.scalars(select(Crime.offence_group)))
    assert len(groups) >= 8
    stages = set(db.session.scalars(select(Crime.stage)))
    assert {"reported", "under_investigation", "charged", "closed"} <= stages
    assert db.session.scalar(select(func.count()).select_from(InvestigationUpdate)) > 50
    assert db.session.scalar(select(func.count()).select_from(InternalNote)) > 0
    assert db.session.scalar(
        select(Victim.name).where(Victim.preferred_language == "cy", Victim.activated_at.is_not(None))
    )
    roles = {r for s in db.session.scalars(select(StaffMember)) for r in s.roles}
    assert roles == {"officer", "supervisor", "ddm", "fcr", "analyst", "pcc", "admin", "panel", "auditor"}
    assert "owen.pritchard@pcc.example" in result.output and "(panel)" in result.output
    # Out-of-court disposals with their captures, a sample drawn, graded and answered.
    disposals = set(db.session.scalars(select(Crime.id).where(Crime.outcome.in_(OUT_OF_COURT_OUTCOMES))))
    assert disposals
    assert set(db.session.scalars(select(OutOfCourtCapture.crime_id))) <= disposals
    assert db.session.scalar(select(func.count()).select_from(ScrutinyCase)) == min(4, len(disposals))
    assert db.session.scalar(select(func.count()).select_from(ScrutinyGrade)) == min(3, len(disposals) - 1)
    assert db.session.scalar(select(func.count()).select_from(ScrutinyResponse)) == 1

    again = runner.invoke(args=["demo-data"])
    assert "not loaded again" in again.output
    assert db.session.scalar(select(func.count()).select_from(Crime)) == 52


def test_demo_data_is_refused_in_production(app):
    """Its staff share a published password: a production database never gets them."""
    production = create_app(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "p" * 64,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_BASE_URL": "https://track.police.example",
            "SINGLE_PROCESS": True,
            "NOTIFICATION_SENDER": "smtp",
            "SMTP_HOST": "smtp.police.example",
            "SMTP_FROM": "no-reply@police.example",
        }
    )
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 1
    assert "The demo data is not loaded in production" in result.output
    assert "flask staff create-admin EMAIL" in result.output
    assert demo.DEMO_PASSWORD not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 0
        assert db.session.scalar(select(func.count()).select_from(Crime)) == 0


def test_the_demo_logins_work(app, client, victim_client, ctx):
    app.test_cli_runner().invoke(args=["demo-data"])
    client.staff_sign_in("sam.taylor@police.example", demo.DEMO_PASSWORD)
    cases = client.get("/backoffice/cases")
    assert cases.soup.select_one(".govuk-pagination")
    victim_client.victim_sign_in("jane.doe@example.com", demo.DEMO_PASSWORD)
    assert len(victim_client.get("/cases").links(r"^/cases/")) == 3
    # One of Jane's crimes is at court: its next hearing is the trial.
    court_case = next(
        page
        for page in (victim_client.get(path) for path in victim_client.get("/cases").links(r"^/cases/"))
        if page.soup.select_one("#next-hearing")
    )
    assert "Cardiff Crown Court" in court_case.soup.select_one("#next-hearing").get_text()


def test_the_demo_has_a_child_victim_whose_parent_holds_the_account(app, victim_client, ctx):
    app.test_cli_runner().invoke(args=["demo-data"])
    parent, email = demo.CHILD_PARENT
    victim_client.victim_sign_in(email, demo.DEMO_PASSWORD)
    cases = victim_client.get("/cases")
    assert f"{demo.CHILD_VICTIM}, your child" in cases.main_text
    [case_url] = cases.links(r"^/cases/")
    assert victim_client.get(case_url).h1 == "Your child’s case"


@pytest.mark.time_sensitive
def test_the_demo_has_victims_code_work_in_every_state(app, ctx):
    app.test_cli_runner().invoke(args=["demo-data"])
    now = utcnow()
    status = status_expression(now)
    counts = dict(db.session.execute(select(status, func.count()).group_by(status)).all())
    assert set(counts) == set(STATUSES)
    assert counts["met_on_time"] > counts["met_late"] > counts["overdue"] > counts["declined"] > 0
    assert set(db.session.scalars(select(Entitlement.rule).distinct())) == set(RULES)
    assert db.session.scalar(
        select(func.count())
        .select_from(Entitlement)
        .where(Entitlement.rule == "referral", Entitlement.state == "declined")
    )
    # Every key event posted owes each victim of the crime being told of it.
    untold = (
        select(func.count(InvestigationUpdate.id))
        .outerjoin(Entitlement, Entitlement.update_id == InvestigationUpdate.id)
        .where(InvestigationUpdate.kind.in_(KEY_EVENTS), Entitlement.id.is_(None))
    )
    assert db.session.scalar(untold) == 0
    # The history is dated when things happened, not when the demo was loaded.
    assert db.session.scalar(select(func.min(EntitlementEvent.at))) < now - timedelta(days=30)

    # The first officer has work overdue, due today and due this week.
    sam = db.session.scalar(select(StaffMember).where(StaffMember.email == "sam.taylor@police.example"))
    queue = victims_code_queries.queue(sam, now=now)
    assert queue.overdue and queue.due_today and queue.due_this_week

    # Enhanced rights: derived from age and offence, and assessed by an officer.
    rights = db.session.execute(
        select(EnhancedRight.category, EnhancedRight.reason, EnhancedRight.assessed_by_id)
    ).all()
    assert ("vulnerable", "under_18", None) in rights and ("most_serious", "offence", None) in rights
    assert [(c, r) for c, r, by in rights if by == sam.id] == [("persistently_targeted", "assessed")]

    # A complaint and a request for review.
    assert (
        db.session.scalar(
            select(func.count()).select_from(Entitlement).where(Entitlement.rule == "complaint")
        )
        == 1
    )
    [review] = db.session.scalars(select(Entitlement).where(Entitlement.rule == "vrr_acknowledge"))
    reviewed = db.session.get(Crime, review.crime_id)
    assert reviewed.outcome in VRR_OUTCOMES and entitlements.review_applies(reviewed)

    # One crime record cancelled as part of another, by the Designated Decision Maker.
    [cancelled] = db.session.scalars(select(Crime).where(Crime.cancelled_at.is_not(None)))
    helen = db.session.scalar(select(StaffMember).where(StaffMember.name == "Helen Carter"))
    assert (
        cancelled.stage,
        cancelled.cancellation_reason,
        cancelled.cancelled_by_id,
        cancelled.cancelled_by_role,
    ) == ("cancelled", "C3", helen.id, "ddm")
    owed = db.session.execute(
        select(Entitlement.event_kind, Entitlement.state, Entitlement.reason).where(
            Entitlement.crime_id == cancelled.id
        )
    ).all()
    assert ("cancelled", "open", None) in owed
    assert all(state != "open" or kind == "cancelled" for kind, state, _ in owed)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "crime.cancel")).actor_id == helen.id
    )


def test_the_demo_has_conversations_and_a_message_that_could_not_be_sent(app, ctx):
    from shared.models import Crime, OutboxMessage
    from shared.services import secure_messages

    demo.load()
    staff = {member.name: member for member in db.session.scalars(select(StaffMember))}
    # A victim's new message waits in the officer's inbox.
    assert secure_messages.unread_for_officer(staff["Sam Taylor"]) >= 1
    # One has waited long enough for the team's supervisor to see it.
    waiting = secure_messages.unanswered(staff["Priya Shah"]).items
    assert waiting and all(row.waiting >= 1 for row in waiting)
    # A notification that finally failed is in front of the officer on the crime page.
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    crime = db.session.get(Crime, failed.crime_id)
    assert outbox_failures.failed_for_crime(crime, [failed.victim_id]) == [failed]
    # Nothing is waiting to be sent: the demo starts with an empty outbox.
    assert not db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
    )


def test_the_demo_has_the_force_s_action_plan(app, ctx):
    """38 actions in the five themes from an inspection and its re-inspection: 29
    complete, 9 in progress, two of them overdue, each with a dated history."""
    now = utcnow()
    demo.load(now=now, crimes=3)
    summary = action_plan.summary(now.date())
    assert (summary.total, summary.by_status) == (38, {"complete": 29, "in_progress": 9})
    assert summary.overdue == 2
    assert {key for (key, _label), counts in summary.by_theme.items() if counts} == set(THEMES)
    sources = set(db.session.scalars(select(Recommendation.source_title)))
    assert sources == {"Crime data integrity inspection 2014", "Crime data integrity re-inspection 2015"}
    events = db.session.scalar(select(func.count()).select_from(ActionEvent))
    assert events == 29 * 4 + 9 * 3
    assert not db.session.scalar(
        select(func.count()).select_from(ActionEvent).where(ActionEvent.comment == "")
    )


def test_the_demo_has_a_crime_data_integrity_audit_in_progress(app, ctx):
    """An audit drawn by the registrar, some records judged by the auditor, one finding
    superseded by the registrar, the rest waiting."""
    demo.load(now=utcnow())
    audit = db.session.scalars(select(CdiAudit)).one()
    records = db.session.scalar(select(func.count()).select_from(CdiAuditRecord))
    judged = db.session.scalar(select(func.count(func.distinct(CdiJudgement.audit_record_id))))
    assert 0 < judged < records
    judges = {member.name for member in db.session.scalars(select(StaffMember).join(CdiJudgement))}
    assert judges == {"Rhian Davies", "Martin Okafor"}
    assert audit.drawn_by.name == "Martin Okafor"
    assert db.session.scalar(
        select(func.count()).select_from(CdiJudgement).where(CdiJudgement.compliant.is_(False))
    )
    # One failed record disputed and ruled on, finally, by the registrar; another put right.
    dispute = db.session.scalars(select(CdiDispute)).one()
    ruling = db.session.scalars(select(CdiJudgement).where(CdiJudgement.ruling.is_(True))).one()
    assert (ruling.audit_record_id, ruling.by.name) == (dispute.audit_record_id, "Martin Okafor")
    step = db.session.scalars(select(CdiPutRight)).one()
    assert step.status == "put_right" and step.judgement_id != ruling.id


def test_the_demo_victims_have_property_to_see_and_a_letter_for_their_insurer(app, ctx):
    demo.load()
    jane = db.session.scalar(select(Victim).where(Victim.email == "jane.doe@example.com"))
    own = [
        item
        for link in db.session.scalars(select(CrimeVictim).where(CrimeVictim.victim_id == jane.id))
        for item in property_service.items_of_victim(link)
    ]
    assert {item.status for item in own} == {"not_held", "return_arranging", "returned"}
    assert len(property_service.losses(own)) == 2
    # The suspect's knife belongs to no victim: staff see it, no victim does.
    assert db.session.scalar(select(func.count()).where(PropertyItem.crime_victim_id.is_(None))) == 1
