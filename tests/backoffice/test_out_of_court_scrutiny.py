"""Out-of-court disposals: an officer records one with the victim's views, the history
check, the admission and a sergeant's approval; the registrar's team draws a scrutiny
sample; a panel member from outside the force grades each case, anonymised; the
registrar sees the results and records the force's response."""

import csv
import io
import itertools
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.domain.scrutiny import GRADES
from shared.extensions import db
from shared.models import (
    AuditEvent,
    Crime,
    OutOfCourtCapture,
    ScrutinyCase,
    ScrutinyFinding,
    ScrutinyGrade,
    ScrutinyResponse,
    ScrutinySample,
    Victim,
)
from shared.models.types import utcnow
from shared.services import calendar
from tests import factories
from tests.pages import PageClient
from tests.queries import count_queries
from tests.signed_in import sign_in_as

_references = itertools.count(60000)


def _client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _outcome(crime):
    return db.session.scalar(select(Crime.outcome).where(Crime.id == crime.id))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def force(ctx):
    team = factories.team("Response East")
    officer = factories.staff(team, roles=("officer",), name="Constable Amy Ellis")
    sergeant = factories.staff(team, roles=("supervisor",), name="Sergeant Bob Price")
    fcr = factories.staff(roles=("fcr",), name="Registrar Carol Dunn")
    panel = factories.staff(
        factories.team("Commissioner's scrutiny panel"), roles=("panel",), name="Panel Dev Shah"
    )
    return {"team": team, "officer": officer, "sergeant": sergeant, "fcr": fcr, "panel": panel}


CAPTURE = {
    "outcome": "8",
    "visible": "no",
    "views_sought": "yes",
    "victim_views": "Happy with an apology and the fence repaired",
    "history_checked": "yes",
    "history_summary": "One community resolution in 2019",
    "admission": "yes",
}


def test_an_officer_records_a_community_resolution_with_what_it_captures(app, force):
    crime = factories.crime(force["officer"], offence="criminal_damage")
    client = _client(app, force["officer"])
    path = f"/backoffice/crimes/{crime.id}/outcome"
    page = client.get(path)
    assert "Sergeant Bob Price" in page.main_text
    assert "Constable Amy Ellis" not in page.soup.find("select", id="approved_by_id").get_text()
    page = client.post(path, CAPTURE | {"approved_by_id": str(force["sergeant"].id)})
    assert page.status == 302
    kept = db.session.scalars(select(OutOfCourtCapture).where(OutOfCourtCapture.crime_id == crime.id)).one()
    assert (kept.outcome, kept.views_sought, kept.victim_views) == (8, True, CAPTURE["victim_views"])
    assert (kept.history_checked, kept.history_summary, kept.admission) == (
        True,
        CAPTURE["history_summary"],
        "yes",
    )
    assert (kept.approved_by_id, kept.recorded_by_id) == (force["sergeant"].id, force["officer"].id)
    assert _outcome(crime) == 8


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"views_sought": ""}, "views_sought", "Select whether the victim’s views were sought"),
        ({"victim_views": " "}, "victim_views", "Enter the victim’s views"),
        ({"views_sought": "no"}, "views_not_sought_reason", "Enter why the victim’s views were not sought"),
        ({"history_checked": ""}, "history_checked", "Select whether the offender’s history was checked"),
        ({"history_summary": ""}, "history_summary", "Enter what the history check found"),
        ({"admission": "maybe"}, "admission", "Select whether an admission was made"),
        ({"approved_by_id": ""}, "approved_by_id", "Select the sergeant who approved the disposal"),
        ({"approved_by_id": "officer"}, "approved_by_id", "Select the sergeant who approved the disposal"),
        (
            {"approved_by_id": "self"},
            "approved_by_id",
            "The disposal must be approved by a sergeant other than you",
        ),
    ],
)
def test_a_disposal_without_its_capture_is_refused_and_nothing_is_saved(app, force, change, field, message):
    recorder = factories.staff(force["team"], roles=("supervisor",))
    crime = factories.crime(recorder)
    ids = {"": "", "officer": str(force["officer"].id), "self": str(recorder.id)}
    data = CAPTURE | {"approved_by_id": str(force["sergeant"].id)} | change
    data["approved_by_id"] = ids.get(data["approved_by_id"], data["approved_by_id"])
    page = _client(app, recorder).post(f"/backoffice/crimes/{crime.id}/outcome", data)
    assert page.status == 400
    assert message in page.error_summary
    assert _outcome(crime) is None
    assert _count(OutOfCourtCapture) == 0


