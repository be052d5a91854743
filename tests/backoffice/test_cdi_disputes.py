"""Disputes of crime data integrity audit findings and the Force Crime Registrar's final
ruling (victims-code.md section 6: the FCR is the final arbiter; no operational manager
can overrule an audit finding)."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, CdiDispute, CdiJudgement, CdiPutRight, Incident
from shared.models.append_only import AppendOnlyError
from shared.services import cdi_audits, cdi_findings, cdi_rulings
from shared.services.errors import Conflict, NotPermitted
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture
def force(ctx, time_machine):
    """An audit of two incidents of Response West: the first failed by the auditor, the
    second passed. The constable decided not to record a crime from each."""
    time_machine.move_to(NOW, tick=False)
    team = factories.team("Response West")
    officer = factories.staff(team, roles=("officer",), name="Constable Ann Lee")
    world = {
        "team": team,
        "officer": officer,
        "colleague": factories.staff(team, roles=("officer",), name="Constable Bea Hall"),
        "supervisor": factories.staff(team, roles=("supervisor",), name="Sergeant Cal Fry"),
        "other_supervisor": factories.staff(roles=("supervisor",), name="Sergeant Dee Ray"),
        "fcr": factories.staff(roles=("fcr",), name="Registrar Carol Dunn"),
        "auditor": factories.staff(roles=("auditor",), name="Auditor Dan Moss"),
        "admin": factories.staff(roles=("admin",), name="Admin Eve Park"),
        "ddm": factories.staff(roles=("ddm",), name="Inspector Fay Gold"),
    }
    for _ in range(2):
        db.session.add(
            Incident(
                reference=f"INC/2026/{next(_numbers):06d}",
                received_at=NOW - timedelta(days=10),
                route="control_room",
                disclosed_crime=True,
                offence_group="violence",
                team=team,
                not_recorded_reason="no_crime",
                not_recorded_note="Words only",
                not_recorded_at=NOW - timedelta(days=10),
                not_recorded_by_id=officer.id,
            )
        )
    db.session.commit()
    audit = cdi_audits.create_audit(
        "Summer audit", date(2026, 6, 1), date(2026, 7, 14), {"violence": 2}, 7, world["fcr"]
    )
    failed, passed = cdi_audits.record_at(audit, 1), cdi_audits.record_at(audit, 2)
    questions = cdi_audits.checklist("violence")
    cdi_audits.judge(
        failed,
        dict.fromkeys(questions, "yes") | {"should_record": "no"},
        "no",
        "The caller described an assault",
        world["auditor"],
    )
    cdi_audits.judge(passed, dict.fromkeys(questions, "yes"), "yes", "Right decision", world["auditor"])
    references = [db.session.get(Incident, record.record_id).reference for record in (failed, passed)]
    return world | {"audit": audit, "failed": failed, "passed": passed, "references": references}


def _client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _path(force, position: int = 1, tail: str = "") -> str:
    return f"/backoffice/audits/{force['audit'].id}/records/{position}{tail}"


def _judgement(compliant: str = "yes", note: str = "Looked again") -> dict:
    return dict.fromkeys(cdi_audits.checklist("violence"), "yes") | {"compliant": compliant, "note": note}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_officer_sees_what_failed_and_what_to_put_right(app, force):
    client = _client(app, force["officer"])
    listing = client.get("/backoffice/findings")
    assert listing.h1 == "Audit findings for you and your team"
    failed, passed = force["references"]
    assert failed in listing.main_text and passed not in listing.main_text
    page = client.get(_path(force, tail="/finding"))
    assert page.status == 200
    text = page.main_text
    assert "A crime should have been recorded" in text
    assert "Record the crime, or write down the credible evidence that no crime occurred" in text
    assert "The caller described an assault" in text
    assert "Outstanding" not in text and "Open" in text
    # The reference is in the page, never in its title or address.
    assert "INC/2026" not in page.title
    assert _actions()[-1] == "cdi_finding"


def test_a_dispute_then_the_registrars_ruling_is_final(app, force):
    officer = _client(app, force["officer"])
    page = officer.post(_path(force, tail="/finding/dispute"), {"reason": "The call log shows no assault"})
    assert page.status == 302
    dispute = db.session.scalars(select(CdiDispute)).one()
    assert (dispute.by_id, dispute.reason, dispute.at) == (
        force["officer"].id,
        "The call log shows no assault",
        NOW,
    )
    assert "cdi_audit.disputed" in _actions()

    # While it waits, nobody but the registrar's ruling changes the judgement.
    for member in ("auditor", "fcr"):
        refused = _client(app, force[member]).post(_path(force), _judgement())
        assert refused.status == 409
        assert "only the Force Crime Registrar’s ruling can change it now" in refused.error_summary[0]
    assert _count(CdiJudgement) == 2

    fcr = _client(app, force["fcr"])
    ruling_page = fcr.get(_path(force, tail="/ruling"))
    assert "The call log shows no assault" in ruling_page.main_text
    assert (
        fcr.post(_path(force, tail="/ruling"), _judgement("yes", "The log bears the officer out")).status
        == 302
    )
    ruling = db.session.scalars(select(CdiJudgement).order_by(CdiJudgement.id.desc())).first()
    assert (ruling.ruling, ruling.compliant, ruling.by_id) == (True, True, force["fcr"].id)
    assert "cdi_audit.ruled" in _actions()
    # The latest judgement of the record is the ruling: the sample and the results read it.
    rows = {
        row.record.position: row.compliant
        for stratum in cdi_audits.sample(force["audit"])
        for row in stratum.rows
    }
    assert rows == {1: True, 2: True}
    shown = fcr.get(_path(force)).main_text
    assert "(the Force Crime Registrar’s ruling, final)" in shown
    assert "nobody can judge the record again" in shown
    # The finding is gone.
    assert force["references"][0] not in officer.get("/backoffice/findings").main_text


@pytest.mark.parametrize("member", ["supervisor", "auditor", "admin", "fcr", "ddm"])
def test_nobody_overrules_the_ruling_and_nothing_changes(app, force, member):
    cdi_rulings.dispute(
        cdi_findings.finding(force["officer"], force["audit"], 1), "The log shows otherwise", force["officer"]
    )
    cdi_rulings.rule(
        force["failed"],
        dict.fromkeys(cdi_audits.checklist("violence"), "yes") | {"should_record": "no"},
        "no",
        "The finding stands",
        force["fcr"],
    )
    judgements = _count(CdiJudgement)
    client = _client(app, force[member])
    token = client.follow(client.get("/backoffice/")).csrf()
    before = db.session.scalar(select(func.max(AuditEvent.id)))
    judged = client.post(_path(force), _judgement() | {"csrf_token": token})
    ruled = client.post(_path(force, tail="/ruling"), _judgement() | {"csrf_token": token})
    disputed = client.post(_path(force, tail="/finding/dispute"), {"reason": "Again", "csrf_token": token})
    # Those who judge are refused by the record's state (409); the others hold no
    # permission to judge or rule at all (403); a second dispute is refused either way.
    expected = 409 if member in ("auditor", "fcr") else 403
    assert judged.status == expected
    assert ruled.status == (409 if member == "fcr" else 403)
    assert disputed.status in (403, 404, 409)
    if member == "supervisor":
        assert disputed.status == 409
        assert "ruled on this record: the ruling is final" in disputed.error_summary[0]
    assert _count(CdiJudgement) == judgements
    assert _count(CdiDispute) == 1
    # Each refusal is in the trail: by the record's state (409) or the permission (403).
    refusals = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.id > before, AuditEvent.action.in_(("change.refused", "access.refused"))
        )
    ).all()
    assert len(refusals) == 3
    with pytest.raises(Conflict):
        cdi_audits.judge(force["failed"], _answers_only(), "yes", "Overruled", force["fcr"])
    db.session.rollback()
    assert _count(CdiJudgement) == judgements


def _answers_only() -> dict:
    return dict.fromkeys(cdi_audits.checklist("violence"), "yes")


@pytest.mark.parametrize("member", ["auditor", "supervisor", "officer", "admin", "ddm"])
def test_only_the_registrar_rules(app, force, member):
    cdi_rulings.dispute(
        cdi_findings.finding(force["officer"], force["audit"], 1), "No assault", force["officer"]
    )
    client = _client(app, force[member])
    token = client.follow(client.get("/backoffice/")).csrf()
    assert client.get(_path(force, tail="/ruling")).status == 403
    assert client.post(_path(force, tail="/ruling"), _judgement() | {"csrf_token": token}).status == 403
    with pytest.raises(NotPermitted):
        cdi_rulings.rule(force["failed"], _answers_only(), "yes", "Mine", force[member])
    db.session.rollback()
    assert _count(CdiJudgement) == 2


def test_a_dispute_is_raised_once_and_never_on_a_passed_record(app, force):
    supervisor = _client(app, force["supervisor"])
    assert supervisor.post(_path(force, tail="/finding/dispute"), {"reason": "No assault"}).status == 302
    officer = _client(app, force["officer"])
    token = officer.follow(officer.get("/backoffice/")).csrf()
    again = officer.post(_path(force, tail="/finding/dispute"), {"reason": "Twice", "csrf_token": token})
    assert again.status == 409
    assert again.error_summary == ["This finding has already been disputed"]
    # The form page says so instead of offering the form again.
    assert officer.get(_path(force, tail="/finding/dispute")).status == 302
    # A passed record is no finding: nothing to dispute.
    assert (
        officer.post(_path(force, 2, "/finding/dispute"), {"reason": "x", "csrf_token": token}).status == 404
    )
    assert _count(CdiDispute) == 1


def test_an_empty_dispute_is_refused_and_nothing_saved(app, force):
    page = _client(app, force["officer"]).post(_path(force, tail="/finding/dispute"), {"reason": "  "})
    assert page.status == 400
    assert page.error_summary == ["Enter why you dispute the finding"]
    assert _count(CdiDispute) == 0


@pytest.mark.parametrize(("member", "status"), [("colleague", 404), ("other_supervisor", 404), ("ddm", 403)])
def test_a_finding_is_seen_only_by_its_officer_their_supervisors_and_the_registrars_team(
    app, force, member, status
):
    """Another officer of the team, another team's supervisor: not found (and the
    refusal recorded as such); a role without the permission: refused."""
    client = _client(app, force[member])
    assert client.get(_path(force, tail="/finding")).status == status
    if status == 404:
        refused = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (refused.action, refused.record_type) == ("read.refused", "cdi_audit")
        assert force["references"][0] not in client.get("/backoffice/findings").main_text
    page = client.post(
        _path(force, tail="/finding/put-right"),
        {"status": "put_right", "comment": "x"},
        csrf_from=_path(force, tail="/finding"),
    )
    assert page.status == status
    assert _count(CdiPutRight) == 0


def test_putting_a_finding_right_is_tracked_and_the_registrar_sees_what_is_outstanding(app, force):
    officer = _client(app, force["officer"])
    path = _path(force, tail="/finding/put-right")
    empty = officer.post(path, {"status": "cannot", "comment": ""})
    assert empty.status == 400 and empty.error_summary == ["Enter why it cannot be put right"]
    wrong = officer.post(path, {"status": "done", "comment": "x"})
    assert wrong.status == 400 and wrong.error_summary == ["Choose the status of putting it right"]
    fcr = _client(app, force["fcr"])
    outstanding = fcr.get(f"/backoffice/audits/{force['audit'].id}/findings").main_text
    assert "Outstanding: 1" in outstanding and "Put right: 0" in outstanding
    assert (
        officer.post(path, {"status": "put_right", "comment": "Crime recorded as common assault"}).status
        == 302
    )
    page = officer.get(_path(force, tail="/finding")).main_text
    assert "Crime recorded as common assault" in page and "Constable Ann Lee" in page
    supervisor = _client(app, force["supervisor"])
    assert supervisor.post(path, {"status": "open", "comment": "Reopened: wrong offence"}).status == 302
    outstanding = fcr.get(f"/backoffice/audits/{force['audit'].id}/findings").main_text
    assert "Outstanding: 1" in outstanding
    assert supervisor.post(path, {"status": "put_right", "comment": "Reclassified"}).status == 302
    outstanding = fcr.get(f"/backoffice/audits/{force['audit'].id}/findings").main_text
    assert "Outstanding: 0" in outstanding and "Put right: 1" in outstanding
    steps = cdi_findings.steps(cdi_findings.finding(force["fcr"], force["audit"], 1))
    assert [(s.status, s.by_id, s.at) for s in steps] == [
        ("put_right", force["supervisor"].id, NOW),
        ("open", force["supervisor"].id, NOW),
        ("put_right", force["officer"].id, NOW),
    ]
    assert _actions().count("cdi_audit.put_right") == 3
    # The registrar's team sees, but puts nothing right themselves.
    auditor = _client(app, force["auditor"])
    assert auditor.get(_path(force, tail="/finding")).status == 200
    assert force["references"][0] in auditor.get("/backoffice/findings").main_text
    token = auditor.follow(auditor.get("/backoffice/")).csrf()
    assert auditor.post(path, {"status": "open", "comment": "x", "csrf_token": token}).status == 403
    # History is never edited.
    steps[0].comment = "changed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_the_registrar_rules_only_on_a_dispute(app, force):
    fcr = _client(app, force["fcr"])
    assert fcr.get(_path(force, tail="/ruling")).status == 302
    page = fcr.post(_path(force, tail="/ruling"), _judgement(), csrf_from=_path(force, tail="/finding"))
    assert page.status == 409
    assert page.error_summary == ["There is no dispute of this record to rule on"]
    assert _count(CdiJudgement) == 2
    assert not db.session.scalar(select(func.count()).where(CdiJudgement.ruling.is_(True)))
