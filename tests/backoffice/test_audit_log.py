"""An administrator searches and exports the audit trail (Data Protection Act 2018
s.62); each look is itself on the trail; the export is safe to open in a spreadsheet;
the database keeps every event as written."""

import csv
import io
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from shared.domain.text import clean_line
from shared.extensions import db
from shared.models import AuditEvent
from tests import factories

FORMULAS = ("=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", ";=1+2", " =1+2", "\n=1+2", "\r\n@SUM(1)")
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def admin(client, ctx):
    member = factories.staff(roles=("admin",), name="Ada Admin")
    client.staff_sign_in(member.email, factories.PASSWORD)
    return member


def add_event(action="crime.view", at=None, actor=None, actor_type=None, **fields) -> AuditEvent:
    """An event written as the application writes them, at a chosen time."""
    row = AuditEvent(
        occurred_at=at or datetime.now(UTC),
        actor_type=actor_type or ("staff" if actor is not None else "system"),
        actor_id=getattr(actor, "id", None),
        actor_roles=",".join(sorted(actor.roles)) if actor is not None else None,
        action=action,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def shown_actions(page) -> list[str]:
    return [row.select("td")[2].get_text(strip=True) for row in page.soup.select("tbody tr")]


def shown_details(page) -> list[str]:
    """The detail column, without the request id shown under it."""
    details = []
    for row in page.soup.select("tbody tr"):
        cell = row.select("td")[4]
        for hint in cell.select(".govuk-hint"):
            hint.extract()
        details.append(cell.get_text(strip=True))
    return details


def export(client, query: str = "") -> list[list[str]]:
    page = client.get("/backoffice/audit.csv" + query)
    assert page.status == 200
    return list(csv.reader(io.StringIO(page.text.removeprefix("\ufeff"))))


@contextmanager
def count_queries(app):
    with app.app_context():
        engine = db.engine
    counter = {"n": 0}

    def before(*args, **kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


# The page


@pytest.mark.time_sensitive
def test_an_administrator_sees_the_trail_newest_first_with_names(client, admin):
    officer = factories.staff(name="Olive Officer")
    now = datetime.now(UTC)
    add_event("crime.record", now - timedelta(hours=2), officer, record_type="crime", record_id="7")
    add_event("crime.view", now - timedelta(hours=1), officer, record_type="crime", record_id="7")
    page = client.get("/backoffice/audit")
    assert page.status == 200
    assert page.h1 == "Audit trail"
    assert page.title.startswith("Audit trail")
    assert shown_actions(page) == ["staff.sign_in", "crime.view", "crime.record"]
    assert "Olive Officer" in page.main_text
    assert "Ada Admin" in page.main_text
    assert page.links(r"^/backoffice/audit\.csv")
    # That search is on the trail too, recorded once it was shown: the next look sees it.
    assert shown_actions(client.get("/backoffice/audit"))[:2] == ["audit.search", "staff.sign_in"]


def test_filter_by_actor_id_or_email(client, admin):
    olive = factories.staff(name="Olive Officer", email="Olive@Police.example")
    other = factories.staff(name="Oscar Other")
    add_event("crime.view", actor=olive)
    add_event("crime.record", actor=other)
    add_event("victim.activate", actor_type="victim", actor=None)

    for actor in (str(olive.id), "olive@police.example", " OLIVE@police.example "):
        page = client.get("/backoffice/audit?actor=" + quote(actor))
        assert shown_actions(page) == ["crime.view"], actor
        assert "Oscar Other" not in page.main_text

    page = client.get("/backoffice/audit?actor=nobody@police.example")
    assert shown_actions(page) == []
    assert "No events match these filters." in page.main_text

    page = client.get("/backoffice/audit?actor_type=victim")
    assert shown_actions(page) == ["victim.activate"]


def test_filter_by_action_exact_or_prefix(client, admin):
    add_event("crime.view")
    add_event("crime.record")
    add_event("crime_victim.view")
    add_event("update.post")
    assert shown_actions(client.get("/backoffice/audit?action=crime.view")) == ["crime.view"]
    assert shown_actions(client.get("/backoffice/audit?action=CRIME.*")) == ["crime.record", "crime.view"]
    # A prefix is matched literally: the underscore is not a wildcard.
    assert shown_actions(client.get("/backoffice/audit?action=crime_*")) == ["crime_victim.view"]
    assert shown_actions(client.get("/backoffice/audit?action=crime")) == []


def test_filter_by_record_and_request(client, admin):
    add_event("crime.view", record_type="crime", record_id="12", request_id="req-aaaaaaaa")
    add_event("crime.stage", record_type="crime", record_id="13", request_id="req-bbbbbbbb")
    add_event("victim.add", record_type="crime_victim", record_id="12")
    assert shown_actions(client.get("/backoffice/audit?record_type=crime&record_id=12")) == ["crime.view"]
    assert shown_actions(client.get("/backoffice/audit?record_type=crime")) == ["crime.stage", "crime.view"]
    assert shown_actions(client.get("/backoffice/audit?record_id=12")) == ["victim.add", "crime.view"]
    assert shown_actions(client.get("/backoffice/audit?request_id=req-bbbbbbbb")) == ["crime.stage"]


def test_dates_are_whole_days_in_uk_time_in_summer(client, admin):
    # 1 July 2026 is in British Summer Time: UK midnight is 23:00 UTC the day before.
    add_event("a.before", datetime(2026, 6, 30, 22, 59, tzinfo=UTC))  # 30 June, 23:59 UK
    add_event("b.first", datetime(2026, 6, 30, 23, 0, tzinfo=UTC))  # 1 July, 00:00 UK
    add_event("c.last", datetime(2026, 7, 1, 22, 59, 59, tzinfo=UTC))  # 1 July, 23:59:59 UK
    add_event("d.after", datetime(2026, 7, 1, 23, 30, tzinfo=UTC))  # 2 July, 00:30 UK

    def actions(query):
        # Only the events made here, not the administrator's own sign-in and searches.
        return [
            a
            for a in shown_actions(client.get("/backoffice/audit?" + query))
            if a[:2] in ("a.", "b.", "c.", "d.")
        ]

    one_day = "from_date=1&from_date=7&from_date=2026&to_date=1&to_date=7&to_date=2026"
    assert actions(one_day) == ["c.last", "b.first"]
    assert actions("from_date=2&from_date=7&from_date=2026") == ["d.after"]
    assert actions("to_date=30&to_date=6&to_date=2026") == ["a.before"]
    assert actions("to_date=1&to_date=7&to_date=2026") == ["c.last", "b.first", "a.before"]
    # The export uses the same days and says the times in UTC.
    rows = export(client, "?" + one_day)
    assert [(r[0], r[5]) for r in rows[1:]] == [
        ("2026-07-01T22:59:59+00:00", "c.last"),
        ("2026-06-30T23:00:00+00:00", "b.first"),
    ]


def test_pages_of_results(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_PER_PAGE", 10)
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for i in range(25):
        add_event(f"test.event{i:02d}", start + timedelta(minutes=i))
    query = "?action=test.*"
    first = client.get("/backoffice/audit" + query)
    assert shown_actions(first) == [f"test.event{i:02d}" for i in range(24, 14, -1)]
    assert "Events found: 25" in first.main_text
    next_link = first.soup.select_one(".govuk-pagination__next a")["href"]
    assert "action=test.%2A" in next_link or "action=test.*" in next_link
    assert "page=2" in next_link
    second = client.get(next_link)
    assert shown_actions(second) == [f"test.event{i:02d}" for i in range(14, 4, -1)]
    third = client.get("/backoffice/audit?action=test.*&page=3")
    assert shown_actions(third) == [f"test.event{i:02d}" for i in range(4, -1, -1)]
    assert third.soup.select_one(".govuk-pagination__next") is None
    # The export link carries the filters, not the page.
    [export_link] = third.links(r"^/backoffice/audit\.csv")
    assert "action=test" in export_link and "page" not in export_link


def test_a_search_costs_the_same_queries_however_long_the_trail(app, client, admin):
    officers = [factories.staff() for _ in range(3)]
    for i in range(30):
        add_event("crime.view", actor=officers[i % 3], record_type="crime", record_id=str(i))
    path = "/backoffice/audit?action=crime.*"
    client.get(path)
    with count_queries(app) as small:
        client.get(path)
    more = [factories.staff() for _ in range(20)]
    for i in range(400):
        add_event("crime.view", actor=more[i % 20], record_type="crime", record_id=str(i))
    with count_queries(app) as large:
        assert client.get(path + "&page=3").status == 200
    assert small["n"] == large["n"], (small, large)


# Every look at the trail is on the trail


def test_each_search_and_each_export_writes_one_event_with_its_query(client, admin):
    client.get("/backoffice/audit?action=crime.*&record_id=12")
    client.get("/backoffice/audit?actor=bad%20value")
    [first, second] = events("audit.search")
    assert first.detail == "action=crime.*&record_id=12"
    assert second.detail == "actor=bad%20value"
    assert first.actor_id == admin.id and first.actor_type == "staff" and first.actor_roles == "admin"
    assert first.request_id

    export(client, "?record_type=crime")
    export(client)
    [one, two] = events("audit.export")
    assert one.detail == "record_type=crime"
    assert two.detail is None
    assert len(events("audit.search")) == 2


# The export


def test_the_export_is_a_csv_download_with_every_column(client, admin):
    officer = factories.staff(name='Olive, "the" Officer', roles=("officer", "supervisor"))
    add_event(
        "crime.view",
        datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        officer,
        record_type="crime",
        record_id="42",
        request_id="abcdef12",
        detail="q=43/1\nsecond line",
    )
    page = client.get("/backoffice/audit.csv?action=crime.view")
    assert page.status == 200
    assert page.response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = page.response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="audit-') and disposition.endswith('.csv"')
    assert len(disposition.split('"')[1]) == len("audit-YYYYMMDD-HHMM.csv")
    assert page.response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(page.text.removeprefix("\ufeff"))))
    assert rows == [
        [
            "Time (UTC)",
            "Actor type",
            "Actor ID",
            "Actor name",
            "Roles",
            "Action",
            "Record type",
            "Record ID",
            "Request ID",
            "Detail",
        ],
        [
            "2026-01-05T09:30:00+00:00",
            "staff",
            str(officer.id),
            'Olive, "the" Officer',
            "officer,supervisor",
            "crime.view",
            "crime",
            "42",
            "abcdef12",
            "q=43/1\nsecond line",
        ],
    ]


def test_the_export_stops_at_its_maximum_and_says_so(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_EXPORT_MAX_ROWS", 5)
    for i in range(8):
        add_event(f"test.e{i}")
    page = client.get("/backoffice/audit?action=test.*")
    assert "Export the newest 5 of these events as CSV" in page.main_text
    rows = export(client, "?action=test.*")
    assert [r[5] for r in rows[1:6]] == ["test.e7", "test.e6", "test.e5", "test.e4", "test.e3"]
    assert len(rows) == 7
    assert rows[6][0].startswith("Export stopped after 5 events")
    assert len(export(client, "?action=test.e1")) == 2


def assert_no_formula(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS_STARTS), (cell, row)


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_export_neutralises_formulas_in_every_column(client, admin, formula):
    actor = factories.staff(name=formula)
    add_event(
        formula,
        actor=actor,
        record_type=formula,
        record_id=formula,
        request_id=formula,
        detail=formula,
    )
    add_event("tab.cr", detail="\tTAB", record_id="\rCR")
    rows = export(client)
    assert_no_formula(rows)
    [row] = [r for r in rows if r[2] == str(actor.id)]
    # The actor's name is one line: its line breaks were spaces when it was saved.
    assert row[3] == "'" + clean_line(formula)
    assert row[5:] == ["'" + formula] * 5
    [tabbed] = [r for r in rows if r[5] == "tab.cr"]
    assert tabbed[9] == "'\tTAB" and tabbed[7] == "'\rCR"


def test_formulas_typed_into_the_service_are_neutralised_in_the_export(app, client, admin):
    team = factories.team()
    officer = factories.staff(team, name="@SUM(1)")
    crime = factories.crime(officer)
    victim = factories.active_victim(crime, officer)
    officer_client = type(client)(app)
    officer_client.staff_sign_in(officer.email, factories.PASSWORD)
    # A crime reference search with a formula, and a query string that is one.
    officer_client.get("/backoffice/cases?q=" + quote(FORMULAS[0]))
    officer_client.get("/backoffice/cases?=cmd|'/C%20calc'!A0")
    officer_client.get("/backoffice/cases?view=all", headers={"X-Request-ID": "-1234567890"})
    # A victim asking for a case that is not theirs, by a formula.
    victim_client = type(client)(app)
    victim_client.victim_sign_in(victim.victim.email, factories.PASSWORD)
    assert victim_client.get("/cases/" + quote("+1+cmd")).status == 404

    rows = export(client)
    assert_no_formula(rows)
    searches = [r for r in rows if r[5] == "cases.list"]
    details = {r[9] for r in searches}
    # The search is kept as asked, percent-encoded as it was sent.
    assert "q=" + quote(FORMULAS[0]) in details
    assert "'=cmd|'/C%20calc'!A0" in details
    assert {r[3] for r in searches} == {"'@SUM(1)"}
    # The request id is the service's own: the one the client sent is never stored.
    assert "-1234567890" not in {cell.lstrip("'") for row in rows for cell in row}
    [denied] = [r for r in rows if r[5] == "victim.case_denied"]
    assert denied[7] == "'+1+cmd"
    # The page shows the same values as plain text.
    page = client.get("/backoffice/audit?action=cases.list")
    assert "=cmd|'/C%20calc'!A0" in shown_details(page)


# Bad filters


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from_date=31&from_date=2&from_date=2026", "The ‘from’ date must be a real date"),
        ("to_date=a&to_date=b&to_date=c", "The ‘to’ date must be a real date"),
        ("from_date=1", "The ‘from’ date must be a real date"),
        ("to_date=1&to_date=1&to_date=99999", "The ‘to’ date must be a real date"),
        (
            "from_date=2&from_date=7&from_date=2026&to_date=1&to_date=7&to_date=2026",
            "The ‘to’ date must be the same as or after the ‘from’ date",
        ),
        ("actor=12abc", "Enter the staff member’s ID number or email address"),
        ("actor=99999999999999999999", "Enter a staff ID number that exists"),
        ("actor=0", "Enter a staff ID number that exists"),
        ("actor_type=hacker", "Not a valid choice."),
        (
            "action=crime.view%27%20OR%201=1",
            "Action must be 60 letters, numbers, dots or underscores or fewer, with an optional * at the end",
        ),
        ("record_type=crime;drop", "Record type must be 40 letters or underscores or fewer"),
        ("record_id=" + "x" * 61, "Record ID must be 60 characters or fewer"),
        ("request_id=%3Cscript%3E", "Request ID must be 40 letters, numbers or hyphens or fewer"),
    ],
)
def test_bad_filters_get_a_clear_message_and_no_results(client, admin, query, expected):
    add_event("crime.view")
    page = client.get("/backoffice/audit?" + query)
    assert page.status == 400
    assert expected in page.error_summary
    assert page.title.startswith("Error:")
    assert shown_actions(page) == []
    assert "No results are shown until the filters are corrected." in page.main_text
    # The export with the same filters goes back to the page that explains.
    response = client.get("/backoffice/audit.csv?" + query)
    assert response.status == 302
    assert response.response.headers["Location"].startswith("/backoffice/audit?")
    assert expected in client.follow(response).error_summary