def test_an_outcome_that_is_not_a_disposal_captures_nothing(app, force):
    crime = factories.crime(force["officer"])
    page = _client(app, force["officer"]).post(
        f"/backoffice/crimes/{crime.id}/outcome", {"outcome": "18", "visible": "no", "factors": "solvability"}
    )
    assert page.status == 302
    assert _outcome(crime) == 18
    assert _count(OutOfCourtCapture) == 0


def _disposals(force, count: int):
    crimes = []
    for n in range(count):
        crime = factories.out_of_court_disposal(
            force["officer"],
            force["sergeant"],
            outcome=(3, 8, 6)[n % 3],
            reference=f"43/{next(_references)}/26",
        )
        factories.victim(crime, force["officer"], name=f"Victim Person{n}", email=f"person{n}@example.com")
        crimes.append(crime)
    return crimes


def _period(days_back: int = 1) -> dict:
    today = calendar.local_date(utcnow())
    start = today - timedelta(days=days_back)
    return {"period_start": _boxes(start), "period_end": _boxes(today)}


def _boxes(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@pytest.mark.parametrize(
    ("size", "seed", "message"),
    [
        ("7", "5", "The number of records to draw must be no more than the 6 records in the frame"),
        ("0", "5", "The number of records to draw must be 1 or more"),
        ("-2", "5", "The number of records to draw must be 1 or more"),
        ("two", "5", "The number of cases must be a whole number"),
        ("", "5", "Enter the number of cases to draw"),
        ("3", "-1", "The seed must be a whole number from 0 to 2147483646"),
    ],
)
def test_impossible_samples_are_refused_and_nothing_is_drawn(app, force, size, seed, message):
    _disposals(force, 6)
    page = _client(app, force["fcr"]).post(
        "/backoffice/scrutiny/samples", _period() | {"size": size, "seed": seed}
    )
    assert page.status == 400
    assert message in page.error_summary
    assert _count(ScrutinySample) == _count(ScrutinyCase) == 0


def test_the_registrar_draws_a_sample_and_the_same_seed_is_not_used_twice(app, force):
    _disposals(force, 6)
    client = _client(app, force["fcr"])
    page = client.post("/backoffice/scrutiny/samples", _period() | {"size": "4", "seed": "2026"})
    assert page.status == 302
    sample = db.session.scalars(select(ScrutinySample)).one()
    assert (sample.size, sample.seed, sample.frame_size, sample.drawn_by_id) == (4, 2026, 6, force["fcr"].id)
    cases = db.session.scalars(select(ScrutinyCase).where(ScrutinyCase.sample_id == sample.id)).all()
    assert len(cases) == 4 and len({c.case_key for c in cases}) == 4
    drawn = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "scrutiny.sample_drawn", AuditEvent.actor_id == force["fcr"].id
        )
    ).one()
    assert drawn.record_id == str(sample.id)
    page = client.get(f"/backoffice/scrutiny/samples/{sample.id}")
    assert "4 of the 6 disposals of the period" in page.main_text
    assert "have changed since" not in page.main_text

    again = client.post("/backoffice/scrutiny/samples", _period() | {"size": "4", "seed": "2026"})
    assert again.status == 400
    assert (
        f"Sample {sample.id} already holds the cases this seed draws for this period" in again.error_summary
    )

    _disposals(force, 1)
    changed = client.post("/backoffice/scrutiny/samples", _period() | {"size": "4", "seed": "2026"})
    assert changed.status == 400
    assert "have changed since" in " ".join(changed.error_summary)
    assert _count(ScrutinySample) == 1
    assert (
        "have changed since the sample was drawn"
        in client.get(f"/backoffice/scrutiny/samples/{sample.id}").main_text
    )


def _grade(criteria: str = "met", grade: str = "1", comments: str = "") -> dict:
    return {
        "victim_views": criteria,
        "offender_history": criteria,
        "evidential_threshold": criteria,
        "admission": "cannot_tell",
        "proportionality": criteria,
        "sergeant_approval": "met",
        "grade": grade,
        "comments": comments,
    }


