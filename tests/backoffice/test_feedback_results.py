"""Victims' feedback in the compliance report: a constructed set of answers whose every
figure was worked out by hand, read back from the page, the CSV export and the API,
which must agree, with groups of fewer answers than FEEDBACK_MIN_COUNT suppressed; and
no victim's name, reference or comment on any staff page.

The clock is fixed: Monday 7 December 2026, 10:00 (GMT); the period is 1 November to
7 December 2026.
"""

import csv
import io
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest

from shared.extensions import db
from shared.models import FeedbackAnswer
from shared.services import feedback
from tests import factories
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
START, END = date(2026, 11, 1), date(2026, 12, 7)
NOVEMBER, DECEMBER, OCTOBER = date(2026, 11, 12), date(2026, 12, 3), date(2026, 10, 30)


def _answers(team, offence_group, day, *rows):
    """One answer per (informed, respect, rights): 1 to 5, None for "prefer not to say"."""
    for informed, respect, rights in rows:
        db.session.add(
            FeedbackAnswer(
                id=uuid.uuid4().hex,
                point="first_update",
                answered_on=day,
                team_id=team.id,
                offence_group=offence_group,
                informed=informed,
                respect=respect,
                rights=rights,
            )
        )
    db.session.commit()


@pytest.fixture
def world(ctx):
    """Alpha (theft), November: 12 answers. Informed: 9 satisfied of 12 (75%). Respect:
    8 satisfied of 10, 2 preferring not to say (80%). Rights: 6 of 12 (50%).
    Bravo (violence), December: 4 answers, each figure suppressed (fewer than 10).
    Informed: 5, 5, 1, 3; respect: all 4; rights: all "prefer not to say".
    One answer in October, outside the period.
    The whole force: 16 answers; informed 11 of 16 (68.75%), respect 12 of 14 (85.7%),
    rights 6 of 12 (50%). November is Alpha's; December, Bravo's, suppressed."""
    alpha, bravo = factories.team("Alpha"), factories.team("Bravo")
    alpha_rows = (
        [(5, 5, 5)] * 4
        + [(4, 4, 4)] * 2
        + [(5, 4, 1)] * 2
        + [(4, None, 2)] * 1
        + [(2, None, 3)] * 1
        + [(1, 2, 2)] * 1
        + [(3, 1, 1)] * 1
    )
    _answers(alpha, "theft", NOVEMBER, *alpha_rows)
    _answers(bravo, "violence", DECEMBER, (5, 5, None), (5, 4, None), (1, 4, None), (3, 5, None))
    _answers(alpha, "theft", OCTOBER, (1, 1, 1))
    return {"alpha": alpha, "bravo": bravo}


def _query(split="none"):
    return urlencode(
        [
            ("period", "custom"),
            *(("from_date", v) for v in (START.day, START.month, START.year)),
            *(("to_date", v) for v in (END.day, END.month, END.year)),
            ("split", split),
        ]
    )


SUPPRESSED = ["Suppressed", "Fewer than 10"]
ALPHA = ["12", "75%", "12", "80%", "10", "50%", "12"]
BRAVO = ["Suppressed", *SUPPRESSED, *SUPPRESSED, "No data", "0"]
WHOLE = ["16", "68.8%", "16", "85.7%", "14", "50%", "12"]


