"""A victim reads their rights under the Victims' Code for one crime: what we must do,
what we have done and when, what is late, and how to complain or ask for a review; and,
when the crime record is cancelled, why, in plain words."""

import calendar as months
import itertools
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import AuditEvent, Entitlement
from shared.models.types import utcnow
from shared.services import calendar, crimes, updates, victims_code_actions
from tests import factories
from tests.queries import count_queries
from tests.signed_in import sign_in_as

NOTE = "Suspect is the ex-partner; see intelligence log 4471"
COMPLAINT = "Rude on the phone to the victim on Tuesday (call 5581)"
_refs = itertools.count(70001)
STAFF_REASON = "Victim is in hospital, ward 7; assessment by the hospital team"
EVIDENCE = "CCTV 2291 shows the bicycle was lent to a neighbour"


def _day(at) -> str:
    """A timestamp's date in London as the page writes it: 3 March 2026."""
    d = calendar.local_date(at) if isinstance(at, datetime) else at
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _crime(officer, days_ago=20, offence="burglary_residential"):
    reported = utcnow() - timedelta(days=days_ago)
    return crimes.record_crime(
        reference=f"43/{next(_refs)}/26",
        offence=offence,
        occurred_at=reported - timedelta(hours=2),
        reported_at=reported,
        officer_in_charge=officer,
        stage="under_investigation",
        by=officer,
    )


def _ent(link, rule, event_kind=None) -> Entitlement:
    query = select(Entitlement).where(Entitlement.crime_victim_id == link.id, Entitlement.rule == rule)
    if event_kind:
        query = query.where(Entitlement.event_kind == event_kind)
    return db.session.scalar(query.order_by(Entitlement.id.desc()))


def _sign_in(client, link):
    sign_in_as(client, link.victim)
    with client.app.test_request_context():
        offence = str(OFFENCES[link.crime.offence].label)
    client.forbidden_in_title = [link.crime.reference, offence]


def _items(page) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.soup.select(".app-rights-list li")]


