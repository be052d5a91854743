"""An officer's Victims' Code tasks and a supervisor's view of the team's; a Designated
Decision Maker or the Force Crime Registrar cancelling a crime record; and an officer
dating a key event that happened earlier."""

import itertools
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, Crime, Entitlement, InvestigationUpdate
from shared.models.types import utcnow
from shared.services import calendar, crimes, updates, victims_code_actions
from shared.services.errors import ServiceError
from shared.web.forms import local_to_utc
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

_refs = itertools.count(1)


def _crime(
    oic, *, reported_days_ago: int = 0, offence: str = "burglary_residential", reference: str | None = None
):
    """A crime recorded now, reported `reported_days_ago` days ago."""
    reported = utcnow() - timedelta(days=reported_days_ago, minutes=5)
    return crimes.record_crime(
        reference=reference or f"43/{70000 + next(_refs)}/26",
        offence=offence,
        occurred_at=reported - timedelta(hours=3),
        reported_at=reported,
        officer_in_charge=oic,
        stage="under_investigation",
        by=oic,
    )


def _client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _band(page, key: str) -> str:
    """The text of one band of a queue page: its heading, and what follows up to the next."""
    heading = page.soup.find("h2", id=key)
    assert heading is not None, key
    parts = [heading.get_text(" ", strip=True)]
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(sibling.get_text(" ", strip=True))
    return " ".join(parts)


def _open(link, rule: str) -> Entitlement:
    return db.session.scalar(
        select(Entitlement).where(
            Entitlement.crime_victim_id == link.id, Entitlement.rule == rule, Entitlement.state == "open"
        )
    )


def _officer_row(page, name: str) -> list[str]:
    for row in page.soup.select("table tbody tr"):
        header = row.find("th")
        if header is not None and header.get_text(" ", strip=True).startswith(name):
            return [cell.get_text(strip=True) for cell in row.find_all("td")]
    raise AssertionError(f"no row for {name}")


# ------------------------------------------------------------------------- queues


@pytest.mark.time_sensitive
def test_officers_queue_shows_what_is_overdue_due_today_and_due_this_week(app, ctx):
    team = factories.team()
    officer = factories.staff(team, name="Alex Morgan")
    colleague = factories.staff(team, name="Bea Colleague")
    crime = _crime(officer, reported_days_ago=30, reference="43/10001/26")
    link = factories.victim(crime, officer, name="Olive Older")
    # A charge makes the offer of a Victim Personal Statement due by the end of today.
    updates.post_update(
        crime,
        kind="charge",
        victim_text=None,
        internal_note="Charged at the station.",
        visible=False,
        by=officer,
    )
    theirs = _crime(colleague, reported_days_ago=30, reference="43/10002/26")
    factories.victim(theirs, colleague, name="Carl Colleagues")

    client = _client(app, officer)
    page = client.get("/backoffice/tasks")
    assert page.status == 200
    assert page.h1 == "My Victims’ Code tasks"
    assert not page.soup.select(".moj-sub-navigation")  # no team view for an officer

    overdue = _band(page, "overdue")
    # Referral was due 2 working days after the report, 30 days ago.
    assert overdue.startswith("Overdue (1)")
    assert "43/10001/26" in overdue and "Olive Older" in overdue
    assert "Referral to support services" in overdue and "Alex Morgan" in overdue
    assert page.links(rf"/backoffice/crimes/{crime.id}$")
    today = _band(page, "due_today")
    assert today.startswith("Due today (1)")
    assert "Victim Personal Statement offered" in today
    week = _band(page, "due_this_week")
    assert "Needs assessment" in week and "Olive Older" in week
    # Only the officer's own crimes.
    assert "43/10002/26" not in page.main_text and "Carl Colleagues" not in page.main_text

    # Meeting the referral takes it off the queue.
    victims_code_actions.record_action(
        _open(link, "referral"), "referred", utcnow(), officer, service="victim_support"
    )
    page = client.get("/backoffice/tasks")
    overdue = _band(page, "overdue")
    assert overdue.startswith("Overdue (0)")
    assert "Nothing is overdue for your victims." in overdue
    assert "Referral to support services" not in page.main_text
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "victims_code.queue"))