def _rows(page, table_id) -> dict[str, list[str]]:
    table = page.soup.find("table", id=table_id)
    return {
        row.th.get_text(strip=True): [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in table.select("tbody tr")
    }


def _csv(export) -> list[list[str]]:
    return [
        row for row in csv.reader(io.StringIO(export.text.lstrip("\ufeff"))) if row[0] in ("S1", "S2", "S3")
    ]


def test_the_page_csv_and_api_give_the_same_feedback_figures(app, client, world, records_system):
    sign_in_as(client, factories.staff(world["alpha"], roles=("analyst",)))
    page = client.get(f"/backoffice/reports?{_query('team')}")
    assert page.status == 200
    assert _rows(page, "feedback-table") == {"Whole force": WHOLE, "Alpha": ALPHA, "Bravo": BRAVO}
    assert _rows(page, "feedback-months-table") == {"November 2026": ALPHA, "December 2026": BRAVO}
    assert "fewer than 10 answers is suppressed" in page.main_text
    by_group = client.get(f"/backoffice/reports?{_query('offence_group')}")
    assert _rows(by_group, "feedback-table") == {
        "Whole force": WHOLE,
        "Violence against the person": BRAVO,
        "Theft offences": ALPHA,
    }
    # Split by officer, feedback is the whole force's only: it is kept without the officer.
    by_officer = client.get(f"/backoffice/reports?{_query('officer')}")
    assert _rows(by_officer, "feedback-table") == {"Whole force": WHOLE}
    assert "not split by enhanced rights or by officer" in by_officer.main_text

    rows = _csv(client.get(f"/backoffice/reports/export.csv?{_query('team')}"))
    cut = "Suppressed (fewer than 10 answers)"
    assert [[row[0], row[2], *row[3:10]] for row in rows if row[0] == "S1"] == [
        ["S1", "Whole force", "68.8", "11", "5", "", "", "", "16"],
        ["S1", "Alpha", "75", "9", "3", "", "", "", "12"],
        ["S1", "Bravo", cut, "", "", "", "", "", ""],
        ["S1", "Whole force, 2026-11", "75", "9", "3", "", "", "", "12"],
        ["S1", "Whole force, 2026-12", cut, "", "", "", "", "", ""],
    ]
    assert [[row[2], row[3], row[9]] for row in rows if row[0] == "S3"] == [
        ["Whole force", "50", "12"],
        ["Alpha", "50", "12"],
        ["Bravo", "No data", "0"],
        ["Whole force, 2026-11", "50", "12"],
        ["Whole force, 2026-12", "No data", "0"],
    ]

    body = records_system.get(
        "/reports/compliance", **{"from": START.isoformat(), "to": END.isoformat(), "split": "team"}
    ).get_json()
    groups = {group["label"]: group["feedback"] for group in body["groups"]}
    assert groups["Whole force"] == {
        "responses": 16,
        "questions": {
            "S1": {"rate": 11 / 16, "satisfied": 11, "answered": 16, "suppressed": False},
            "S2": {"rate": 12 / 14, "satisfied": 12, "answered": 14, "suppressed": False},
            "S3": {"rate": 0.5, "satisfied": 6, "answered": 12, "suppressed": False},
        },
    }
    hidden = {"rate": None, "satisfied": None, "answered": None, "suppressed": True}
    assert groups["Bravo"] == {
        "responses": None,
        "questions": {
            "S1": hidden,
            "S2": hidden,
            "S3": {"rate": None, "satisfied": 0, "answered": 0, "suppressed": False},
        },
    }
    assert groups["Alpha"]["questions"]["S2"] == {
        "rate": 0.8,
        "satisfied": 8,
        "answered": 10,
        "suppressed": False,
    }
    assert body["feedback"]["suppressed_below"] == 10
    assert [month["month"] for month in body["feedback"]["months"]] == ["2026-11-01", "2026-12-01"]
    assert body["feedback"]["months"][0]["questions"]["S1"]["rate"] == 0.75
    assert body["feedback"]["months"][1]["questions"]["S1"] == hidden
    assert body["feedback"]["questions"]["S1"] == "Victims satisfied with how they were kept informed"


def test_the_force_sets_the_fewest_answers_shown(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_MIN_COUNT", 3)
    sign_in_as(client, factories.staff(world["alpha"], roles=("analyst",)))
    page = client.get(f"/backoffice/reports?{_query('team')}")
    assert _rows(page, "feedback-table")["Bravo"] == ["4", "50%", "4", "100%", "4", "No data", "0"]
    assert "fewer than 3 answers is suppressed" in page.main_text


def test_a_supervisor_sees_only_their_teams_feedback(app, client, world):
    sign_in_as(client, factories.staff(world["bravo"], roles=("supervisor",)))
    page = client.get(f"/backoffice/reports?{_query('none')}")
    assert _rows(page, "feedback-table") == {"Bravo": BRAVO}


def test_no_staff_page_shows_who_answered_or_what_they_wrote(app, client, ctx):
    officer = factories.staff(name="Sam Officer")
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer, name="Jane Answerer")
    factories.update(crime, officer)
    feedback.answer(
        link, {"informed": 5, "respect": 5, "rights": 5}, "Thank you, Sam Officer. Jane.", link.victim
    )
    for member in (
        officer,
        factories.staff(officer.team, roles=("supervisor",)),
        factories.staff(roles=("analyst",)),
    ):
        sign_in_as(client, member)
        for path in (
            f"/backoffice/crimes/{crime.id}",
            f"/backoffice/crimes/{crime.id}/victims/{link.id}/messages",
            "/backoffice/audit-log",
            f"/backoffice/reports?{_query('officer')}",
            f"/backoffice/reports/export.csv?{_query('team')}",
            "/backoffice/tasks",
        ):
            page = client.get(path)
            text = page.response.get_data(as_text=True)
            assert "Thank you, Sam Officer" not in text, path
            if "reports" in path:
                assert page.status == (403 if member is officer else 200), path
                assert "Jane Answerer" not in text and crime.reference not in text, path
            elif path == f"/backoffice/crimes/{crime.id}" and member is officer:
                # The officer's own crime page names the victim, and says nothing of her feedback.
                assert "Jane Answerer" in text and "feedback" not in text.lower(), path
