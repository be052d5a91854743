"""Pages issue the same number of SQL queries whatever the amount of data."""

from datetime import timedelta

from sqlalchemy import select

from shared.extensions import db
from shared.models import (
    ApiClient,
    ContactPlan,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    OutboxMessage,
    SecureMessage,
    StaffMember,
    StaffRole,
)
from shared.models.types import utcnow
from tests import factories
from tests.pages import PageClient
from tests.queries import count_queries
from tests.signed_in import sign_in_as


def _queries_for(app, client, path):
    client.get(path)  # warm: first-request work is not what is measured
    with count_queries(app) as counter:
        assert client.get(path).status == 200
    return counter["n"]


def test_victims_case_page_queries_do_not_grow_with_updates(app, victim_client, ctx, monkeypatch):
    # Small pages, so a few dozen rows make many pages.
    monkeypatch.setitem(app.config, "TIMELINE_PER_PAGE", 5)
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    for i in range(5):
        factories.update(crime, officer, text=f"Update {i}", note="note" if i % 2 else None)
    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    small = _queries_for(app, victim_client, f"/cases/{link.public_id}")

    for i in range(45):
        factories.update(crime, officer, text=f"More {i}", note="note" if i % 2 else None)
    large = _queries_for(app, victim_client, f"/cases/{link.public_id}")
    assert small == large, (small, large)
    # The session and its victim; the case with its officer, unread messages and number
    # of updates; the page of updates.
    assert small == 3


def test_officers_case_list_and_crime_page_queries_do_not_grow(app, client, ctx, monkeypatch):
    for setting in ("CASES_PER_PAGE", "TIMELINE_PER_PAGE", "VICTIMS_PER_PAGE"):
        monkeypatch.setitem(app.config, setting, 4)
    officer = factories.staff()
    first = factories.crime(officer)
    for _ in range(4):
        factories.crime(officer)
    for _ in range(3):
        factories.victim(first, officer)
    client.staff_sign_in(officer.email, factories.PASSWORD)
    small_list = _queries_for(app, client, "/backoffice/cases")
    small_crime = _queries_for(app, client, f"/backoffice/crimes/{first.id}")

    for _ in range(40):
        factories.crime(officer)
    for i in range(30):
        factories.update(first, officer, text=f"More {i}", note="n")
    for _ in range(12):
        factories.victim(first, officer)
    assert _queries_for(app, client, "/backoffice/cases") == small_list
    assert _queries_for(app, client, "/backoffice/cases?page=7") == small_list
    assert _queries_for(app, client, f"/backoffice/crimes/{first.id}") == small_crime


def _signed_in(app, user, portal=False) -> PageClient:
    client = PageClient(app, portal=portal)
    sign_in_as(client, user)
    return client


def _same_queries(app, client, paths, grow):
    """Each path costs as many queries after `grow()` adds data as before it."""
    small = {path: _queries_for(app, client, path) for path in paths}
    grow()
    large = {path: _queries_for(app, client, path) for path in paths}
    assert small == large, (small, large)


def test_every_page_of_the_crime_costs_the_same_whatever_its_updates_victims_and_entitlements(
    app, ctx, monkeypatch
):
    monkeypatch.setitem(app.config, "TIMELINE_PER_PAGE", 5)
    monkeypatch.setitem(app.config, "VICTIMS_PER_PAGE", 3)
    officer = factories.staff()
    crime = factories.crime(officer)
    first = factories.active_victim(crime, officer)
    factories.update(crime, officer, note="n")
    client = _signed_in(app, officer)
    base = f"/backoffice/crimes/{crime.id}"
    paths = [
        base,
        base + "?page=2",
        base + "?victims_page=2",
        base + "?page=3&victims_page=2",
        base + "?page=junk",
    ]

    def grow():
        # Each visible update meets the online victim's agreed update and opens the next:
        # their Victims' Code rows grow with the timeline.
        for i in range(24):
            factories.update(crime, officer, text=f"More {i}", note="n" if i % 2 else None, visible=i % 3 > 0)
        for _ in range(8):
            factories.active_victim(crime, officer)
        for n in range(12):
            db.session.add(
                OutboxMessage(
                    kind="new_update",
                    victim_id=first.victim_id,
                    crime_id=crime.id,
                    status="failed",
                    reason="bounced",
                    finished_at=utcnow() - timedelta(hours=n),
                )
            )
        db.session.commit()

    _same_queries(app, client, paths, grow)