@pytest.mark.time_sensitive
def test_supervisor_sees_every_officer_of_the_team_and_no_other_team(app, ctx):
    team = factories.team("Response North")
    supervisor = factories.staff(team, roles=("supervisor",), name="Sue Visor")
    alex = factories.staff(team, name="Alex Morgan")
    bea = factories.staff(team, name="Bea Jones")
    late = _crime(alex, reported_days_ago=30, reference="43/20001/26")
    factories.victim(late, alex, name="Olive Older")
    fresh = _crime(bea, reference="43/20002/26")
    factories.victim(fresh, bea, name="Nina Newer")
    outsider = factories.staff(name="Carl Elsewhere")  # another team
    elsewhere = _crime(outsider, reported_days_ago=30, reference="99/20003/26")
    factories.victim(elsewhere, outsider, name="Eve Elsewhere")

    client = _client(app, supervisor)
    page = client.get("/backoffice/tasks/team")
    assert page.status == 200
    assert page.h1 == "My team’s Victims’ Code tasks"
    nav = page.soup.select_one(".moj-sub-navigation")
    assert nav.select_one("[aria-current=page]").get_text(strip=True) == "My team"
    assert page.soup.find("caption", string=lambda s: s and "Tasks for each officer" in s)
    assert _officer_row(page, "Alex Morgan")[:2] == ["1", "0"]
    assert _officer_row(page, "Bea Jones")[0] == "0"
    assert int(_officer_row(page, "Bea Jones")[2]) >= 2  # needs assessment and referral
    assert _officer_row(page, "Sue Visor") == ["0", "0", "0"]
    assert "Carl Elsewhere" not in page.main_text
    overdue = _band(page, "overdue")
    assert "43/20001/26" in overdue and "Alex Morgan" in overdue
    assert "43/20002/26" in _band(page, "due_this_week")
    assert "99/20003/26" not in page.main_text and "Eve Elsewhere" not in page.main_text

    # The supervisor's own tasks: none, said in plain words.
    mine = client.get("/backoffice/tasks")
    assert mine.h1 == "My Victims’ Code tasks"
    assert "Nothing is overdue for your victims." in mine.main_text
    assert "Nothing is due today for your victims." in mine.main_text
    assert mine.links(r"/backoffice/tasks/team$")

    assert _client(app, alex).get("/backoffice/tasks/team").status == 403


# ------------------------------------------------------------------- cancellation


@pytest.mark.parametrize("role", ["officer", "supervisor", "analyst"])
def test_only_a_ddm_or_the_fcr_can_cancel(app, ctx, role):
    team = factories.team()
    oic = factories.staff(team)
    crime = _crime(oic)
    member = factories.staff(team, roles=(role,))
    client = _client(app, member)
    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    assert "Cancel crime record" not in crime_page.main_text
    assert client.get(f"/backoffice/crimes/{crime.id}/cancel").status == 403
    page = client.post(
        f"/backoffice/crimes/{crime.id}/cancel",
        {"csrf_token": crime_page.csrf(), "reason": "C4", "evidence": "Recorded twice."},
    )
    assert page.status == 403
    with app.test_request_context(), pytest.raises(ServiceError, match="Only a Designated Decision Maker"):
        victims_code_actions.cancel_crime(crime, "C4", "Recorded twice.", member)
    db.session.rollback()
    assert db.session.get(Crime, crime.id).cancelled_at is None


@pytest.mark.parametrize("role", ["ddm", "fcr"])
def test_a_ddm_or_the_fcr_sees_the_cancel_button_and_form(app, ctx, role):
    crime = _crime(factories.staff())
    client = _client(app, factories.staff(roles=(role,)))
    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    assert crime_page.links(rf"/backoffice/crimes/{crime.id}/cancel$")
    assert "Post an update" not in crime_page.main_text  # they do not do casework
    page = client.get(f"/backoffice/crimes/{crime.id}/cancel")
    assert page.status == 200
    assert page.h1 == "Cancel crime record"
    assert "will be told that the record was cancelled" in page.main_text
    assert {i["value"] for i in page.soup.select("input[name=reason]")} == {"C1", "C2", "C3", "C4"}
    assert "C3: duplicate, or part of a crime already recorded" in page.main_text


def test_cancelling_needs_a_reason_and_the_evidence(app, ctx):
    crime = _crime(factories.staff())
    client = _client(app, factories.staff(roles=("ddm",)))
    path = f"/backoffice/crimes/{crime.id}/cancel"
    page = client.post(path, {})
    assert page.status == 400
    assert "Select the reason for cancelling" in page.error_summary
    assert "Enter the information that justifies the cancellation" in page.error_summary
    page = client.post(path, {"reason": "C2", "evidence": "   "})
    assert page.status == 400
    assert page.error_summary == ["Enter the information that justifies the cancellation"]
    page = client.post(path, {"reason": "C9", "evidence": "Something."})
    assert page.status == 400
    assert page.error_summary
    page = client.post(path, {"reason": "C2", "evidence": "x" * 2001})
    assert page.status == 400
    assert db.session.get(Crime, crime.id).cancelled_at is None
    # The service says the same, about the same field.
    with app.test_request_context(), pytest.raises(ServiceError) as error:
        victims_code_actions.cancel_crime(crime, "C2", "  ", factories.staff(roles=("fcr",)))
    assert error.value.field == "evidence"
    db.session.rollback()