def _walk(client, start: str) -> dict[str, str]:
    """Every back-office page reachable from `start` by links, with its text and HTML."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        page = client.get(path)
        if page.status == 302:
            todo.append(page.response.headers["Location"])
        if page.status != 200:
            seen[path] = ""
            continue
        seen[path] = page.response.get_data(as_text=True)
        for link in page.soup.find_all("a", href=True):
            href = link["href"].split("#")[0]
            if href.startswith("/backoffice") and "sign-out" not in href:
                todo.append(href)
    return seen


def test_the_panel_member_sees_only_anonymised_cases_and_grades_each_once(app, force):
    crimes = _disposals(force, 5)
    sample = factories.scrutiny_sample(force["fcr"], 3, seed=99)
    cases = db.session.scalars(select(ScrutinyCase).order_by(ScrutinyCase.position)).all()
    first = cases[0]
    fcr = _client(app, force["fcr"])
    fcr.post(
        f"/backoffice/scrutiny/samples/{sample.id}/cases/{first.case_key}/release",
        csrf_from=f"/backoffice/scrutiny/samples/{sample.id}",
    )
    panel = _client(app, force["panel"])
    pages = _walk(panel, "/backoffice/")
    assert f"/backoffice/scrutiny/panel/{sample.id}/{first.case_key}" in pages
    # The released text is shown; nothing that names or dates anyone is.
    assert "Happy" not in "".join(pages.values())  # not the capture of this fixture
    assert "She wants an apology" in pages[f"/backoffice/scrutiny/panel/{sample.id}/{first.case_key}"]
    unreleased = pages[f"/backoffice/scrutiny/panel/{sample.id}/{cases[1].case_key}"]
    assert "She wants an apology" not in unreleased and "Withheld" in unreleased
    secrets = [force[k].name for k in ("officer", "sergeant", "fcr")] + [
        force[k].collar_number for k in ("officer", "sergeant", "fcr")
    ]
    for crime in crimes:
        secrets.append(crime.reference)
    for victim in db.session.scalars(select(Victim)):
        secrets += [
            victim.name,
            victim.email,
            victim.date_of_birth.isoformat(),
            victim.date_of_birth.strftime("%d %B %Y").lstrip("0"),
        ]
    everything = "\n".join(pages.values())
    for secret in secrets:
        assert secret not in everything, secret
    assert not re.search(r"/backoffice/crimes/\d", everything)

    path = f"/backoffice/scrutiny/panel/{sample.id}/{first.case_key}"
    page = panel.post(
        path, _grade(criteria="not_met", grade="3", comments="No record of the victim being asked")
    )
    assert page.status == 302
    grade = db.session.scalars(select(ScrutinyGrade)).one()
    assert (grade.case_id, grade.grade, grade.graded_by_id) == (first.id, 3, force["panel"].id)
    findings = dict(db.session.execute(select(ScrutinyFinding.criterion, ScrutinyFinding.finding)).all())
    assert findings["victim_views"] == "not_met" and findings["admission"] == "cannot_tell"
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "scrutiny.graded")).one().record_id
        == first.case_key
    )

    twice = panel.post(path, _grade(grade="1"), csrf_from=f"/backoffice/scrutiny/panel/{sample.id}")
    assert twice.status == 400
    assert "This case has already been graded: a grade is given once" in twice.error_summary
    assert _count(ScrutinyGrade) == 1 and _count(ScrutinyFinding) == 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_grade(grade=""), "Select the grade"),
        (_grade(grade="5"), "Select the grade"),
        (_grade() | {"proportionality": ""}, "Select a finding for every criterion"),
        (_grade(grade="2"), "Enter the panel’s observations"),
    ],
)
def test_a_grade_with_something_missing_is_refused(app, force, data, message):
    _disposals(force, 2)
    sample = factories.scrutiny_sample(force["fcr"], 1)
    key = db.session.scalars(select(ScrutinyCase.case_key)).one()
    page = _client(app, force["panel"]).post(f"/backoffice/scrutiny/panel/{sample.id}/{key}", data)
    assert page.status == 400
    assert message in page.error_summary
    assert _count(ScrutinyGrade) == _count(ScrutinyFinding) == 0


def test_the_panel_member_asking_for_anything_else_is_refused_and_audited(app, force):
    crimes = _disposals(force, 3)
    first = factories.scrutiny_sample(force["fcr"], 1, seed=1)
    second = factories.scrutiny_sample(force["fcr"], 1, seed=2)
    other_key = db.session.scalars(
        select(ScrutinyCase.case_key).where(ScrutinyCase.sample_id == second.id)
    ).one()
    panel = _client(app, force["panel"])
    token = panel.get(f"/backoffice/scrutiny/panel/{first.id}").csrf()
    refused = [
        (panel.get(f"/backoffice/scrutiny/panel/{first.id}/{other_key}"), 404),
        (
            panel.post(
                f"/backoffice/scrutiny/panel/{first.id}/{other_key}", _grade() | {"csrf_token": token}
            ),
            404,
        ),
        (panel.get(f"/backoffice/scrutiny/panel/{first.id}/NOTAKEY"), 404),
        (panel.get(f"/backoffice/crimes/{crimes[0].id}"), 403),
        (panel.get("/backoffice/cases"), 403),
        (panel.get(f"/backoffice/scrutiny/samples/{first.id}"), 403),
        (
            panel.post(
                "/backoffice/scrutiny/samples", _period() | {"size": "1", "seed": "3", "csrf_token": token}
            ),
            403,
        ),
    ]
    for page, status in refused:
        assert page.status == status
    assert _count(ScrutinyGrade) == 0 and _count(ScrutinySample) == 2
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == force["panel"].id,
            AuditEvent.action.in_(("read.refused", "change.refused", "access.refused")),
        )
    ).all()
    assert len(events) == len(refused)


def test_results_by_grade_and_criterion_and_the_force_s_response(app, force, time_machine):
    _disposals(force, 4)
    sample = factories.scrutiny_sample(force["fcr"], 4, seed=7)
    keys = db.session.scalars(select(ScrutinyCase.case_key).order_by(ScrutinyCase.position)).all()
    panel = _client(app, force["panel"])
    for key, (grade, criteria) in zip(
        keys, [("1", "met"), ("1", "met"), ("3", "not_met"), ("4", "cannot_tell")], strict=True
    ):
        assert (
            panel.post(f"/backoffice/scrutiny/panel/{sample.id}/{key}", _grade(criteria, grade)).status == 302
        )
    fcr = _client(app, force["fcr"])
    page = fcr.get(f"/backoffice/scrutiny/samples/{sample.id}")
    by_grade = {
        row["data-grade"]: row.find("td").get_text(strip=True)
        for row in page.soup.select("#results-by-grade tr[data-grade]")
    }
    assert by_grade == {"1": "2", "2": "0", "3": "1", "4": "1"}
    views = page.soup.select_one('#results-by-criterion tr[data-criterion="victim_views"]')
    assert [td.get_text(strip=True) for td in views.find_all("td")] == ["2", "1", "1"]
    approval = page.soup.select_one('#results-by-criterion tr[data-criterion="sergeant_approval"]')
    assert [td.get_text(strip=True) for td in approval.find_all("td")] == ["4", "0", "0"]
    assert "4 of 4 cases graded" in page.main_text

    bad = fcr.post(
        f"/backoffice/scrutiny/samples/{sample.id}/response",
        {"response": "", "responded_on-day": "1"},
        csrf_from=f"/backoffice/scrutiny/samples/{sample.id}",
    )
    assert bad.status == 400 and _count(ScrutinyResponse) == 0
    today = calendar.local_date(utcnow())
    page = fcr.post(
        f"/backoffice/scrutiny/samples/{sample.id}/response",
        {
            "response": "Officers retrained on recording victims' views",
            "responded_on": _boxes(today),
        },
        csrf_from=f"/backoffice/scrutiny/samples/{sample.id}",
    )
    assert page.status == 302
    response = db.session.scalars(select(ScrutinyResponse)).one()
    assert (response.responded_on, response.recorded_by_id) == (today, force["fcr"].id)
    assert "Officers retrained" in fcr.get(f"/backoffice/scrutiny/samples/{sample.id}").main_text


def _csv(page) -> list[list[str]]:
    assert page.status == 200 and page.response.mimetype == "text/csv"
    assert page.text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(page.text.removeprefix("\ufeff"))))


def test_the_results_download_as_csv_counts_only_for_the_registrar_and_the_panel(app, force, monkeypatch):
    crimes = _disposals(force, 3)
    sample = factories.scrutiny_sample(force["fcr"], 3, seed=7)
    keys = db.session.scalars(select(ScrutinyCase.case_key).order_by(ScrutinyCase.position)).all()
    panel = _client(app, force["panel"])
    for key, (grade, criteria) in zip(keys, [("1", "met"), ("2", "met"), ("3", "not_met")], strict=True):
        graded = _grade(criteria, grade, "Record the views earlier")
        panel.follow(panel.post(f"/backoffice/scrutiny/panel/{sample.id}/{key}", graded))
    fcr = _client(app, force["fcr"])
    registrar_csv = f"/backoffice/scrutiny/samples/{sample.id}/results.csv"
    panel_csv = f"/backoffice/scrutiny/panel/{sample.id}/results.csv"
    assert registrar_csv in fcr.get(f"/backoffice/scrutiny/samples/{sample.id}").links("results.csv")
    assert panel_csv in panel.get(f"/backoffice/scrutiny/panel/{sample.id}").links("results.csv")

    rows = _csv(fcr.get(registrar_csv))
    assert rows[0] == ["Table", "Grade or criterion", "Finding", "Cases"]
    assert rows[1:3] == [["Sample", "Cases drawn", "", "3"], ["Sample", "Cases graded", "", "3"]]
    assert [row[3] for row in rows if row[0] == "Cases by grade"] == ["1", "1", "1", "0"]
    views = {row[2]: row[3] for row in rows if row[1] == "The victim’s views were sought and recorded"}
    assert views == {"Met": "2", "Not met": "1", "Cannot tell": "0"}
    approval = {row[2]: row[3] for row in rows if row[1] == "A sergeant approved the disposal"}
    assert approval == {"Met": "3", "Not met": "0", "Cannot tell": "0"}
    # The panel gets the same figures; nothing of a case is in either file.
    assert _csv(panel.get(panel_csv)) == rows
    text = fcr.get(registrar_csv).text
    for crime in crimes:
        assert crime.reference not in text
    for secret in ["Victim Person", "Constable Amy Ellis", "Sergeant Bob Price", *keys]:
        assert secret not in text
    # Each download is audited; each side reaches only its own route.
    assert db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "scrutiny.results_export", AuditEvent.actor_id == force["panel"].id
        )
    )
    assert panel.get(registrar_csv).status == 403
    assert fcr.get(panel_csv).status == 403
    assert fcr.get("/backoffice/scrutiny/samples/9999/results.csv").status == 404

    # A label a spreadsheet would read as a formula is kept as text.
    monkeypatch.setitem(GRADES, 1, "=HYPERLINK(1)")
    assert ["Cases by grade", "'=HYPERLINK(1)", "", "1"] in _csv(fcr.get(registrar_csv))


def test_the_sample_pages_cost_the_same_queries_whatever_the_sample_size(app, force):
    _disposals(force, 12)
    small = factories.scrutiny_sample(force["fcr"], 2, seed=1)
    large = factories.scrutiny_sample(force["fcr"], 12, seed=2)
    for sample in (small, large):
        for key in db.session.scalars(
            select(ScrutinyCase.case_key).where(ScrutinyCase.sample_id == sample.id)
        ):
            _client(app, force["panel"]).post(f"/backoffice/scrutiny/panel/{sample.id}/{key}", _grade())
    panel, fcr = _client(app, force["panel"]), _client(app, force["fcr"])
    counts = {}
    for sample in (small, large):
        for who, path in (
            (panel, f"/backoffice/scrutiny/panel/{sample.id}"),
            (fcr, f"/backoffice/scrutiny/samples/{sample.id}"),
        ):
            with count_queries(app) as counted:
                assert who.get(path).status == 200
            counts[(path.split("/")[3], sample.size)] = counted["n"]
    assert counts[("panel", 2)] == counts[("panel", 12)]
    assert counts[("samples", 2)] == counts[("samples", 12)]
