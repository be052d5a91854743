"""Crime data integrity audits: the Force Crime Registrar plans an audit of a period,
the sample is drawn once, in SQL, from the seed, and kept; the registrar and the crime
data auditors judge each record against the checklist for its kind, each judgement
kept as history that a later one supersedes."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, CdiAudit, CdiAuditRecord, CdiAuditStratum, CdiJudgement, Crime, Incident
from shared.models.append_only import AppendOnlyError
from shared.services import cdi_audits
from tests import factories
from tests.pages import PageClient
from tests.queries import count_queries
from tests.signed_in import sign_in_as

NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture
def force(ctx, time_machine):
    time_machine.move_to(NOW, tick=False)
    team = factories.team("Response West")
    return {
        "team": team,
        "officer": factories.staff(team, roles=("officer",), name="Constable Ann Lee"),
        "fcr": factories.staff(roles=("fcr",), name="Registrar Carol Dunn"),
        "auditor": factories.staff(roles=("auditor",), name="Auditor Dan Moss"),
    }


def _client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _incident(team, group: str | None, route: str = "control_room", days_ago: int = 10, n100=False):
    incident = Incident(
        reference=f"INC/2026/{next(_numbers):06d}",
        received_at=NOW - timedelta(days=days_ago),
        route=route,
        disclosed_crime=group is not None,
        offence_group=group,
        team=team,
        n100=n100,
    )
    db.session.add(incident)
    db.session.commit()
    return incident


def _incidents(team, group: str, count: int, **kwargs) -> list[Incident]:
    return [_incident(team, group, **kwargs) for _ in range(count)]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _boxes(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _plan(sizes: dict[str, str], seed: str = "2026", title: str = "Summer audit") -> dict:
    form = {"title": title, "period_start": _boxes(date(2026, 6, 1)), "period_end": _boxes(date(2026, 7, 14))}
    form |= {f"size_{stratum}": size for stratum, size in sizes.items()}
    return form | {"seed": seed}


def test_the_frame_takes_auditable_routes_and_the_strata_of_section_6(app, force):
    team = force["team"]
    violence = _incident(team, "violence")
    robbery = _incident(team, "robbery", route="online")
    _incident(team, "violence", route="front_counter")  # not an auditable route
    _incident(team, "theft")  # no stratum
    _incident(team, "violence", days_ago=60)  # before the period
    n100 = _incident(team, "sexual", n100=True)
    rape_recorded = _incident(team, "sexual", route="recording_centre")
    crime = factories.crime(force["officer"], offence="rape")
    crime.incident_id = rape_recorded.id
    db.session.commit()
    frame = db.session.execute(cdi_audits.frame(date(2026, 6, 1), date(2026, 7, 14))).all()
    assert sorted((row.stratum, row.id) for row in frame) == sorted(
        [("violence", violence.id), ("robbery", robbery.id), ("rape", n100.id), ("rape", rape_recorded.id)]
    )


def test_the_registrar_draws_an_audit_that_is_kept_and_reproducible(app, force):
    _incidents(force["team"], "violence", 8)
    _incidents(force["team"], "robbery", 5)
    client = _client(app, force["fcr"])
    page = client.post("/backoffice/audits/new", _plan({"violence": "4", "robbery": "2"}))
    assert page.status == 302
    audit = db.session.scalars(select(CdiAudit)).one()
    assert (audit.seed, audit.drawn_by_id, audit.drawn_at) == (2026, force["fcr"].id, NOW)
    strata = {row.stratum: (row.size, row.frame_size) for row in db.session.scalars(select(CdiAuditStratum))}
    assert strata == {"violence": (4, 8), "robbery": (2, 5)}
    records = db.session.scalars(select(CdiAuditRecord).order_by(CdiAuditRecord.position)).all()
    assert [r.stratum for r in records] == ["violence"] * 4 + ["robbery"] * 2
    assert [r.position for r in records] == [1, 2, 3, 4, 5, 6]
    assert {r.kind for r in records} == {"incident"}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cdi_audit.drawn")).one()
    assert (event.record_id, event.actor_id) == (str(audit.id), force["fcr"].id)
    # The same seed draws the same records from the same frame.
    again = cdi_audits.sampling.draw(
        cdi_audits.frame(audit.period_start, audit.period_end), {"violence": 4}, 2026
    )
    assert again.chosen["violence"] == [r.record_id for r in records if r.stratum == "violence"]
    shown = client.get(f"/backoffice/audits/{audit.id}").main_text
    assert "0 of 4 judged, from 8 in the frame" in shown
    assert "Unchanged since the draw" in shown
    assert "Summer audit" in client.get("/backoffice/audits").main_text


@pytest.mark.parametrize(
    ("sizes", "seed", "message"),
    [
        (
            {"violence": "7"},
            "5",
            "The number of records to draw must be no more than the 6 records in the frame",
        ),
        ({"violence": "0"}, "5", "The number of records to draw must be 1 or more"),
        ({"violence": "-1"}, "5", "The number of records to draw must be 1 or more"),
        ({"violence": "many"}, "5", "The number of records must be a whole number"),
        (
            {"robbery": "1"},
            "5",
            "The number of records to draw must be no more than the 0 records in the frame",
        ),
        ({}, "5", "Give the number of records to draw"),
        ({"violence": "2"}, "-3", "The seed must be a whole number from 0 to 2147483646"),
        ({"violence": "2"}, "", "Enter the seed"),
    ],
)
def test_impossible_audits_are_refused_and_nothing_is_saved(app, force, sizes, seed, message):
    _incidents(force["team"], "violence", 6)
    page = _client(app, force["fcr"]).post("/backoffice/audits/new", _plan(sizes, seed))
    assert page.status == 400
    assert message in page.error_summary
    assert _count(CdiAudit) == _count(CdiAuditRecord) == _count(CdiAuditStratum) == 0


def test_a_seed_reused_for_the_period_is_refused_saying_whether_the_frame_changed(app, force):
    _incidents(force["team"], "violence", 6)
    client = _client(app, force["fcr"])
    assert client.post("/backoffice/audits/new", _plan({"violence": "3"})).status == 302
    audit = db.session.scalars(select(CdiAudit)).one()
    _incident(force["team"], "robbery")  # another stratum: this audit's frame is unchanged
    assert "Unchanged since the draw" in client.get(f"/backoffice/audits/{audit.id}").main_text
    same = client.post("/backoffice/audits/new", _plan({"violence": "3"}))
    assert same.status == 400
    assert f"Audit {audit.id} already holds the records this seed draws for this period" in same.error_summary
    _incident(force["team"], "violence")
    changed = client.post("/backoffice/audits/new", _plan({"violence": "3"}))
    assert changed.status == 400
    assert "have changed since" in " ".join(changed.error_summary)
    assert _count(CdiAudit) == 1 and _count(CdiAuditRecord) == 3
    assert "have changed since the draw" in client.get(f"/backoffice/audits/{audit.id}").main_text


def test_the_sample_size_helper_gives_n_for_the_margin(app, force):
    _incidents(force["team"], "violence", 50)
    client = _client(app, force["fcr"])
    assert "For ±3 points at an expected 90%: n = 385" in client.get("/backoffice/audits/new").main_text
    page = client.post(
        "/backoffice/audits/new", _plan({}) | {"expected_rate": "90", "margin": "3", "calculate": "1"}
    )
    assert page.status == 200
    assert "For ±3 points at an expected 90%: n = 385" in page.main_text
    # With the finite-population correction, a frame of 50: 384.15 / (1 + 383.15 / 50) = 44.3 → 45.
    assert "Violence, including harassment, stalking and controlling behaviour 50 45" in page.main_text
    assert _count(CdiAudit) == 0


def _answers(stratum_questions, answer="yes") -> dict:
    return dict.fromkeys(stratum_questions, answer)


def test_an_auditor_judges_a_record_and_a_later_judgement_supersedes_it(app, force):
    _incidents(force["team"], "violence", 3)
    cdi_audits.create_audit("Audit", date(2026, 6, 1), date(2026, 7, 14), {"violence": 2}, 7, force["fcr"])
    audit = db.session.scalars(select(CdiAudit)).one()
    auditor = _client(app, force["auditor"])
    path = f"/backoffice/audits/{audit.id}/records/1"
    page = auditor.get(path)
    assert "A crime should have been recorded" in page.main_text
    assert "The victim was told, with an explanation" not in page.main_text
    questions = cdi_audits.checklist("violence")
    first = _answers(questions) | {
        "within_24_hours": "no",
        "compliant": "no",
        "note": "Recorded after 3 days",
    }
    assert auditor.post(path, first).status == 302
    second = _answers(questions) | {
        "n100_resolved": "not_applicable",
        "compliant": "yes",
        "note": "Log shows 2h",
    }
    fcr = _client(app, force["fcr"])
    fcr_path = path
    fcr.get(fcr_path)
    assert fcr.post(fcr_path, second).status == 302
    judgements = db.session.scalars(select(CdiJudgement).order_by(CdiJudgement.id)).all()
    assert [(j.compliant, j.by_id, j.at) for j in judgements] == [
        (False, force["auditor"].id, NOW),
        (True, force["fcr"].id, NOW),
    ]
    assert judgements[0].answers["within_24_hours"] == "no"
    assert judgements[1].answers["n100_resolved"] == "not_applicable"
    shown = auditor.get(path).main_text
    assert "Log shows 2h" in shown and "Recorded after 3 days" in shown and "(superseded)" in shown
    assert "1 of 2 judged" in auditor.get(f"/backoffice/audits/{audit.id}").main_text
    judgements[0].note = "changed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"within_24_hours": ""}, "Answer yes, no or not applicable"),
        ({"within_24_hours": "maybe"}, "Answer yes, no or not applicable"),
        ({"compliant": ""}, "Say whether the record is compliant"),
        ({"note": "  "}, "Enter a note saying why"),
        ({"note": "x" * 2001}, "The note must be 2000 characters or fewer"),
    ],
)
def test_an_incomplete_judgement_is_refused_and_nothing_saved(app, force, change, field_message):
    _incidents(force["team"], "violence", 2)
    audit = cdi_audits.create_audit(
        "Audit", date(2026, 6, 1), date(2026, 7, 14), {"violence": 1}, 7, force["fcr"]
    )
    form = _answers(cdi_audits.checklist("violence")) | {"compliant": "yes", "note": "Fine"} | change
    page = _client(app, force["auditor"]).post(f"/backoffice/audits/{audit.id}/records/1", form)
    assert page.status == 400
    assert field_message in page.error_summary
    assert _count(CdiJudgement) == 0


def test_a_judgement_on_a_record_outside_the_sample_is_refused(app, force):
    _incidents(force["team"], "violence", 3)
    audit = cdi_audits.create_audit(
        "Audit", date(2026, 6, 1), date(2026, 7, 14), {"violence": 1}, 7, force["fcr"]
    )
    client = _client(app, force["auditor"])
    token = client.get(f"/backoffice/audits/{audit.id}/records/1").csrf()
    form = _answers(cdi_audits.checklist("violence")) | {
        "compliant": "yes",
        "note": "Fine",
        "csrf_token": token,
    }
    assert client.post(f"/backoffice/audits/{audit.id}/records/2", form).status == 404
    assert client.post(f"/backoffice/audits/{audit.id + 1}/records/1", form).status == 404
    assert _count(CdiJudgement) == 0


def test_a_cancelled_crime_is_judged_against_the_cancellation_checklist(app, force):
    crime = factories.crime(force["officer"])
    crime.cancellation_reason = "C4"
    crime.cancelled_at = NOW - timedelta(days=5)
    crime.cancelled_by_role = "ddm"
    crime.cancellation_rule = "standard:C4=ddm+fcr"
    crime.cancellation_note = "Recorded twice by mistake"
    db.session.commit()
    audit = cdi_audits.create_audit(
        "Audit", date(2026, 6, 1), date(2026, 7, 14), {"cancelled": 1}, 3, force["fcr"]
    )
    record = db.session.scalars(select(CdiAuditRecord)).one()
    assert (record.kind, record.record_id) == ("crime", crime.id)
    page = _client(app, force["auditor"]).get(f"/backoffice/audits/{audit.id}/records/1")
    assert "standard:C4=ddm+fcr" in page.main_text
    assert "The victim was told, with an explanation" in page.main_text
    assert "A crime should have been recorded" not in page.main_text
    assert db.session.get(Crime, crime.id).reference in page.main_text


def test_the_audit_page_costs_the_same_queries_whatever_the_sample_size(app, force):
    _incidents(force["team"], "violence", 30)
    small = cdi_audits.create_audit(
        "Small", date(2026, 6, 1), date(2026, 7, 14), {"violence": 2}, 1, force["fcr"]
    )
    large = cdi_audits.create_audit(
        "Large", date(2026, 6, 1), date(2026, 7, 14), {"violence": 25}, 2, force["fcr"]
    )
    for position in (1, 2):
        for audit in (small, large):
            record = cdi_audits.record_at(audit, position)
            cdi_audits.judge(
                record, _answers(cdi_audits.checklist("violence")), "yes", "Fine", force["auditor"]
            )
    client = _client(app, force["auditor"])
    counts = []
    for audit in (small, large):
        client.get(f"/backoffice/audits/{audit.id}")
        with count_queries(app) as counter:
            assert client.get(f"/backoffice/audits/{audit.id}").status == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1]


def test_an_out_of_court_disposal_is_judged_against_the_scrutiny_criteria(app, force):
    sergeant = factories.staff(force["team"], roles=("supervisor",), name="Sergeant Bob Price")
    factories.out_of_court_disposal(force["officer"], sergeant)
    audit = cdi_audits.create_audit(
        "Audit", date(2026, 6, 1), date(2026, 7, 15), {"out_of_court": 1}, 3, force["fcr"]
    )
    assert db.session.scalars(select(CdiAuditRecord.kind)).one() == "crime"
    client = _client(app, force["auditor"])
    path = f"/backoffice/audits/{audit.id}/records/1"
    page = client.get(path).main_text
    assert "She wants an apology and no court case" in page
    assert "No previous cautions or convictions" in page and "Sergeant Bob Price" in page
    assert "A sergeant approved the disposal" in page
    answers = _answers(cdi_audits.checklist("out_of_court")) | {"compliant": "yes", "note": "Views recorded"}
    assert client.post(path, answers).status == 302
    assert db.session.scalars(select(CdiJudgement.answers)).one()["sergeant_approval"] == "yes"