def test_cancelling_a_crime_tells_its_victims_and_ends_what_was_owed(app, ctx):
    officer = factories.staff(name="Alex Morgan")
    crime = _crime(officer, reference="43/30001/26")
    online = factories.active_victim(crime, officer, name="Ava Online")
    offline = factories.victim(crime, officer, name="Ian Offline")
    was_open = set(
        db.session.scalars(
            select(Entitlement.id).where(Entitlement.crime_id == crime.id, Entitlement.state == "open")
        )
    )
    ddm = factories.staff(roles=("ddm",), name="Dee Decider")
    client = _client(app, ddm)

    page = client.post(
        f"/backoffice/crimes/{crime.id}/cancel",
        {"reason": "C2", "evidence": "CCTV shows the bicycle was never taken."},
    )
    crime_page = client.follow(page)
    assert crime_page.h1 == "Crime 43/30001/26"
    assert "Crime record 43/30001/26 cancelled" in crime_page.main_text
    banner = crime_page.soup.find(attrs={"aria-labelledby": "cancelled-banner-title"}).get_text(
        " ", strip=True
    )
    assert "This crime record was cancelled" in banner
    assert "C2: additional verifiable information shows no notifiable crime occurred" in banner
    assert "CCTV shows the bicycle was never taken." in banner
    assert "Dee Decider, Designated decision maker" in banner
    assert "Cancel crime record" not in crime_page.main_text
    timeline = crime_page.soup.select_one(".moj-timeline").get_text(" ", strip=True)
    assert "Crime record cancelled" in timeline
    assert "The victim reads: We have found further information that shows no crime took place" in timeline

    db.session.expire_all()
    crime = db.session.get(Crime, crime.id)
    assert crime.stage == "cancelled" and crime.cancelled_by_role == "ddm"
    closed = db.session.scalars(select(Entitlement).where(Entitlement.id.in_(was_open))).all()
    assert closed and {(e.state, e.reason) for e in closed} == {("not_applicable", "crime_cancelled")}
    told = {
        e.crime_victim_id: e
        for e in db.session.scalars(
            select(Entitlement).where(Entitlement.crime_id == crime.id, Entitlement.event_kind == "cancelled")
        )
    }
    assert set(told) == {online.id, offline.id}
    # The victim with an account reads it there and then; the other is still to be told.
    assert (told[online.id].state, told[online.id].way) == ("met", "portal")
    assert told[offline.id].state == "open" and not told[offline.id].enhanced
    assert told[offline.id].due_at == calendar.working_day_deadline(crime.cancelled_at, 5)
    assert [u.kind for u in updates.victim_timeline(crime.id, 1, app.config["TIMELINE_PER_PAGE"]).items] == [
        "cancelled"
    ]
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "crime.cancel")) == "C2"

    # The officer can no longer change the stage or record an outcome.
    officer_page = _client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    assert "This crime record was cancelled" in officer_page.main_text
    assert "Change stage" not in officer_page.main_text and "Record outcome" not in officer_page.main_text
    assert "Post an update" in officer_page.main_text
    # Nor add a victim to it; a DDM, who does not manage victims, is offered neither.
    assert not officer_page.links("/victims/new$")
    assert not crime_page.links("/victims/new$") and not crime_page.soup.find(
        "form", action=lambda a: a and a.endswith("/invite")
    )

    # A second cancellation is refused in words, not an error.
    again = client.get(f"/backoffice/crimes/{crime.id}/cancel")
    assert again.status == 302
    assert "This crime record has already been cancelled" in client.follow(again).main_text
    again = client.post(
        f"/backoffice/crimes/{crime.id}/cancel",
        {"reason": "C4", "evidence": "Again."},
        csrf_from=f"/backoffice/crimes/{crime.id}",
    )
    assert again.status == 302
    with app.test_request_context(), pytest.raises(ServiceError, match="already been cancelled"):
        victims_code_actions.cancel_crime(crime, "C4", "Again.", ddm)
    db.session.rollback()


@pytest.mark.time_sensitive
def test_an_enhanced_victim_is_owed_the_cancellation_in_one_working_day_and_it_is_queued(app, ctx):
    officer = factories.staff(name="Alex Morgan")
    crime = _crime(officer, offence="rape", reference="43/30002/26")
    link = factories.victim(crime, officer, name="Rita Enhanced")
    fcr = factories.staff(roles=("fcr",), name="Frank Registrar")
    victims_code_actions.cancel_crime(crime, "C3", "Already recorded as 43/29999/26.", fcr)

    told = db.session.scalar(
        select(Entitlement).where(
            Entitlement.crime_victim_id == link.id, Entitlement.event_kind == "cancelled"
        )
    )
    assert told.enhanced and told.state == "open"
    assert told.due_at == calendar.working_day_deadline(db.session.get(Crime, crime.id).cancelled_at, 1)

    page = _client(app, officer).get("/backoffice/tasks")
    queued = _band(page, "due_today") + _band(page, "due_this_week")
    assert "Victim told of a key decision: Crime cancelled" in queued
    assert "Rita Enhanced" in queued and "Enhanced rights" in queued
    # Nothing else is owed to her on a cancelled crime.
    assert "Needs assessment" not in page.main_text and "Referral to support services" not in page.main_text


