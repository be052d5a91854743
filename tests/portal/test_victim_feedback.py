"""Victims' feedback: the portal offers the short survey at the points the force chooses
(FEEDBACK_POINTS), once per victim per point; nothing is sent to invite anyone to it; the
answers are kept without the victim and reach staff only counted, in the compliance
report, with small numbers suppressed: the same figures in the page, the CSV and the API.

The clock is fixed: Monday 7 December 2026, 10:00 (GMT).
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import AuditEvent, FeedbackAnswer, FeedbackInvitation, OutboxMessage
from shared.services import crimes, victims_code_actions
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
ANSWERS = {"informed": "5", "respect": "4", "rights": "prefer_not", "comment": "Kind and   quick."}


def _signed_in(app, link) -> PageClient:
    client = PageClient(app, portal=True)
    sign_in_as(client, link.victim)
    with app.test_request_context():
        offence = str(OFFENCES[link.crime.offence].label)
    client.forbidden_in_title = [link.crime.reference, offence]
    return client


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _offered(page) -> bool:
    return bool(page.links(r"/feedback$"))


def test_the_survey_is_offered_after_the_first_update_and_at_the_outcome_once_each(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"

    # No update yet: nothing to answer, and the survey's addresses are not there.
    assert not _offered(victim.get(case))
    assert victim.get(f"{case}/feedback").status == 404
    assert victim.post(f"{case}/feedback/dismiss", csrf_from=f"{case}/messages").status == 404

    factories.update(crime, officer)
    page = victim.get(case)
    assert _offered(page) and "Tell us how we are doing" in page.main_text
    form = victim.get(f"{case}/feedback")
    assert form.status == 200 and form.h1 == "Tell us how we are doing"
    assert [legend.get_text(strip=True) for legend in form.soup.select("legend")] == [
        "How satisfied are you with how you have been kept informed about your case?",
        "How satisfied are you that you have been treated with respect?",
        "How satisfied are you with how you have been told about your rights?",
    ]

    # Nothing chosen: the GOV.UK error summary, and nothing kept.
    empty = victim.post(f"{case}/feedback", {"comment": "x"})
    assert empty.status == 400
    assert "Select how satisfied you are with how you have been kept informed" in empty.error_summary
    assert _count(FeedbackAnswer) == 0 and _count(FeedbackInvitation) == 0

    outbox = _count(OutboxMessage)
    answered = victim.post(f"{case}/feedback", ANSWERS)
    assert answered.status == 302
    assert "Thank you for your feedback" in victim.follow(answered).main_text
    [answer] = db.session.scalars(select(FeedbackAnswer)).all()
    assert (answer.point, answer.informed, answer.respect, answer.rights) == ("first_update", 5, 4, None)
    assert answer.comment == "Kind and   quick."
    assert (answer.team_id, answer.offence_group, answer.answered_on) == (
        crime.team_id,
        crime.offence_group,
        date(2026, 12, 7),
    )
    assert len(answer.id) == 32 and not answer.id.isdigit()
    [closed] = db.session.scalars(select(FeedbackInvitation)).all()
    assert (closed.crime_victim_id, closed.point, closed.closed_by) == (link.id, "first_update", "answered")
    # Nothing is sent to anyone about the survey.
    assert _count(OutboxMessage) == outbox

    # Answered: no longer offered, and a second answer is refused with nothing changed.
    assert not _offered(victim.get(case))
    again = victim.post(f"{case}/feedback", ANSWERS, csrf_from=f"{case}/messages")
    assert again.status == 409
    assert "You have already answered or turned down this survey. Thank you." in again.error_summary
    assert victim.post(f"{case}/feedback/dismiss", csrf_from=f"{case}/messages").status == 409
    assert _count(FeedbackAnswer) == 1 and _count(FeedbackInvitation) == 1
    assert "You have already answered" in victim.get(f"{case}/feedback").main_text

    # The outcome is the next point: offered again, and the victim turns it down.
    crimes.record_outcome(crime, 14, "No further action.", True, officer)
    page = victim.get(case)
    assert _offered(page)
    dismissed = victim.post(f"{case}/feedback/dismiss", csrf_from=case)
    assert dismissed.status == 302
    assert not _offered(victim.follow(dismissed))
    assert _count(FeedbackAnswer) == 1
    assert [
        (row.point, row.closed_by)
        for row in db.session.scalars(select(FeedbackInvitation).order_by(FeedbackInvitation.id))
    ] == [
        ("first_update", "answered"),
        ("outcome", "dismissed"),
    ]
    assert victim.post(f"{case}/feedback", ANSWERS, csrf_from=f"{case}/messages").status == 409
    assert _count(FeedbackAnswer) == 1
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("victim.feedback%"))
    ).all()
    assert sorted(actions) == ["victim.feedback_answered", "victim.feedback_dismissed"]


def test_only_the_points_the_force_chose_are_offered(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_POINTS", ("outcome",))
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"
    factories.update(crime, officer)
    assert not _offered(victim.get(case))
    assert victim.get(f"{case}/feedback").status == 404
    crimes.record_outcome(crime, 14, "No further action.", True, officer)
    assert _offered(victim.get(case))

    monkeypatch.setitem(app.config, "FEEDBACK_POINTS", ())
    assert not _offered(victim.get(case))
    assert victim.get(f"{case}/feedback").status == 404


def test_another_victims_survey_cannot_be_reached(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    mine, theirs = factories.active_victim(crime, officer), factories.active_victim(crime, officer)
    factories.update(crime, officer)
    victim = _signed_in(app, mine)
    assert victim.get(f"/cases/{theirs.public_id}/feedback").status == 404
    page = victim.post(
        f"/cases/{theirs.public_id}/feedback", ANSWERS, csrf_from=f"/cases/{mine.public_id}/feedback"
    )
    assert page.status == 404
    assert _count(FeedbackAnswer) == 0 and _count(FeedbackInvitation) == 0


@pytest.mark.parametrize(
    "changes",
    [{"informed": "6"}, {"respect": "0"}, {"rights": ""}, {"informed": "٥"}, {"comment": "x" * 1001}],
)
def test_bad_answers_are_refused_and_nothing_is_kept(app, ctx, changes):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.update(crime, officer)
    victim = _signed_in(app, link)
    page = victim.post(f"/cases/{link.public_id}/feedback", {**ANSWERS, **changes})
    assert page.status == 400 and page.error_summary
    assert _count(FeedbackAnswer) == 0 and _count(FeedbackInvitation) == 0


def test_a_victim_not_safe_to_contact_is_sent_nothing_and_sees_the_survey_on_the_portal(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=28,
        channel="email",
        language="en",
        safe_to_contact=False,
        opted_out=False,
        note=None,
        by=officer,
    )
    before = db.session.scalars(select(OutboxMessage.status)).all()
    factories.update(crime, officer)
    crimes.record_outcome(crime, 14, "No further action.", True, officer)
    # Only the updates' own alerts are written (the worker withholds them: not safe to
    # contact); nothing about the survey is written at all.
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert {message.kind for message in sent[len(before) :]} == {"new_update"}
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"
    assert _offered(victim.get(case))
    assert victim.post(f"{case}/feedback", ANSWERS).status == 302
    assert len(db.session.scalars(select(OutboxMessage)).all()) == len(sent)


def test_the_survey_is_in_welsh(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer, language="cy")
    factories.update(crime, officer)
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"
    victim.get(f"/language/cy?next={case}")
    page = victim.get(f"{case}/feedback")
    assert page.soup.html["lang"] == "cy"
    assert page.h1 == "Dywedwch wrthym sut rydym yn gwneud"
    empty = victim.post(f"{case}/feedback", {})
    assert (
        "Dewiswch pa mor fodlon ydych chi â sut rydych wedi cael gwybod am eich achos" in empty.error_summary
    )
