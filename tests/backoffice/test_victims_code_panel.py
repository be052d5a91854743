"""The Victims' Code on a crime's page: an officer sees what is owed to each victim,
records what was done, and keeps contact plans and enhanced rights up to date."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, ContactPlan, EnhancedRight, Entitlement, EntitlementEvent
from shared.models.types import utcnow
from shared.services import calendar, crimes
from tests import factories
from tests.pages import PageClient
from tests.queries import count_queries
from tests.signed_in import sign_in_as


def _today() -> list[str]:
    day = calendar.local_date(utcnow())
    return [str(day.day), str(day.month), str(day.year)]


def _officer_client(app, officer=None):
    officer = officer or factories.staff(name="Sam Taylor")
    client = PageClient(app)
    sign_in_as(client, officer)
    return officer, client


def _entitlement(link, rule, event_kind=None) -> Entitlement:
    query = select(Entitlement).where(Entitlement.crime_victim_id == link.id, Entitlement.rule == rule)
    if event_kind:
        query = query.where(Entitlement.event_kind == event_kind)
    return db.session.scalars(query.order_by(Entitlement.id.desc())).first()


def _fresh(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def _history(ent) -> list[tuple[str, int | None]]:
    rows = db.session.scalars(
        select(EntitlementEvent)
        .where(EntitlementEvent.entitlement_id == ent.id)
        .order_by(EntitlementEvent.id)
    )
    return [(row.action, row.by_id) for row in rows]


def _audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _victim_section(page, name):
    heading = next(h for h in page.soup.select("#victims-code ~ div h3") if h.get_text(strip=True) == name)
    return heading.parent


@pytest.mark.time_sensitive
def test_officer_sees_what_is_owed_to_a_standard_and_an_enhanced_victim(app, ctx):
    officer, client = _officer_client(app)
    burglary = factories.crime(officer)
    factories.victim(burglary, officer, name="Alex Standard")

    page = client.get(f"/backoffice/crimes/{burglary.id}")
    section = _victim_section(page, "Alex Standard")
    text = section.get_text(" ", strip=True)
    assert "What the Victims’ Code owes Alex Standard" in text
    for label in (
        "Written acknowledgement",
        "Needs assessment",
        "Referral to support services",
        "Victim Personal Statement offered",
        "Agreed update",
    ):
        assert label in text
    assert "Not yet due" in text
    assert "By the charge, if there is one" in text
    assert "Standard rights: no enhanced rights category applies." in text
    assert "Every 28 days" in text
    assert "Automatically, when the victim was added" in text
    actions = [a.get_text(strip=True) for a in section.find_all("a")]
    assert len([a for a in actions if a.startswith("Record what was done:")]) == 5
    assert "Record what was done: Written acknowledgement, Alex Standard" in actions
    assert "Does not apply: Agreed update, Alex Standard" in actions
    assert "Record a complaint" in text
    assert "Record a request for review" not in text

    rape = factories.crime(officer, offence="rape")
    link = factories.victim(rape, officer, name="Blake Enhanced")
    arrest = factories.update(rape, officer, kind="arrest", text="We arrested a suspect.", visible=False)
    told = _entitlement(link, "event_told", "arrest")
    assert told.enhanced
    assert told.due_at == calendar.working_day_deadline(arrest.created_at, 1)

    page = client.get(f"/backoffice/crimes/{rape.id}")
    text = _victim_section(page, "Blake Enhanced").get_text(" ", strip=True)
    assert "Victim told of a key decision: Suspect arrested" in text
    assert calendar.local_date(told.due_at).strftime("%-d %B %Y") in text
    assert "Enhanced rights timescale" in text
    assert "Victim of the most serious crime" in text
    assert "The offence is one of the most serious crimes" in text
    assert "Intimidated" in text
    assert "Applies automatically" in text


def test_someone_who_cannot_update_crimes_sees_the_panel_without_actions(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    factories.victim(crime, officer, name="Alex Standard")
    analyst = factories.staff(officer.team, roles=("analyst",))
    client = PageClient(app)
    sign_in_as(client, analyst)
    page = client.get(f"/backoffice/crimes/{crime.id}")
    assert "Written acknowledgement" in page.main_text
    assert not page.links("/entitlements/")
    assert not page.links("/contact-plan|/enhanced-rights|/complaint|/review")


@pytest.mark.time_sensitive
def test_officer_records_what_was_done(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Standard")
    crime_url = f"/backoffice/crimes/{crime.id}"

    # A written acknowledgement sent by letter.
    ack = _entitlement(link, "acknowledgement")
    url = f"{crime_url}/entitlements/{ack.id}"
    form = client.get(url)
    assert form.h1 == "Record what was done"
    assert "Alex Standard" in form.main_text and "Written acknowledgement" in form.main_text
    assert "History" in form.main_text and "Started" in form.main_text
    assert "Update posted to the victim’s online account" not in form.main_text
    assert form.soup.find("input", attrs={"name": "date", "id": "date-day"})["value"] == _today()[0]
    # Midnight: in the past whenever today the test runs.
    page = client.post(url, {"way": "letter", "date": _today(), "time": "00:00"})
    assert page.status == 302, page.error_summary
    crime_page = client.follow(page)
    assert "Saved: Written acknowledgement for Alex Standard" in crime_page.main_text
    ack = _fresh(ack)
    assert (ack.state, ack.way, ack.closed_by_id) == ("met", "letter", officer.id)
    assert calendar.local_date(ack.met_at) == calendar.local_date(utcnow())
    assert _history(ack) == [("created", officer.id), ("met", officer.id)]
    assert "entitlement.recorded" in _audit_actions()
    row = next(tr for tr in crime_page.soup.select("tr") if "Written acknowledgement" in tr.get_text())
    assert "Sent by letter" in row.get_text() and "Met on time" in row.get_text()
    assert "Record what was done" not in row.get_text()

    # Recording it again is refused with a message.
    again = client.get(url)
    assert again.status == 302
    assert "already been recorded" in client.follow(again).main_text

    # A referral names the support service.
    referral = _entitlement(link, "referral")
    url = f"{crime_url}/entitlements/{referral.id}"
    page = client.post(url, {"way": "referred", "date": _today()})
    assert page.status == 400
    assert page.error_summary == ["Select the support service"]
    assert _fresh(referral).state == "open"
    page = client.post(url, {"way": "referred", "service": "victim_support", "date": _today()})
    assert page.status == 302, page.error_summary
    referral = _fresh(referral)
    assert (referral.state, referral.way, referral.detail) == ("met", "referred", "victim_support")
    assert "Referred: Victim Support" in client.follow(page).main_text

    # The Victim Personal Statement offered: no deadline before a charge, so on time.
    vps = _entitlement(link, "vps_offer")
    page = client.post(f"{crime_url}/entitlements/{vps.id}", {"way": "offered", "date": _today()})
    assert page.status == 302, page.error_summary
    assert _fresh(vps).state == "met"
    row = next(
        tr
        for tr in client.get(crime_url).soup.select("tr")
        if "Victim Personal Statement offered" in tr.get_text()
    )
    assert "Offered" in row.get_text() and "Met on time" in row.get_text()

    # An arrest posted for staff only: the officer phones the victim.
    factories.update(crime, officer, kind="arrest", text="Arrested.", visible=False)
    told = _entitlement(link, "event_told", "arrest")
    assert told.state == "open"
    page = client.post(f"{crime_url}/entitlements/{told.id}", {"way": "phone", "date": _today()})
    assert page.status == 302, page.error_summary
    told = _fresh(told)
    assert (told.state, told.way) == ("met", "phone")
    row = next(tr for tr in client.get(crime_url).soup.select("tr") if "Suspect arrested" in tr.get_text())
    assert "Told by phone" in row.get_text()


def test_a_referral_that_needs_consent_is_refused_without_it(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer, offence="rape")
    link = factories.victim(crime, officer, name="Blake Enhanced")
    referral = _entitlement(link, "referral")
    url = f"/backoffice/crimes/{crime.id}/entitlements/{referral.id}"
    form = client.get(url)
    assert "The victim gave explicit consent to the referral" in form.main_text

    page = client.post(url, {"way": "referred", "service": "isva", "date": _today()})
    assert page.status == 400
    assert page.error_summary == ["Confirm the victim gave explicit consent to the referral"]
    assert _fresh(referral).state == "open"

    page = client.post(url, {"way": "referred", "service": "isva", "consent": "y", "date": _today()})
    assert page.status == 302, page.error_summary
    assert (_fresh(referral).state, _fresh(referral).detail) == ("met", "isva")


def test_tomorrow_is_refused_in_the_last_minute_of_today(app, ctx, time_machine):
    # 23:59:30 on Friday 27 August 2027 in London (BST): midnight on Saturday, the start of
    # the date typed, is less than a minute away but still tomorrow.
    time_machine.move_to(datetime(2027, 8, 27, 22, 59, 30, tzinfo=UTC), tick=False)
    officer, client = _officer_client(app)
    link = factories.victim(factories.crime(officer), officer)
    ack = _entitlement(link, "acknowledgement")
    url = f"/backoffice/crimes/{link.crime_id}/entitlements/{ack.id}"

    page = client.post(url, {"way": "letter", "date": ["28", "8", "2027"]})
    assert page.status == 400
    assert page.error_summary == ["The date must be today or in the past"]
    assert _fresh(ack).state == "open"

    page = client.post(url, {"way": "letter", "date": ["27", "8", "2027"], "time": "23:59"})
    assert page.status == 302, page.error_summary
    assert _fresh(ack).state == "met"


@pytest.mark.time_sensitive
def test_bad_input_is_refused_with_a_message(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    ack = _entitlement(link, "acknowledgement")
    url = f"/backoffice/crimes/{crime.id}/entitlements/{ack.id}"
    tomorrow = calendar.local_date(utcnow()) + timedelta(days=1)

    cases = [
        ({"date": _today()}, ["Select what was done"]),
        (
            {"way": "letter", "date": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]},
            ["The date must be today or in the past"],
        ),
        ({"way": "letter", "date": ["31", "2", "2026"]}, ["The date it was done must be a real date"]),
        ({"way": "letter", "date": ["", "", ""]}, ["Enter the date it was done"]),
        (
            {"way": "letter", "date": _today(), "time": "25:99"},
            ["Enter a time in the 24-hour clock, like 14:30"],
        ),
        ({"way": "portal", "date": _today()}, ["Select what was done"]),
    ]
    for data, errors in cases:
        page = client.post(url, data)
        assert page.status == 400, data
        assert page.error_summary == errors, data
        assert page.title.startswith("Error:")
    assert _fresh(ack).state == "open"

    # An entitlement of another crime, or none at all, is not found from this crime.
    other = factories.crime(officer)
    other_link = factories.victim(other, officer)
    foreign = _entitlement(other_link, "acknowledgement")
    assert client.get(f"/backoffice/crimes/{crime.id}/entitlements/{foreign.id}").status == 404
    assert (
        client.post(
            f"/backoffice/crimes/{crime.id}/entitlements/{foreign.id}",
            {"way": "letter", "date": _today()},
            csrf_from=url,
        ).status
        == 404
    )
    assert client.get(f"/backoffice/crimes/{crime.id}/entitlements/999999/not-applicable").status == 404
    assert client.get(f"/backoffice/crimes/{crime.id}/victims/{other_link.id}/contact-plan").status == 404
    assert _fresh(foreign).state == "open"


def test_officer_marks_an_entitlement_as_not_applying(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Standard")
    needs = _entitlement(link, "needs_assessment")
    url = f"/backoffice/crimes/{crime.id}/entitlements/{needs.id}/not-applicable"

    form = client.get(url)
    assert form.h1 == "Record that this does not apply"
    page = client.post(url, {"reason": "  "})
    assert page.status == 400
    assert page.error_summary == ["Enter why this does not apply"]

    page = client.post(url, {"reason": "Assessed by the referring force before transfer."})
    assert page.status == 302, page.error_summary
    crime_page = client.follow(page)
    assert "Marked as not applying: Needs assessment" in crime_page.main_text
    needs = _fresh(needs)
    assert (needs.state, needs.reason) == (
        "not_applicable",
        "Assessed by the referring force before transfer.",
    )
    assert _history(needs)[-1] == ("not_applicable", officer.id)
    assert "entitlement.not_applicable" in _audit_actions()
    row = next(tr for tr in crime_page.soup.select("tr") if "Needs assessment" in tr.get_text())
    assert "Does not apply" in row.get_text() and "Assessed by the referring force" in row.get_text()


@pytest.mark.time_sensitive
def test_officer_changes_the_contact_plan(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Standard")
    update = _entitlement(link, "contact_update")
    assert update.due_at == calendar.calendar_day_deadline(update.triggered_at, 28)
    url = f"/backoffice/crimes/{crime.id}/victims/{link.id}/contact-plan"

    form = client.get(url)
    assert form.h1 == "Change the contact plan for Alex Standard"
    assert form.soup.find("input", attrs={"name": "frequency_days"})["value"] == "28"
    assert form.soup.find("input", attrs={"name": "channel", "value": "email"}).has_attr("checked")
    assert form.soup.find("input", attrs={"name": "safe_to_contact", "value": "yes"}).has_attr("checked")

    plan = {
        "frequency_days": "14",
        "channel": "phone",
        "language": "en",
        "safe_to_contact": "yes",
        "opted_out": "no",
        "note": "Prefers calls after 5pm",
    }
    for bad, error in (
        ({"frequency_days": "often"}, "Enter how often, in days, from 1 to 365"),
        ({"frequency_days": "0"}, "Enter how often, in days, from 1 to 365"),
        ({"channel": ""}, "Select how the victim wants to be contacted"),
    ):
        page = client.post(url, {**plan, **bad})
        assert page.status == 400
        assert page.error_summary == [error]

    page = client.post(url, plan)
    assert page.status == 302, page.error_summary
    crime_page = client.follow(page)
    assert "Contact plan changed for Alex Standard" in crime_page.main_text
    section = _victim_section(crime_page, "Alex Standard").get_text(" ", strip=True)
    assert "Every 14 days" in section and "Phone call" in section
    assert "By Sam Taylor on" in section
    plans = db.session.scalars(
        select(ContactPlan).where(ContactPlan.crime_victim_id == link.id).order_by(ContactPlan.id)
    ).all()
    assert [(p.frequency_days, p.channel, p.changed_by_id) for p in plans] == [
        (28, "email", None),
        (14, "phone", officer.id),
    ]
    update = _fresh(update)
    assert update.state == "open"
    assert update.due_at == calendar.calendar_day_deadline(update.triggered_at, 14)
    assert ("due_changed", officer.id) in _history(update)
    assert "contact_plan.change" in _audit_actions()

    history = client.get(url)
    rows = [tr.get_text(" ", strip=True) for tr in history.soup.select("tbody tr")]
    assert len(rows) == 2
    assert "Sam Taylor" in rows[0] and "Every 14 days" in rows[0] and "Prefers calls after 5pm" in rows[0]
    assert "Automatically, when the victim was added" in rows[1]

    # Opting out ends the regular updates.
    page = client.post(url, {**plan, "opted_out": "yes", "note": ""})
    assert page.status == 302, page.error_summary
    update = _fresh(update)
    assert (update.state, update.reason) == ("not_applicable", "opted_out")
    section = _victim_section(client.follow(page), "Alex Standard").get_text(" ", strip=True)
    assert "No regular updates: the victim opted out" in section
    assert "The victim asked not to receive regular updates" in section


def test_officer_assesses_enhanced_rights(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Standard")
    arrest = factories.update(crime, officer, kind="arrest", text="Arrested.", visible=False)
    told = _entitlement(link, "event_told", "arrest")
    assert told.due_at == calendar.working_day_deadline(arrest.created_at, 5)
    url = f"/backoffice/crimes/{crime.id}/victims/{link.id}/enhanced-rights"

    form = client.get(url)
    assert form.h1 == "Enhanced rights of Alex Standard"
    assert not form.soup.find("input", attrs={"name": "categories", "checked": True})

    page = client.post(url, {"categories": "persistently_targeted"})
    assert page.status == 400
    assert page.error_summary == ["Select why the victim is persistently targeted"]

    page = client.post(
        url,
        {
            "categories": "persistently_targeted",
            "persistently_targeted": "assessed",
            "note": "Third burglary this year",
        },
    )
    assert page.status == 302, page.error_summary
    crime_page = client.follow(page)
    assert "Enhanced rights assessed for Alex Standard" in crime_page.main_text
    [right] = db.session.scalars(select(EnhancedRight).where(EnhancedRight.crime_victim_id == link.id)).all()
    assert (right.category, right.reason, right.applies, right.assessed_by_id) == (
        "persistently_targeted",
        "assessed",
        True,
        officer.id,
    )
    told = _fresh(told)
    assert told.enhanced
    assert told.due_at == calendar.working_day_deadline(arrest.created_at, 1)
    assert ("due_changed", officer.id) in _history(told)
    assert "enhanced_rights.assess" in _audit_actions()
    section = _victim_section(crime_page, "Alex Standard").get_text(" ", strip=True)
    assert "Persistently targeted" in section and "Assessed by Sam Taylor" in section

    form = client.get(url)
    assert form.soup.find("input", attrs={"name": "categories", "value": "persistently_targeted"}).has_attr(
        "checked"
    )
    assert "Third burglary this year" in form.main_text


@pytest.mark.time_sensitive
def test_officer_records_a_complaint_and_a_request_for_review(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Alex Standard")
    crime_url = f"/backoffice/crimes/{crime.id}"

    url = f"{crime_url}/victims/{link.id}/complaint"
    assert client.get(url).h1 == "Record a complaint from Alex Standard"
    page = client.post(url, {"date": _today(), "reason": ""})
    assert page.status == 400 and page.error_summary == ["Enter what the complaint is about"]
    page = client.post(url, {"date": ["1", "1", "2020"], "reason": "No update for 6 weeks"})
    assert page.status == 400 and page.error_summary[0].startswith("The date must be on or after")
    page = client.post(url, {"date": _today(), "reason": "No update for 6 weeks"})
    assert page.status == 302, page.error_summary
    complaint = _entitlement(link, "complaint")
    assert (complaint.state, complaint.detail) == ("open", "No update for 6 weeks")
    assert complaint.due_at == calendar.working_day_deadline(complaint.triggered_at, 10)
    assert "entitlement.complaint" in _audit_actions()
    assert "No update for 6 weeks" in client.follow(page).main_text

    # No review without a police decision not to charge an interviewed suspect.
    review_url = f"{crime_url}/victims/{link.id}/review"
    page = client.get(review_url)
    assert page.status == 200
    assert "The right to review does not apply to this crime" in page.main_text
    page = client.post(review_url, {"date": _today()}, csrf_from=crime_url)
    assert page.status == 400
    assert "cannot be recorded" in " ".join(page.error_summary)
    assert _entitlement(link, "vrr_acknowledge") is None

    factories.update(crime, officer, kind="arrest", text="Arrested.", visible=False)
    crimes.record_outcome(db.session.get(type(crime), crime.id), 15, None, False, officer)
    crime_page = client.get(crime_url)
    assert crime_page.links(f"/victims/{link.id}/review$")
    page = client.post(review_url, {"date": _today()})
    assert page.status == 302, page.error_summary
    acknowledge, decide = _entitlement(link, "vrr_acknowledge"), _entitlement(link, "vrr_decide")
    assert acknowledge.due_at == calendar.working_day_deadline(acknowledge.triggered_at, 10)
    assert decide.due_at == calendar.working_day_deadline(decide.triggered_at, 30)
    assert "entitlement.review_request" in _audit_actions()
    text = client.follow(page).main_text
    assert "Review request acknowledged" in text and "Review decided" in text


def test_crime_page_queries_do_not_grow_with_victims(app, ctx):
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    factories.victim(crime, officer)
    url = f"/backoffice/crimes/{crime.id}"

    def queries():
        client.get(url)
        with count_queries(app) as counter:
            assert client.get(url).status == 200
        return counter["n"]

    small = queries()
    links = [factories.victim(crime, officer) for _ in range(6)]
    factories.update(crime, officer, kind="arrest", text="Arrested.", visible=False)
    for link in links[:3]:
        db.session.add(
            EnhancedRight(
                crime_victim_id=link.id,
                category="persistently_targeted",
                reason="assessed",
                assessed_by_id=officer.id,
            )
        )
        db.session.add(
            ContactPlan(
                crime_victim_id=link.id,
                frequency_days=7,
                channel="phone",
                language="en",
                changed_by_id=officer.id,
            )
        )
    db.session.commit()
    assert queries() == small