# ------------------------------------------------------------ when a key event happened


def _date_boxes(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@pytest.mark.time_sensitive
def test_an_arrest_posted_with_a_past_date_is_due_from_that_date(app, ctx):
    officer = factories.staff()
    crime = _crime(officer, reported_days_ago=30, reference="43/40001/26")
    link = factories.victim(crime, officer, name="Olive Older")
    client = _client(app, officer)
    path = f"/backoffice/crimes/{crime.id}/updates/new"
    form = client.get(path)
    assert "For a key event, such as an arrest. Leave blank if it happened today." in form.main_text

    day = calendar.local_date(utcnow()) - timedelta(days=14)
    page = client.post(
        path,
        {
            "kind": "arrest",
            "occurred_date": _date_boxes(day),
            "occurred_time": "09:30",
            "victim_text": "We arrested a man.",
            "visible": "yes",
        },
    )
    assert "Update posted" in client.follow(page).main_text
    happened = local_to_utc(day, time(9, 30))
    update = db.session.scalar(select(InvestigationUpdate).where(InvestigationUpdate.kind == "arrest"))
    assert update.occurred_at == happened
    told = _open(link, "event_told")
    assert told.event_kind == "arrest" and told.triggered_at == happened
    assert told.due_at == calendar.working_day_deadline(happened, 5)
    queue = client.get("/backoffice/tasks")
    assert "Victim told of a key decision: Suspect arrested" in _band(queue, "overdue")


@pytest.mark.time_sensitive
def test_a_key_event_date_in_the_future_or_for_a_general_update_is_refused(app, ctx):
    officer = factories.staff()
    crime = _crime(officer)
    factories.victim(crime, officer)
    client = _client(app, officer)
    path = f"/backoffice/crimes/{crime.id}/updates/new"
    tomorrow = calendar.local_date(utcnow()) + timedelta(days=1)

    page = client.post(
        path,
        {
            "kind": "arrest",
            "occurred_date": _date_boxes(tomorrow),
            "victim_text": "Arrested.",
            "visible": "yes",
        },
    )
    assert page.status == 400
    assert page.error_summary == ["The date it happened must be today or in the past"]
    page = client.post(
        path,
        {
            "kind": "arrest",
            "occurred_date": ["31", "2", "2026"],
            "victim_text": "Arrested.",
            "visible": "yes",
        },
    )
    assert page.status == 400
    assert page.error_summary == ["The date it happened must be a real date"]
    page = client.post(
        path,
        {
            "kind": "general",
            "occurred_date": _date_boxes(tomorrow - timedelta(days=3)),
            "victim_text": "News.",
            "visible": "yes",
        },
    )
    assert page.status == 400
    assert page.error_summary == [
        "Leave the date and time blank for a general update: they are only for a key event"
    ]
    page = client.post(
        path, {"kind": "general", "occurred_time": "10:00", "victim_text": "News.", "visible": "yes"}
    )
    assert page.status == 400
    assert (
        db.session.scalar(select(InvestigationUpdate.id).where(InvestigationUpdate.crime_id == crime.id))
        is None
    )

    # Left blank, the event happened now.
    page = client.post(path, {"kind": "bail", "victim_text": "He was bailed.", "visible": "no"})
    assert page.status == 302
    update = db.session.scalar(select(InvestigationUpdate).where(InvestigationUpdate.kind == "bail"))
    assert abs(update.occurred_at - update.created_at) < timedelta(seconds=1)


def test_the_queue_pages_issue_the_same_number_of_queries_whatever_the_work(app, ctx):
    from tests.queries import count_queries

    team = factories.team()
    supervisor = factories.staff(team, roles=("supervisor",))
    officer = factories.staff(team)
    client = _client(app, supervisor)

    def queries(path):
        client.get(path)
        with count_queries(app) as counter:
            assert client.get(path).status == 200
        return counter["n"]

    factories.victim(_crime(officer, reported_days_ago=30), officer)
    small = queries("/backoffice/tasks/team")
    for _ in range(5):
        crime = _crime(officer, reported_days_ago=30)
        for _ in range(3):
            factories.victim(crime, officer)
    factories.staff(team)
    assert queries("/backoffice/tasks/team") == small