def test_the_last_day_there_is_can_be_asked_for(client, admin):
    page = client.get("/backoffice/audit?to_date=31&to_date=12&to_date=9999")
    assert page.status == 200 and not page.error_summary
    assert "audit.search" in shown_actions(client.get("/backoffice/audit?to_date=31&to_date=12&to_date=9999"))
    assert export(client, "?to_date=31&to_date=12&to_date=9999")


# Who may look


def test_an_officer_may_neither_see_nor_export_the_trail(client, ctx):
    officer = factories.staff(roles=("officer", "supervisor"))
    client.staff_sign_in(officer.email, factories.PASSWORD)
    assert client.get("/backoffice/audit").status == 403
    assert client.get("/backoffice/audit.csv").status == 403
    assert events("audit.search") == [] and events("audit.export") == []
    assert len(events("access.refused")) == 2


def test_signed_out_staff_are_sent_to_sign_in(client, ctx):
    for path in ("/backoffice/audit", "/backoffice/audit.csv"):
        page = client.get(path)
        assert page.status == 302
        assert page.response.headers["Location"].startswith("/backoffice/sign-in")


# The database keeps every event


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"],
)
def test_the_database_refuses_to_change_or_delete_events(ctx, statement):
    row = add_event("crime.view", record_type="crime", record_id="1", detail="original")
    with pytest.raises(DBAPIError):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    kept = db.session.get(AuditEvent, row.id)
    assert (kept.action, kept.record_id, kept.detail) == ("crime.view", "1", "original")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