def test_message_threads_cost_the_same_on_every_page(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.thread(link, officer, 2)
    staff_path = f"/backoffice/crimes/{crime.id}/victims/{link.id}/messages"
    victim_path = f"/cases/{link.public_id}/messages"
    staff = _signed_in(app, officer)
    victim = _signed_in(app, link.victim, portal=True)
    small = [_queries_for(app, staff, staff_path), _queries_for(app, victim, victim_path)]
    factories.thread(link, officer, 100)
    for page in ("", "?page=2", "?page=10", "?page=abc"):
        assert [
            _queries_for(app, staff, staff_path + page),
            _queries_for(app, victim, victim_path + page),
        ] == small, page


def test_the_victim_s_pages_cost_the_same_whatever_their_cases_updates_and_entitlements(
    app, ctx, monkeypatch
):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 3)
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.update(crime, officer)
    client = _signed_in(app, link.victim, portal=True)
    case = f"/cases/{link.public_id}"
    paths = ["/cases", "/cases?page=2", case, case + "?page=2", case + "/rights"]

    def grow():
        for i in range(50):
            factories.update(crime, officer, text=f"More {i}")
        factories.update(crime, officer, kind="arrest", text="Arrested.", visible=False)
        for _ in range(7):
            other = factories.crime(officer)
            factories.same_person(other, link.victim, officer)

    _same_queries(app, client, paths, grow)


def test_administrators_lists_cost_the_same_on_every_page(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PER_PAGE", 5)
    team = factories.team()
    admin = factories.staff(team, roles=("admin",))
    client = _signed_in(app, admin)
    paths = [
        "/backoffice/staff",
        "/backoffice/staff?page=2",
        "/backoffice/api-clients",
        "/backoffice/api-clients?page=2",
    ]

    def grow():
        for n in range(30):
            member = StaffMember(
                name=f"Member {n}", collar_number=f"77{n}", email=f"member{n}@police.example", team_id=team.id
            )
            member.role_rows = [StaffRole(role="officer"), StaffRole(role="supervisor")]
            db.session.add(member)
            db.session.add(
                ApiClient(name=f"System {n}", client_id=f"tmc-{n}", secret_hash="x", scopes="crimes:write")
            )
        db.session.commit()

    _same_queries(app, client, paths, grow)


def test_victims_code_histories_cost_the_same_whatever_their_length(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    ack = db.session.scalar(
        select(Entitlement).where(
            Entitlement.crime_victim_id == link.id, Entitlement.rule == "acknowledgement"
        )
    )
    client = _signed_in(app, officer)
    victim_pages = f"/backoffice/crimes/{crime.id}/victims/{link.id}"
    paths = [
        victim_pages + "/contact-plan",
        victim_pages + "/enhanced-rights",
        f"/backoffice/crimes/{crime.id}/entitlements/{ack.id}",
        f"/backoffice/crimes/{crime.id}/entitlements/{ack.id}/not-applicable",
    ]

    def grow():
        for n in range(60):
            db.session.add(
                ContactPlan(
                    crime_victim_id=link.id,
                    frequency_days=7 + n,
                    channel="phone",
                    language="en",
                    changed_by_id=officer.id,
                )
            )
            db.session.add(
                EnhancedRight(
                    crime_victim_id=link.id,
                    category="persistently_targeted",
                    reason="assessed",
                    assessed_by_id=officer.id,
                )
            )
            db.session.add(
                EntitlementEvent(
                    entitlement_id=ack.id,
                    action="due_changed",
                    state="open",
                    due_at=ack.due_at,
                    by_id=officer.id,
                )
            )
        db.session.commit()

    _same_queries(app, client, paths, grow)


def test_unanswered_messages_cost_the_same_whatever_their_number(app, ctx):
    team = factories.team()
    supervisor = factories.staff(team, roles=("officer", "supervisor"))
    officer = factories.staff(team)
    client = _signed_in(app, supervisor)

    def waiting(count):
        for _ in range(count):
            link = factories.active_victim(factories.crime(officer), officer)
            db.session.add(
                SecureMessage(
                    crime_victim_id=link.id,
                    crime_id=link.crime_id,
                    sender="victim",
                    to_staff_id=officer.id,
                    body="Hello?",
                    sent_at=utcnow() - timedelta(days=15),
                )
            )
        db.session.commit()

    waiting(1)
    _same_queries(app, client, ["/backoffice/messages/unanswered"], lambda: waiting(12))