@pytest.mark.time_sensitive
def test_a_victim_sees_what_we_have_done_for_them_and_what_is_late(victim_client, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime = _crime(officer)
    mine = factories.active_victim(crime, officer)
    other = factories.active_victim(crime, officer)

    victims_code_actions.record_action(_ent(mine, "acknowledgement"), "letter", utcnow(), officer)
    victims_code_actions.record_action(_ent(mine, "referral"), "victim_declined", utcnow(), officer)
    victims_code_actions.mark_not_applicable(_ent(mine, "needs_assessment"), STAFF_REASON, officer)
    victims_code_actions.record_complaint(mine, utcnow(), COMPLAINT, officer)
    # The other victim of the same crime: referred to a service the page must not mention.
    victims_code_actions.record_action(_ent(other, "referral"), "referred", utcnow(), officer, service="isva")
    factories.update(crime, officer, kind="arrest", text="We arrested a man this morning.", note=NOTE)
    # An interview three weeks ago that nobody has told the victim about yet.
    updates.post_update(
        crime,
        kind="interview",
        victim_text=None,
        internal_note="Interviewed at Central",
        visible=False,
        by=officer,
        occurred_at=utcnow() - timedelta(days=20),
    )

    _sign_in(victim_client, mine)
    case = victim_client.get(f"/cases/{mine.public_id}")
    assert case.links(r"/rights$") == [f"/cases/{mine.public_id}/rights"]
    page = victim_client.get(f"/cases/{mine.public_id}/rights")
    assert page.status == 200
    assert page.h1 == "Your rights"
    text = page.main_text
    headings = [h.get_text(strip=True) for h in page.soup.select("h3")]
    assert headings == [
        "Written confirmation of your report",
        "Assessment of the support you need",
        "Referral to a support service",
        "The offer to make a Victim Personal Statement",
        "Being told about an important decision",
        "A regular update",
        "An answer to your complaint",
    ]

    ack = _ent(mine, "acknowledgement")
    assert f"Done Done on {_day(ack.met_at)}, by letter." in _items(page)
    arrest = _ent(mine, "event_told", "arrest")
    assert (
        f"Done We told you about the arrest of a suspect on {_day(arrest.met_at)}, online, on this service."
        in _items(page)
    )
    interview = _ent(mine, "event_told", "interview")
    assert (
        f"Overdue Overdue: we should have told you about an important decision by {_day(interview.due_at)}."
        in _items(page)
    )
    # Not told yet: the page does not break the news of the interview itself.
    assert "interview" not in text.lower()
    assert "Not wanted You told us you did not want a referral." in _items(page)
    assert "Does not apply This does not apply to you." in _items(page)
    assert "To do We will do this by the time anyone is charged, if someone is charged." in _items(page)
    complaint = _ent(mine, "complaint")
    assert f"To do Due by {_day(complaint.due_at)}." in _items(page)

    # The next regular update, and how often.
    update_due = _ent(mine, "contact_update")
    assert update_due.state == "open"
    assert f"Next update due by {_day(update_due.due_at)}" in text
    assert "Every 28 days" in text
    assert "change how often" in text

    # Standard rights, how to complain and compensation.
    assert "You have the standard rights" in text and "within 5 working days" in text
    assert "Sam Taylor" in text and "within 10 working days" in text
    assert page.links(r"ombudsman\.org\.uk") == ["https://www.ombudsman.org.uk/"]
    # Since 29 January 2025 a victim goes straight to the Ombudsman after the force's final
    # reply; conduct complaints go to professional standards, reviewed within 28 days.
    assert "you can complain straight to the Parliamentary and Health Service Ombudsman" in text
    assert "You do not need to ask your MP to send it, though you still can." in text
    assert "ask your MP to send your complaint" not in text
    assert "the force’s professional standards department" in text
    assert "ask for a review within 28 days of being told the outcome" in text
    assert page.links(r"claim-compensation-criminal-injury") == [
        "https://www.gov.uk/claim-compensation-criminal-injury"
    ]
    assert "Right to Review" not in text

    # Nothing meant for staff, and nothing of the other victim.
    for secret in (NOTE, "Interviewed at Central", COMPLAINT, STAFF_REASON):
        assert secret not in page.text, secret
    for secret in ("4471", "5581", "ward 7"):
        assert secret not in page.main_text, secret
    assert "Independent sexual violence adviser" not in page.text
    assert other.victim.name not in page.text
    assert len(_items(page)) == len(
        list(db.session.scalars(select(Entitlement).where(Entitlement.crime_victim_id == mine.id)))
    )


@pytest.mark.time_sensitive
def test_an_overdue_acknowledgement_says_so(victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    ack = _ent(link, "acknowledgement")
    past = utcnow() - timedelta(days=3)
    db.session.execute(Entitlement.__table__.update().values(due_at=past).where(Entitlement.id == ack.id))
    db.session.commit()

    _sign_in(victim_client, link)
    page = victim_client.get(f"/cases/{link.public_id}/rights")
    assert f"Overdue Overdue: this should have been done by {_day(past)}." in _items(page)


@pytest.mark.time_sensitive
def test_a_victim_with_enhanced_rights_is_told_what_they_mean(victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer, offence="rape")
    link = factories.active_victim(crime, officer)

    _sign_in(victim_client, link)
    page = victim_client.get(f"/cases/{link.public_id}/rights")
    text = page.main_text
    assert "You are entitled to enhanced rights because:" in text
    reasons = [li.get_text(strip=True) for li in page.soup.select(".govuk-list--bullet li")]
    assert reasons == [
        "you are the victim of one of the most serious kinds of crime",
        "giving evidence may cause you fear or distress",
    ]
    assert "within 1 working day, instead of 5" in text
    assert "standard rights" not in text


def test_the_right_to_review_shows_only_when_it_applies(victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    _sign_in(victim_client, link)
    path = f"/cases/{link.public_id}/rights"

    factories.update(crime, officer, kind="arrest", text="We arrested a man.")
    assert "Right to Review" not in victim_client.get(path).main_text

    crimes.record_outcome(crime, 15, "There is not enough evidence to charge.", True, officer)
    page = victim_client.get(path)
    text = page.main_text
    assert "Asking for a review of the decision" in text and "Victims’ Right to Review" in text
    told = calendar.local_date(crime.outcome_at)
    year, month = told.year + (told.month + 2) // 12, (told.month + 2) % 12 + 1
    deadline = date(year, month, min(told.day, months.monthrange(year, month)[1]))
    assert f"within 3 months of being told of the decision: by {_day(deadline)}." in text
    assert "within 10 working days" in text and "within 30 working days" in text
    # The investigation is over: no more regular updates.
    assert "Regular updates have ended because the investigation has finished." in text


def test_no_review_without_a_suspect(victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    crimes.record_outcome(crime, 18, None, True, officer, factors=("solvability",))

    _sign_in(victim_client, link)
    assert "Right to Review" not in victim_client.get(f"/cases/{link.public_id}/rights").main_text


def test_another_victims_rights_page_is_not_found_and_the_attempt_is_kept(victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    mine = factories.active_victim(crime, officer)
    same_crime = factories.active_victim(crime, officer)
    elsewhere = factories.active_victim(factories.crime(officer), officer)

    _sign_in(victim_client, mine)
    for link in (same_crime, elsewhere):
        page = victim_client.get(f"/cases/{link.public_id}/rights")
        assert page.status == 404
        assert link.victim.name not in page.text
    assert victim_client.get("/cases/no-such-case/rights").status == 404

    denied = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "victim.case_denied").order_by(AuditEvent.id)
        )
    )
    assert [e.record_id for e in denied] == [same_crime.public_id, elsewhere.public_id, "no-such-case"]
    assert {e.actor_id for e in denied} == {mine.victim.id}


@pytest.mark.time_sensitive
def test_a_cancelled_crime_is_explained_in_plain_words(victim_client, ctx):
    officer = factories.staff()
    ddm = factories.staff(roles=("ddm",))
    crime = factories.crime(officer, offence="bicycle_theft")
    link = factories.active_victim(crime, officer)
    victims_code_actions.cancel_crime(crime, "C2", EVIDENCE, ddm)

    _sign_in(victim_client, link)
    page = victim_client.get(f"/cases/{link.public_id}")
    banner = page.soup.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert f"Your crime record was cancelled on {_day(crime.cancelled_at)}" in banner
    assert "We have found further information that shows no crime took place" in banner
    timeline = [h.get_text(strip=True) for h in page.soup.select(".app-updates h3")]
    assert timeline == ["Your crime record was cancelled"]
    assert page.main_text.count("We have found further information that shows no crime took place") == 2
    assert "The crime record has been cancelled" in page.main_text  # the status
    assert EVIDENCE not in page.text
    assert "2291" not in page.main_text and "C2" not in page.main_text

    rights = victim_client.get(f"/cases/{link.public_id}/rights")
    told = _ent(link, "event_told", "cancelled")
    assert (
        f"Done We told you about the cancellation of the crime record on {_day(told.met_at)}, online, on this service."
        in _items(rights)
    )
    assert "Does not apply The crime was cancelled." in _items(rights)
    assert "Regular updates have ended because the crime record was cancelled." in rights.main_text
    assert EVIDENCE not in rights.text


@pytest.mark.time_sensitive
def test_the_rights_page_works_in_welsh(victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer, offence="rape")
    link = factories.active_victim(crime, officer, language="cy")
    victims_code_actions.record_action(_ent(link, "acknowledgement"), "email", utcnow(), officer)

    _sign_in(victim_client, link)
    path = f"/cases/{link.public_id}/rights"
    victim_client.get(f"/language/cy?next={path}")
    page = victim_client.get(path)
    assert page.status == 200
    assert page.soup.html["lang"] == "cy"
    welsh = " ".join(page.main_text.split())
    assert "gallwch gwyno’n syth i’r Ombwdsmon Seneddol a Gwasanaeth Iechyd" in welsh
    assert "Nid oes angen i chi ofyn i’ch AS ei anfon, er y gallwch wneud hynny o hyd." in welsh
    assert "adran safonau proffesiynol yr heddlu" in welsh
    assert "gallwch ofyn am adolygiad o fewn 28 diwrnod" in welsh
    victim_client.get(f"/language/en?next={path}")
    assert victim_client.get(path).soup.html["lang"] == "en"


def test_the_rights_page_queries_do_not_grow_with_entitlements(app, victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.active_victim(crime, officer)
    _sign_in(victim_client, link)
    path = f"/cases/{link.public_id}/rights"

    def queries():
        victim_client.get(path)
        with count_queries(app) as counter:
            assert victim_client.get(path).status == 200
        return counter["n"]

    small = queries()
    for kind in ("arrest", "interview", "bail", "bail_changed", "released_under_investigation") * 4:
        factories.update(crime, officer, kind=kind, text="Update")
    victims_code_actions.record_complaint(link, utcnow(), "About the delay", officer)
    assert queries() == small
