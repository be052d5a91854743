"""A victim manages online how she is kept up to date about a case: how often (the force's
choices, or no regular updates), by which channel (through the intermediary the officer
named, too) and in which language (or another, through an interpreter). Each change is
the contact plan's history as the victim's, and the officer in charge finds it on their
task list. Whether it is safe to contact her stays the police's alone.

The clock is fixed: Monday 7 December 2026, 10:00 (GMT).
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import AuditEvent, ContactPlan, Entitlement, OutboxMessage
from shared.services import entitlements, outbox_routing, updates, victims_code_actions
from shared.services.victims_code_actions import Intermediary
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def _signed_in(app, link, language: str | None = None) -> PageClient:
    client = PageClient(app, portal=True)
    sign_in_as(client, link.victim)
    with app.test_request_context():
        offence = str(OFFENCES[link.crime.offence].label)
    client.forbidden_in_title = [link.crime.reference, offence]
    if language:
        client.get(f"/language/{language}?next=/cases")
    return client


def _staff_client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _plans(link) -> list[ContactPlan]:
    return list(
        db.session.scalars(
            select(ContactPlan).where(ContactPlan.crime_victim_id == link.id).order_by(ContactPlan.id)
        )
    )


def _rows() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(ContactPlan)) or 0,
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "contact_plan.change")
        )
        or 0,
        db.session.scalar(select(func.count()).select_from(Entitlement)) or 0,
    )


def _name_intermediary(link, officer, safe: bool = True):
    plan = entitlements.current_plans([link.id])[link.id]
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=plan.frequency_days,
        channel=plan.channel,
        language=plan.language,
        safe_to_contact=safe,
        opted_out=plan.opted_out,
        note="Safe word agreed",
        by=officer,
        intermediary=Intermediary("Jo Adviser", "isva", "01632 960000"),
    )


def test_the_victim_changes_how_she_is_contacted_and_the_officer_sees_it_and_is_told(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    _name_intermediary(link, officer)
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"

    page = victim.get(case)
    assert page.links(r"/contact-preferences$") == [f"{case}/contact-preferences"]
    form = victim.get(f"{case}/contact-preferences")
    assert form.status == 200 and form.h1 == "How we contact you"
    assert form.title.startswith("How we contact you")
    # The force's choices, the intermediary the officer named, never the police-only setting.
    assert "Every 14 days" in form.main_text and "I do not want regular updates" in form.main_text
    assert "Through Jo Adviser, Independent Sexual Violence Adviser (ISVA)" in form.main_text
    assert "safe" not in form.main_text.lower() and "Safe word" not in form.main_text
    assert "01632 960000" not in form.main_text

    page = victim.post(
        f"{case}/contact-preferences",
        {"frequency": "14", "channel": "intermediary", "language": "other", "interpreter_language": "Polish"},
    )
    assert page.status == 302
    page = victim.follow(page)
    assert "Your choices have been saved" in page.main_text

    plan = _plans(link)[-1]
    assert (plan.frequency_days, plan.channel, plan.language, plan.interpreter_language) == (
        14,
        "intermediary",
        "en",
        "Polish",
    )
    assert plan.by_victim and plan.changed_by_id is None and plan.seen_at is None
    assert (plan.intermediary_name, plan.intermediary_role) == ("Jo Adviser", "isva")
    assert plan.safe_to_contact and plan.note is None
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "contact_plan.change").order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_type == "victim"
    # The next regular update falls due by the new frequency.
    (ent,) = db.session.scalars(
        select(Entitlement).where(
            Entitlement.crime_victim_id == link.id,
            Entitlement.rule == "contact_update",
            Entitlement.state == "open",
        )
    )
    assert (ent.due_at - ent.triggered_at).days <= 14

    # The officer is told: the change is on their task list until they open the plan.
    staff = _staff_client(app, officer)
    tasks = staff.get("/backoffice/tasks")
    assert "Contact preferences changed by victims (1)" in tasks.main_text
    plan_page = f"/backoffice/crimes/{crime.id}/victims/{link.id}/contact-plan"
    assert tasks.links(r"/contact-plan$") == [plan_page]
    history = staff.get(plan_page)
    assert "Changed by the victim, online" in history.main_text
    assert "Changed by Sam Taylor" in history.main_text
    assert "Polish, through an interpreter" in history.main_text
    assert "Through an intermediary" in history.main_text
    assert "Contact preferences changed by victims" not in staff.get("/backoffice/tasks").main_text
    db.session.expire_all()
    assert _plans(link)[-1].seen_at is not None
    crime_page = staff.get(f"/backoffice/crimes/{crime.id}")
    assert "By the victim, online, on 7 December 2026" in crime_page.main_text

    # No regular updates: the agreed update is closed, and the rights page says so.
    page = victim.post(
        f"{case}/contact-preferences", {"frequency": "none", "channel": "email", "language": "cy"}
    )
    assert page.status == 302
    plan = _plans(link)[-1]
    assert (
        plan.opted_out
        and plan.frequency_days == 14
        and plan.language == "cy"
        and plan.interpreter_language is None
    )
    rights = victim.get(f"{case}/rights")
    assert "You asked not to receive regular updates" in rights.main_text
    assert rights.links(r"/contact-preferences$")


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"frequency": "3", "channel": "email", "language": "en"}, "Select how often you want an update"),
        ({"frequency": "366", "channel": "email", "language": "en"}, "Select how often you want an update"),
        ({"frequency": "²", "channel": "email", "language": "en"}, "Select how often you want an update"),
        ({"frequency": "14", "channel": "pigeon", "language": "en"}, "Select how you want us to contact you"),
        # No intermediary is named for her.
        (
            {"frequency": "14", "channel": "intermediary", "language": "en"},
            "Select how you want us to contact you",
        ),
        # No phone number on record.
        ({"frequency": "14", "channel": "sms", "language": "en"}, "We do not have a phone number for you"),
        ({"frequency": "14", "channel": "email", "language": "fr"}, "Select the language you want us to use"),
        ({"frequency": "14", "channel": "email", "language": "other"}, "Enter the language you want to use"),
        (
            {"frequency": "14", "channel": "email", "language": "other", "interpreter_language": "x" * 101},
            "The language must be 100 characters or fewer",
        ),
        ({"channel": "email", "language": "en"}, "Select how often you want an update"),
    ],
)
def test_bad_answers_are_refused_with_the_error_summary_and_change_nothing(app, ctx, data, field_error):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victim = _signed_in(app, link)
    path = f"/cases/{link.public_id}/contact-preferences"
    victim.get(path)
    before = _rows()
    page = victim.post(path, data)
    assert page.status == 400
    assert any(field_error in error for error in page.error_summary), page.error_summary
    assert _rows() == before


def test_another_victims_case_is_not_found_and_nothing_changes(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    mine = factories.active_victim(crime, officer)
    theirs = factories.active_victim(factories.crime(officer), officer)
    victim = _signed_in(app, mine)
    before = _rows()
    path = f"/cases/{theirs.public_id}/contact-preferences"
    assert victim.get(path).status == 404
    token = victim.get(f"/cases/{mine.public_id}/contact-preferences").csrf()
    page = victim.post(path, {"frequency": "14", "channel": "email", "language": "en", "csrf_token": token})
    assert page.status == 404
    assert _rows() == before


def test_a_victim_not_safe_to_contact_never_learns_it_and_her_change_switches_nothing_on(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    _name_intermediary(link, officer, safe=False)
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"
    for path in (case, f"{case}/contact-preferences", f"{case}/rights", f"{case}/messages", "/cases"):
        for language in ("en", "cy"):
            victim.get(f"/language/{language}?next=/cases")
            text = victim.get(path).main_text.lower()
            assert "safe to contact" not in text and "not safe" not in text and "diogel" not in text, path
    victim.get("/language/en?next=/cases")

    page = victim.post(
        f"{case}/contact-preferences", {"frequency": "7", "channel": "email", "language": "en"}
    )
    assert page.status == 302
    plan = _plans(link)[-1]
    assert plan.by_victim and plan.channel == "email" and not plan.safe_to_contact
    # An update the victim can read is posted: nothing is sent to her.
    updates.post_update(
        crime,
        kind="general",
        victim_text="We have checked the CCTV.",
        internal_note=None,
        visible=True,
        by=officer,
    )
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.victim_id == link.victim_id)
    ).first()
    assert message is not None
    assert outbox_routing.route(message, ("email", "sms")).withheld == "not_safe"


def test_the_officer_names_an_intermediary_and_contact_through_them_needs_one(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    staff = _staff_client(app, officer)
    path = f"/backoffice/crimes/{crime.id}/victims/{link.id}/contact-plan"
    base = {"frequency_days": "28", "language": "en", "safe_to_contact": "yes", "opted_out": "no"}
    before = _rows()
    page = staff.post(path, {**base, "channel": "intermediary"})
    assert (
        page.status == 400
        and "Name the intermediary before choosing contact through them" in page.error_summary
    )
    page = staff.post(path, {**base, "channel": "phone", "intermediary_name": "Jo Adviser"})
    assert "Select the intermediary’s role" in page.error_summary
    assert _rows() == before
    page = staff.post(
        path,
        {
            **base,
            "channel": "intermediary",
            "intermediary_name": "Jo Adviser",
            "intermediary_role": "idva",
            "intermediary_contact": "jo@support.example",
        },
    )
    assert page.status == 302
    plan = _plans(link)[-1]
    assert (plan.channel, plan.intermediary_name, plan.intermediary_role, plan.intermediary_contact) == (
        "intermediary",
        "Jo Adviser",
        "idva",
        "jo@support.example",
    )
    assert not plan.by_victim and plan.changed_by_id == officer.id
    # The service sends nothing itself through an intermediary: the officer does.
    updates.post_update(
        crime,
        kind="general",
        victim_text="We have checked the CCTV.",
        internal_note=None,
        visible=True,
        by=officer,
    )
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.victim_id == link.victim_id)
    ).first()
    assert outbox_routing.route(message, ("email", "sms")).withheld == "channel"


def test_the_welsh_page_is_in_welsh(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer, language="cy")
    victim = _signed_in(app, link, language="cy")
    page = victim.get(f"/cases/{link.public_id}/contact-preferences")
    assert page.status == 200
    assert "How we contact you" not in page.main_text
    assert "I do not want regular updates" not in page.main_text


def test_the_force_sets_the_frequencies_a_victim_may_choose(tmp_path):
    from shared.config import ConfigError, load_config

    def choices(value):
        return load_config(str(tmp_path), {"APP_ENV": "testing", "UPDATE_FREQUENCY_CHOICES": value})[
            "UPDATE_FREQUENCY_CHOICES"
        ]

    assert choices("") == (7, 14, 28, 56)
    assert choices(" 28, 7,14,7 ") == (7, 14, 28)
    for wrong in ("0", "366", "7,fortnight", "1.5", "²"):
        with pytest.raises(ConfigError, match="^UPDATE_FREQUENCY_CHOICES: each must be a whole number"):
            choices(wrong)


def test_the_records_system_reads_a_plan_through_an_intermediary_as_such(app, ctx):
    from shared.services import records

    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    _name_intermediary(link, officer)
    plan = entitlements.current_plans([link.id])[link.id]
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=14,
        channel="intermediary",
        language="en",
        safe_to_contact=True,
        opted_out=False,
        note=None,
        by=officer,
    )
    assert plan.intermediary_name == "Jo Adviser"
    read = records._plan(entitlements.current_plans([link.id])[link.id])
    assert read is not None and read["channel"] == "intermediary"
    from shared.services.records_input import ContactPlanOut

    assert ContactPlanOut.model_validate(read).channel == "intermediary"
