"""The force's action plan after an inspection: the Force Crime Registrar records the
recommendations and the actions that answer them; an action's owner moves it on with a
comment, never to complete; the board counts the plan by theme and status and lists it
overdue first, by the service's clock; every change is history and on the audit trail."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import Action, ActionEvent, AuditEvent, Recommendation
from shared.services import action_plan
from tests import factories
from tests.pages import PageClient
from tests.queries import count_queries
from tests.signed_in import sign_in_as

# Thursday 4 March 2027, noon in London: "today" for every test here.
NOW = datetime(2027, 3, 4, 12, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def _signed_in(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _date(name: str, day: date) -> dict:
    """A date as its three boxes post it: day, month, year."""
    return {name: [str(day.day), str(day.month), str(day.year)]}


@pytest.fixture
def plan(ctx):
    fcr = factories.staff(roles=("fcr",), name="Fiona Registrar")
    owner = factories.staff(fcr.team, roles=("officer",), name="Owen Owner", email="owen@police.example")
    other = factories.staff(fcr.team, roles=("officer",), name="Olive Other")
    recommendation = action_plan.create_recommendation(
        source="inspection",
        source_title="Crime data integrity inspection 2014",
        source_date=date(2014, 8, 1),
        reference="Recommendation 3",
        text="Improve the recording of reports of crime made to the control room.",
        by=fcr,
    )
    return {"fcr": fcr, "owner": owner, "other": other, "recommendation": recommendation}


def _action(plan, title="Audit the control room", due=date(2027, 6, 30), theme="processes", owner=None):
    return action_plan.create_action(
        recommendation_id=plan["recommendation"].id,
        title=title,
        description=None,
        theme=theme,
        owner=str((owner or plan["owner"]).id),
        due_on=due,
        comment="Agreed at the board",
        by=plan["fcr"],
        on=date(2026, 1, 1),
    )


def _history(action_id) -> list[tuple]:
    return db.session.execute(
        select(
            ActionEvent.kind,
            ActionEvent.from_value,
            ActionEvent.to_value,
            ActionEvent.comment,
            ActionEvent.by_id,
        )
        .where(ActionEvent.action_id == action_id)
        .order_by(ActionEvent.id)
    ).all()


def test_the_registrar_records_a_recommendation_and_an_action_answering_it(app, plan):
    client = _signed_in(app, plan["fcr"])
    form = client.get("/backoffice/action-plan/recommendations/new")
    assert form.h1 == "Add a recommendation"
    page = client.post(
        "/backoffice/action-plan/recommendations/new",
        {
            "source": "internal_audit",
            "source_title": "FCR audit of violence, 2026",
            **_date("source_date", date(2026, 11, 30)),
            "reference": "R1",
            "text": "Record every crime disclosed in a domestic abuse incident.",
        },
    )
    assert page.status == 302
    saved = db.session.scalar(select(Recommendation).where(Recommendation.reference == "R1"))
    assert (saved.source, saved.source_date) == ("internal_audit", date(2026, 11, 30))

    page = client.post(
        "/backoffice/action-plan/actions/new",
        {
            "recommendation": str(saved.id),
            "title": "Train call handlers in the principal crime rule",
            "theme": "training",
            "owner": "owen@police.example",
            **_date("due_on", date(2027, 5, 31)),
            "comment": "Agreed at the March board",
        },
    )
    assert page.status == 302, page.error_summary
    action = db.session.scalar(select(Action).where(Action.recommendation_id == saved.id))
    assert (action.theme, action.owner_id, action.status, action.due_on) == (
        "training",
        plan["owner"].id,
        "not_started",
        date(2027, 5, 31),
    )
    assert _history(action.id) == [
        ("created", None, "not_started", "Agreed at the March board", plan["fcr"].id)
    ]
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == plan["fcr"].id)))
    assert {"action_plan.recommendation_created", "action_plan.action_created"} <= actions


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "Enter what the action is"),
        ({"owner": "nobody@police.example"}, "Enter the staff ID or email address of an active member"),
        ({"owner": "999999"}, "Enter the staff ID or email address of an active member"),
        ({**_date("due_on", date(2027, 3, 3))}, "The due date must be today or in the future"),
        ({"comment": "  "}, "Enter a comment that says why"),
        ({"theme": "own-99"}, "Not a valid choice"),
        ({"recommendation": "0"}, "Not a valid choice"),
    ],
)
def test_a_bad_action_is_refused_and_nothing_is_saved(app, plan, change, message):
    client = _signed_in(app, plan["fcr"])
    data = {
        "recommendation": str(plan["recommendation"].id),
        "title": "Train call handlers",
        "theme": "training",
        "owner": "owen@police.example",
        **_date("due_on", date(2027, 3, 4)),
        "comment": "Agreed",
        **change,
    }
    page = client.post("/backoffice/action-plan/actions/new", data)
    assert page.status == 400
    assert any(message in error for error in page.error_summary), page.error_summary
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


def test_an_owner_moves_their_action_on_but_cannot_mark_it_complete(app, plan):
    action = _action(plan)
    path = f"/backoffice/action-plan/actions/{action.id}"
    client = _signed_in(app, plan["owner"])
    page = client.get(path)
    assert page.status == 200 and page.h1 == "Audit the control room"
    offered = {i["value"] for i in page.soup.select("input[name=status-status]")}
    assert offered == {"not_started", "in_progress", "awaiting_review"}
    assert not page.soup.select("input[name=owner-owner]")  # only the registrar's team changes the owner

    moved = client.post(
        path + "/status", {"status-status": "in_progress", "status-comment": "Started"}, csrf_from=path
    )
    assert moved.status == 302
    for data, error in [
        (
            {"status-status": "complete", "status-comment": "Done"},
            "Only the Force Crime Registrar’s team can mark",
        ),
        ({"status-status": "awaiting_review", "status-comment": ""}, "Enter a comment that says why"),
        ({"status-status": "in_progress", "status-comment": "Again"}, "Select a status different"),
        ({"status-status": "finished", "status-comment": "Done"}, "Select the new status"),
    ]:
        refused = client.post(path + "/status", data, csrf_from=path)
        assert refused.status == 400
        assert any(error in e for e in refused.error_summary), refused.error_summary
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "in_progress"

    assert (
        client.post(
            path + "/status",
            {"status-status": "awaiting_review", "status-comment": "Audit report sent"},
            csrf_from=path,
        ).status
        == 302
    )
    registrar = _signed_in(app, plan["fcr"])
    assert (
        registrar.post(
            path + "/status",
            {"status-status": "complete", "status-comment": "Reviewed: done"},
            csrf_from=path,
        ).status
        == 302
    )
    assert (
        client.post(
            path + "/status", {"status-status": "in_progress", "status-comment": "Reopen"}, csrf_from=path
        ).status
        == 400
    )
    assert [row[:4] for row in _history(action.id)] == [
        ("created", None, "not_started", "Agreed at the board"),
        ("status", "not_started", "in_progress", "Started"),
        ("status", "in_progress", "awaiting_review", "Audit report sent"),
        ("status", "awaiting_review", "complete", "Reviewed: done"),
    ]
    history = registrar.get(path).main_text
    assert "Reviewed: done" in history and "from Awaiting review to Complete" in history


def test_another_officer_can_neither_see_nor_move_an_action(app, plan):
    action = _action(plan)
    path = f"/backoffice/action-plan/actions/{action.id}"
    client = _signed_in(app, plan["other"])
    assert client.get(path).status == 404
    token = client.get("/backoffice/action-plan/mine").csrf()
    assert client.post(path + "/status", {"csrf_token": token, "status-status": "in_progress"}).status == 404
    assert client.get("/backoffice/action-plan").status == 403
    assert "You own no actions." in client.get("/backoffice/action-plan/mine").main_text
    assert db.session.scalar(select(func.count()).select_from(ActionEvent)) == 1


def test_the_registrar_changes_the_owner_and_the_due_date_with_a_comment(app, plan):
    action = _action(plan)
    path = f"/backoffice/action-plan/actions/{action.id}"
    client = _signed_in(app, plan["fcr"])
    refused = client.post(
        path + "/owner", {"owner-owner": "ghost@police.example", "owner-comment": "x"}, csrf_from=path
    )
    assert refused.status == 400 and refused.error_summary
    refused = client.post(path + "/due-date", {**_date("due-due_on", date(2027, 9, 30))}, csrf_from=path)
    assert refused.status == 400 and "Enter a comment that says why" in refused.error_summary
    db.session.expire_all()
    assert (db.session.get(Action, action.id).owner_id, db.session.get(Action, action.id).due_on) == (
        plan["owner"].id,
        date(2027, 6, 30),
    )

    assert (
        client.post(
            path + "/owner",
            {"owner-owner": str(plan["other"].id), "owner-comment": "Owen moved team"},
            csrf_from=path,
        ).status
        == 302
    )
    assert (
        client.post(
            path + "/due-date",
            {**_date("due-due_on", date(2027, 9, 30)), "due-comment": "Waiting for the new system"},
            csrf_from=path,
        ).status
        == 302
    )
    db.session.expire_all()
    saved = db.session.get(Action, action.id)
    assert (saved.owner_id, saved.due_on) == (plan["other"].id, date(2027, 9, 30))
    assert [row[:4] for row in _history(action.id)][1:] == [
        ("owner", str(plan["owner"].id), str(plan["other"].id), "Owen moved team"),
        ("due_date", "2027-06-30", "2027-09-30", "Waiting for the new system"),
    ]
    page = client.get(path).main_text
    assert "from Owen Owner to Olive Other" in page and "from 2027-06-30 to 2027-09-30" in page
    # The owner only: the page an officer no longer owns is no longer theirs.
    assert _signed_in(app, plan["owner"]).get(path).status == 404


def test_the_board_counts_the_plan_and_lists_it_overdue_first(app, plan):
    late = _action(plan, "Late action", due=date(2027, 3, 3), theme="victim_focus")
    due_today = _action(plan, "Due today", due=date(2027, 3, 4), theme="victim_focus")
    later = _action(plan, "Later action", due=date(2027, 4, 1))
    done_late = _action(plan, "Done before its date passed", due=date(2027, 1, 1), theme="training")
    action_plan.change_status(done_late, "complete", "Done", plan["fcr"])
    action_plan.change_status(later, "in_progress", "Begun", plan["fcr"])
    own = action_plan.add_theme("Rape and serious sexual offences", plan["fcr"])
    _action(plan, "Own theme", due=date(2027, 12, 1), theme=f"own-{own.id}")

    analyst = _signed_in(app, factories.staff(roles=("analyst",)))
    page = analyst.get("/backoffice/action-plan")
    assert page.status == 200
    assert page.soup.select_one("#headline").get_text(strip=True) == (
        "5 actions: 3 not started, 1 in progress, 1 complete"
    )
    assert "1 action is overdue" in page.main_text
    listed = [a.get_text(strip=True) for a in page.soup.select("table a.govuk-link")]
    # Overdue first (due yesterday, not complete); then by due date, a complete one too.
    assert listed == ["Late action", "Done before its date passed", "Due today", "Later action", "Own theme"]
    rows = {
        row.select_one("th").get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
        for row in page.soup.select("table")[0].select("tbody tr")
    }
    assert rows["Victim focus"] == ["2", "0", "0", "0", "2"]
    assert rows["Training"] == ["0", "0", "0", "1", "1"]
    assert rows["Rape and serious sexual offences"] == ["1", "0", "0", "0", "1"]
    assert rows["All themes"] == ["3", "1", "0", "1", "5"]

    filtered = analyst.get("/backoffice/action-plan?theme=victim_focus&status=not_started")
    assert "Actions found: 2, overdue first" in filtered.main_text
    assert "Later action" not in filtered.main_text
    mine = analyst.get(f"/backoffice/action-plan?owner={plan['other'].id}")
    assert "No actions match these filters." in mine.main_text
    bad = analyst.get("/backoffice/action-plan?owner=nobody@police.example")
    assert bad.status == 400 and bad.error_summary
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (event.action, event.detail) == ("action_plan.board", "owner=nobody@police.example")
    del late, due_today


def test_the_headline_speaks_welsh_with_its_plurals(app, plan):
    for n in range(3):
        _action(plan, f"Action {n}")
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        from flask_babel import force_locale

        with force_locale("cy"):
            headline = action_plan.summary(date(2027, 3, 4)).headline()
    assert headline.startswith("3 ") and "action" not in headline and "not started" not in headline


def test_the_export_is_the_plan_in_the_board_s_order_and_safe_in_a_spreadsheet(app, plan):
    _action(plan, '=HYPERLINK("http://evil.example")', due=date(2027, 2, 1))
    _action(plan, "On time", due=date(2027, 8, 1))
    client = _signed_in(app, factories.staff(roles=("pcc",)))
    response = client.get("/backoffice/action-plan/export.csv")
    assert response.status == 200 and response.response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["Action ID", "Action", "Theme", "Status", "Overdue", "Due date"]
    assert [row[1] for row in rows[1:]] == ['\'=HYPERLINK("http://evil.example")', "On time"]
    assert [row[4] for row in rows[1:]] == ["Yes", "No"]
    assert rows[1][13] == "Agreed at the board" and rows[1][7] == "Recommendation 3"
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "action_plan.export"
    # The Commissioner's office reads the board, not an action's page of staff comments.
    assert (
        client.get(f"/backoffice/action-plan/actions/{db.session.scalar(select(Action.id).limit(1))}").status
        == 403
    )


def test_the_board_costs_the_same_whatever_the_size_of_the_plan(app, plan):
    client = _signed_in(app, plan["fcr"])

    def queries():
        client.get("/backoffice/action-plan")
        with count_queries(app) as counter:
            assert client.get("/backoffice/action-plan").status == 200
        return counter["n"]

    _action(plan, "One")
    small = queries()
    for n in range(60):
        action = _action(plan, f"More {n}", theme=("training", "victim_focus", "leadership")[n % 3])
        if n % 2:
            action_plan.change_status(action, "in_progress", "Begun", plan["fcr"])
    assert queries() == small
