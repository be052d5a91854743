"""A victim asks online: for an update from the officer in charge, for a review of a
decision not to charge (the Victims' Right to Review), and complains about the service.
Each is what the Victims' Code owes them, seen by the officer in the queue, the crime's
panel and the compliance report, and met as the Code says.

The clock is fixed: Monday 7 December 2026, 10:00 (GMT), so every deadline is exact.
"""

import csv
import io
import os
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import AuditEvent, CrimeVictim, Entitlement, EntitlementEvent, OutboxMessage, Victim
from shared.services import (
    crimes,
    entitlements,
    reports,
    update_requests,
    updates,
    victims_code_actions,
    victims_code_queries,
)
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def _signed_in(app, link) -> PageClient:
    client = PageClient(app, portal=True)
    sign_in_as(client, link.victim)
    with app.test_request_context():
        offence = str(OFFENCES[link.crime.offence].label)
    client.forbidden_in_title = [link.crime.reference, offence]
    return client


def _staff_client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _of(link, rule) -> list[Entitlement]:
    return list(
        db.session.scalars(
            select(Entitlement)
            .where(Entitlement.crime_victim_id == link.id, Entitlement.rule == rule)
            .order_by(Entitlement.id)
        )
    )


def _audited(action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_a_victim_asks_for_an_update_and_the_officers_update_meets_it_on_time(app, ctx, time_machine):
    officer = factories.staff(name="Sam Taylor")
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"

    page = victim.get(case)
    assert page.links(r"/update-request$") == [f"{case}/update-request"]
    form = victim.get(f"{case}/update-request")
    assert form.status == 200 and form.h1 == "Ask for an update"
    assert "within 2 working days" in form.main_text
    before = _outbox_count()
    page = victim.post(f"{case}/update-request", {"note": "Has the  CCTV\nbeen checked?"})
    assert page.status == 302
    page = victim.follow(page)
    assert "Your request for an update has been sent to the officer in charge" in page.main_text
    # Two working days: Tuesday 8 and Wednesday 9 December.
    assert "We received your request for an update on 7 December 2026." in page.main_text
    assert "The officer in charge will answer by 9 December 2026." in page.main_text
    assert not page.links(r"/update-request$")

    [asked] = _of(link, "update_request")
    assert asked.state == "open" and asked.detail == "Has the CCTV been checked?"
    assert asked.due_at == datetime(2026, 12, 9, 23, 59, 59, tzinfo=UTC)
    [event] = _audited("victim.update_request")
    assert event.actor_id == link.victim.id and event.record_id == str(link.id)
    # The victim asked on the portal: nothing is sent to them.
    assert _outbox_count() == before

    # The officer sees it owed in their queue, with when it is due.
    staff = _staff_client(app, officer)
    queue = staff.get("/backoffice/tasks")
    assert "Update asked for by the victim" in queue.main_text
    assert link.victim.name in queue.main_text

    # A second request while the first is open is refused, and nothing changes.
    again = victim.post(f"{case}/update-request", {"note": "Any news?"}, csrf_from=f"{case}/messages")
    assert again.status == 409
    assert "You have already asked for an update" in " ".join(again.error_summary)
    assert len(_of(link, "update_request")) == 1
    assert len(_audited("victim.update_request")) == 1

    # The next day the officer posts an update the victim can read: that answers it.
    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    staff, victim = _staff_client(app, officer), _signed_in(app, link)
    token = staff.get(f"/backoffice/crimes/{crime.id}/updates/new").csrf()
    posted = staff.post(
        f"/backoffice/crimes/{crime.id}/updates/new",
        {
            "csrf_token": token,
            "kind": "general",
            "victim_text": "The CCTV has been checked.",
            "visible": "yes",
        },
    )
    assert posted.status == 302, posted.error_summary
    db.session.expire_all()
    [asked] = _of(link, "update_request")
    assert asked.state == "met" and asked.way == "portal"
    assert victims_code_queries.status_of(asked) == "met_on_time"
    assert [
        e.action
        for e in db.session.scalars(
            select(EntitlementEvent)
            .where(EntitlementEvent.entitlement_id == asked.id)
            .order_by(EntitlementEvent.id)
        )
    ] == ["created", "met"]
    assert "Update asked for by the victim" not in staff.get("/backoffice/tasks").main_text

    # The victim can ask again, and sees the answer among their rights.
    page = victim.get(case)
    assert page.links(r"/update-request$") == [f"{case}/update-request"]
    rights = victim.get(f"{case}/rights")
    assert "An answer to your request for an update" in rights.main_text
    assert "Done on 8 December 2026, online, on this service." in rights.main_text


def test_an_update_request_answered_after_its_due_date_is_met_late(app, ctx, time_machine):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victim = _signed_in(app, link)
    assert victim.post(f"/cases/{link.public_id}/update-request", {"note": ""}).status == 302

    time_machine.move_to(NOW + timedelta(days=5), tick=False)
    factories.update(crime, officer, text="Still waiting for forensics.")
    [asked] = _of(link, "update_request")
    assert asked.detail is None
    assert victims_code_queries.status_of(asked) == "met_late"


def test_the_force_sets_how_many_working_days_an_update_request_has(app, ctx, monkeypatch):
    # Set for this test alone: the app serves the whole run.
    monkeypatch.setitem(
        app.config, "VICTIMS_CODE_DAYS", {**app.config["VICTIMS_CODE_DAYS"], "update_request": 5}
    )
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    victim = _signed_in(app, link)
    assert "within 5 working days" in victim.get(f"/cases/{link.public_id}/update-request").main_text
    victim.post(f"/cases/{link.public_id}/update-request", {"note": ""})
    [asked] = _of(link, "update_request")
    # Monday 7 December plus 5 working days: Monday 14 December.
    assert asked.due_at == datetime(2026, 12, 14, 23, 59, 59, tzinfo=UTC)


def test_a_note_too_long_is_sent_back_and_nothing_is_kept(app, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    victim = _signed_in(app, link)
    page = victim.post(f"/cases/{link.public_id}/update-request", {"note": "x" * 201})
    assert page.status == 400
    assert "Enter 200 characters or fewer" in page.error_summary
    assert _of(link, "update_request") == []


def test_a_victim_not_safe_to_contact_can_still_ask_and_nothing_is_sent(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    plan = entitlements.current_plans([link.id])[link.id]
    victims_code_actions.change_contact_plan(
        link,
        frequency_days=plan.frequency_days,
        channel=plan.channel,
        language=plan.language,
        safe_to_contact=False,
        opted_out=False,
        note=None,
        by=officer,
    )
    before = _outbox_count()
    victim = _signed_in(app, link)
    assert victim.post(f"/cases/{link.public_id}/update-request", {"note": ""}).status == 302
    assert [e.state for e in _of(link, "update_request")] == ["open"]
    assert _outbox_count() == before


def _refused_decision(officer):
    crime = factories.crime(officer)
    updates.post_update(
        crime,
        kind="interview",
        victim_text="We interviewed a suspect.",
        internal_note=None,
        visible=True,
        by=officer,
    )
    return crime


def test_a_review_request_online_reaches_the_panel_and_the_report(app, ctx, time_machine):
    team = factories.team("Response South")
    officer = factories.staff(team, name="Sam Taylor")
    supervisor = factories.staff(team, roles=("supervisor",))
    crime = _refused_decision(officer)
    link = factories.active_victim(crime, officer)
    victim = _signed_in(app, link)
    review = f"/cases/{link.public_id}/review"

    # Before any decision not to charge, the right does not apply: no form, and a post is refused.
    page = victim.get(review)
    assert "does not apply to your case" in page.main_text and not page.soup.find("form", action=review)
    refused = victim.post(review, {"reason": "Please"}, csrf_from=f"/cases/{link.public_id}/complaint")
    assert refused.status == 409
    assert _of(link, "vrr_acknowledge") == []

    crimes.record_outcome(crime, 15, "There is not enough evidence to charge.", True, officer)
    rights = victim.get(f"/cases/{link.public_id}/rights")
    assert rights.links(r"/review$") == [review]
    assert "To ask for a review, contact the officer in charge." not in rights.main_text
    assert "You can also ask the officer in charge for a review instead." in rights.main_text
    page = victim.get(review)
    assert page.h1 == "Ask for a review of the decision"
    assert "within 3 months of being told of the decision: by 7 March 2027." in page.main_text

    done = victim.post(review, {"reason": "The suspect admitted it to a neighbour."})
    assert done.status == 302
    rights = victim.follow(done)
    assert "Your request for a review has been sent" in rights.main_text
    assert "Acknowledgement of your request for a review" in rights.main_text
    assert "A decision on your request for a review" in rights.main_text
    [ack] = _of(link, "vrr_acknowledge")
    [decide] = _of(link, "vrr_decide")
    assert ack.detail == "The suspect admitted it to a neighbour."
    assert ack.triggered_at == NOW and decide.state == "open"
    assert [e.actor_id for e in _audited("entitlement.review_request")] == [link.victim.id]

    # Asked again while it is being decided: refused, nothing changes.
    again = victim.post(review, {"reason": ""}, csrf_from=f"/cases/{link.public_id}/complaint")
    assert again.status == 409
    assert "already been asked for" in " ".join(again.error_summary)
    assert len(_of(link, "vrr_acknowledge")) == 1

    # The officer's panel on the crime, and the supervisor's compliance report.
    panel = _staff_client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    assert "Review request acknowledged" in panel.main_text and "Review decided" in panel.main_text
    report = _staff_client(app, supervisor).get("/backoffice/reports?period=month&month=2026-12")
    assert report.status == 200
    summary = _table(report)
    assert summary["M9A"][-1] == "1" and summary["M9D"][-1] == "1"


def test_a_review_asked_for_after_three_months_is_refused(app, ctx, time_machine):
    officer = factories.staff()
    crime = _refused_decision(officer)
    link = factories.active_victim(crime, officer)
    crimes.record_outcome(crime, 15, "Not enough evidence.", True, officer)
    review = f"/cases/{link.public_id}/review"
    assert "by 7 March 2027" in _signed_in(app, link).get(review).main_text

    time_machine.move_to(NOW + timedelta(days=95), tick=False)
    victim = _signed_in(app, link)
    page = victim.get(review)
    assert "That time has passed." in page.main_text and not page.soup.find("form", action=review)
    refused = victim.post(review, {"reason": ""}, csrf_from=f"/cases/{link.public_id}/complaint")
    assert refused.status == 409
    assert "A review had to be asked for by 7 March 2027" in " ".join(refused.error_summary)
    assert _of(link, "vrr_acknowledge") == [] and _of(link, "vrr_decide") == []


def test_a_complaint_online_reaches_the_panel_and_the_report(app, ctx):
    team = factories.team("Response West")
    officer = factories.staff(team, name="Sam Taylor")
    supervisor = factories.staff(team, roles=("supervisor",))
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    victim = _signed_in(app, link)

    rights = victim.get(f"/cases/{link.public_id}/rights")
    assert rights.links(r"/complaint$") == [f"/cases/{link.public_id}/complaint"]
    form = victim.get(f"/cases/{link.public_id}/complaint")
    assert form.h1 == "Make a complaint" and "within 10 working days" in form.main_text
    too_long = victim.post(f"/cases/{link.public_id}/complaint", {"summary": "y" * 201})
    assert too_long.status == 400 and _of(link, "complaint") == []

    done = victim.post(f"/cases/{link.public_id}/complaint", {"summary": "Nobody called me back."})
    assert done.status == 302
    rights = victim.follow(done)
    assert "Your complaint has been sent" in rights.main_text
    # Ten working days from Monday 7 December: 25 and 28 December are bank holidays.
    assert "To do Due by 21 December 2026." in rights.main_text
    [complaint] = _of(link, "complaint")
    assert complaint.detail == "Nobody called me back." and complaint.state == "open"
    assert [e.actor_id for e in _audited("entitlement.complaint")] == [link.victim.id]

    panel = _staff_client(app, officer).get(f"/backoffice/crimes/{crime.id}")
    assert "Complaint acknowledged" in panel.main_text
    report = _staff_client(app, supervisor).get("/backoffice/reports?period=month&month=2026-12")
    assert _table(report)["M8"][-1] == "1"


def _table(page) -> dict[str, list[str]]:
    """The summary table of a compliance report, by metric code."""
    table = page.soup.find("table", id="summary")
    out = {}
    for row in table.find("tbody").find_all("tr"):
        code = row.find("th", scope="row").get_text(" ", strip=True).split(":")[0]
        out[code] = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    return out


def test_a_victim_cannot_ask_about_another_victims_case(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    mine = factories.active_victim(crime, officer)
    other = factories.active_victim(crime, officer)
    victim = _signed_in(app, mine)
    token = victim.get(f"/cases/{mine.public_id}/update-request").csrf()
    for path in ("update-request", "review", "complaint"):
        assert victim.get(f"/cases/{other.public_id}/{path}").status == 404
        page = victim.post(f"/cases/{other.public_id}/{path}", {"csrf_token": token})
        assert page.status == 404
    assert _of(other, "update_request") == [] and _of(other, "complaint") == []
    denied = _audited("victim.case_denied")
    assert len(denied) == 6 and {e.record_id for e in denied} == {other.public_id}


def test_two_update_requests_past_the_check_at_once_the_database_keeps_one(app, ctx, monkeypatch):
    """Both requests found none open (as two sent at the same moment would): the database's
    one-open-request index refuses the second, which the victim is told of (409)."""
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    victim = _signed_in(app, link)
    case = f"/cases/{link.public_id}"
    assert victim.post(f"{case}/update-request", {"note": "First"}).status == 302
    form_token = victim.get(f"{case}/messages").csrf()
    monkeypatch.setattr(update_requests, "open_request", _none_then_real(update_requests.open_request))
    again = victim.post(f"{case}/update-request", {"note": "Second", "csrf_token": form_token})
    assert again.status == 409
    assert "You have already asked for an update" in " ".join(again.error_summary)
    db.session.expire_all()
    assert [e.detail for e in _of(link, "update_request")] == ["First"]
    assert len(_audited("victim.update_request")) == 1


def _none_then_real(real):
    """The first look for an open request misses it; later looks see the database."""
    calls = []

    def stale(link):
        calls.append(link)
        return None if len(calls) == 1 else real(link)

    return stale


def test_the_database_allows_one_open_update_request_per_case(app, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    first = entitlements.open_entitlement(link, "update_request", NOW, False)
    db.session.commit()
    with pytest.raises(IntegrityError):
        entitlements.open_entitlement(link, "update_request", NOW, False)
    db.session.rollback()
    # Once the first is answered, another may be open; other rules are not limited.
    entitlements.close(db.session.get(Entitlement, first.id), "met", at=NOW, way="portal")
    entitlements.open_entitlement(link, "update_request", NOW, False)
    entitlements.open_entitlement(link, "complaint", NOW, False)
    entitlements.open_entitlement(link, "complaint", NOW, False)
    db.session.commit()
    assert [e.state for e in _of(link, "update_request")] == ["met", "open"]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="two writers at once need PostgreSQL")
def test_two_victims_sessions_asking_at_the_same_moment_on_postgresql(app, ctx):
    """Two real sessions: the first has inserted its request and not yet committed; the
    second passes the check (it cannot see the first), waits on the index, and is refused
    once the first commits."""
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    link_id, victim_id = link.id, link.victim.id
    db.session.remove()
    first_in = threading.Event()
    first_may_commit = threading.Event()
    outcome = {}

    def first():
        with app.app_context():
            mine = db.session.get(CrimeVictim, link_id)
            entitlements.open_entitlement(mine, "update_request", NOW, False, detail="first")
            first_in.set()
            first_may_commit.wait(10)
            db.session.commit()
            db.session.remove()

    def second():
        with app.app_context():
            first_in.wait(10)
            mine = db.session.get(CrimeVictim, link_id)
            try:
                update_requests.request_update(mine, "second", db.session.get(Victim, victim_id))
            except update_requests.AlreadyAsked as error:
                outcome["refused"] = str(error.message)
            else:
                outcome["kept"] = True
            db.session.remove()

    writers = [threading.Thread(target=first), threading.Thread(target=second)]
    for writer in writers:
        writer.start()
    first_in.wait(10)
    time.sleep(0.5)  # the second is now waiting on the index
    first_may_commit.set()
    for writer in writers:
        writer.join(20)
    assert outcome == {
        "refused": "You have already asked for an update. The officer in charge will answer it first."
    }
    assert [e.detail for e in _of(db.session.get(CrimeVictim, link_id), "update_request")] == ["first"]


def test_update_requests_in_the_compliance_report_page_csv_and_api(app, ctx, time_machine, records_system):
    """Four requests: answered on time, answered late, overdue, and still to come (M10),
    counted the same on the report page, in its CSV and in the API's payload."""
    supervisor = factories.staff(roles=("supervisor",))
    officer = factories.staff(team_row=supervisor.team)
    links = [factories.active_victim(factories.crime(officer), officer) for _ in range(4)]
    # Tuesday 1 December: due by the end of Thursday 3 December.
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), tick=False)
    for link in links[:3]:
        update_requests.request_update(link, None, link.victim)
    time_machine.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=UTC), tick=False)
    factories.update(links[0].crime, officer, text="Answered the next day.")
    time_machine.move_to(datetime(2026, 12, 4, 10, 0, tzinfo=UTC), tick=False)
    factories.update(links[1].crime, officer, text="Answered a day late.")
    time_machine.move_to(NOW, tick=False)
    update_requests.request_update(links[3], "Any news?", links[3].victim)

    month = {"from": "2026-12-01", "to": "2026-12-31"}
    report = reports.compliance(None, date(2026, 12, 1), date(2026, 12, 31))
    counts = report.total.metrics["M10"]
    assert (counts.met_on_time, counts.met_late, counts.overdue, counts.pending, counts.total) == (
        1,
        1,
        1,
        1,
        4,
    )
    assert reports.percent(counts.rate) == "33.3"

    staff = _staff_client(app, supervisor)
    page = staff.get("/backoffice/reports?period=month&month=2026-12")
    assert _table(page)["M10"] == ["33.3%", "1", "1", "1", "1", "0", "4"]
    export = staff.get(page.links(r"export\.csv")[0])
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    [m10] = [row for row in rows if row[0] == "M10"]
    assert m10[1] == "Requests for an update answered on time"
    assert m10[3:10] == ["33.3", "1", "1", "1", "1", "0", "4"]

    payload = records_system.get("/reports/compliance", **month).get_json()
    assert payload["metrics"]["M10"] == "Requests for an update answered on time"
    got = payload["groups"][0]["metrics"]["M10"]
    assert (got["met_on_time"], got["met_late"], got["overdue"], got["pending"], got["total"]) == (
        1,
        1,
        1,
        1,
        4,
    )
