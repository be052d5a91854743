"""One owner of each transaction: a service commits its unit of work or rolls it back and
re-raises, so whoever called it, a view, the API, a command, never cleans up after it. A
service that calls another commits once, at the outermost level."""

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared.extensions import db
from shared.models import AuditEvent, Crime, CrimeVictim, Team, Victim
from shared.services import entitlements, records
from shared.services.errors import ServiceError
from shared.services.records_input import CrimeIn, VictimIn
from shared.services.unit_of_work import CommitInsideUnit, InnerUnitFailed, transactional, unit_of_work
from tests import factories
from tests.api_helpers import crime_body, register, victim_body


@pytest.fixture
def endings(app):
    """How each transaction on the app's engine ended, in order."""
    seen = []

    def committed(conn):
        seen.append("commit")

    def rolled_back(conn):
        seen.append("rollback")

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "commit", committed)
    sa.event.listen(engine, "rollback", rolled_back)
    yield seen
    sa.event.remove(engine, "commit", committed)
    sa.event.remove(engine, "rollback", rolled_back)


def _teams() -> list[str]:
    return list(db.session.scalars(select(Team.name).order_by(Team.name)))


def _count(column, *where) -> int:
    return db.session.scalar(select(func.count(column)).where(*where))


@transactional
def _add_teams_then_refuse(*names: str) -> None:
    """A service refused part-way: its rows are written (flushed), then a rule says no."""
    db.session.add_all(Team(name=name) for name in names)
    db.session.flush()
    raise ServiceError("Refused after writing")


@transactional
def _add_team(name: str) -> Team:
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    return team


@transactional
def _add_teams(*names: str) -> None:
    for name in names:
        _add_team(name)


def test_a_service_refused_part_way_keeps_nothing_and_the_caller_rolls_nothing_back(app, ctx, endings):
    with pytest.raises(ServiceError):
        _add_teams_then_refuse("North", "South")
    assert endings == ["rollback"]
    # No rollback here: the next query runs, and finds nothing of what was written.
    assert _teams() == []


def test_a_failed_write_leaves_the_session_usable_without_a_rollback_by_the_caller(app, ctx):
    with pytest.raises(IntegrityError):
        _add_teams("Twice", "Twice")
    # Without the service's own rollback this query would raise PendingRollbackError.
    assert _teams() == []
    _add_team("Once")
    assert _teams() == ["Once"]


def test_units_inside_a_unit_commit_once_at_the_outermost(app, ctx, endings):
    _add_teams("East", "West")
    assert endings == ["commit"]
    db.session.remove()
    assert _teams() == ["East", "West"]


def test_a_pushed_charge_is_recorded_and_charged_by_two_services_and_committed_once(app, ctx, endings):
    client, _secret = register()
    officer = factories.staff()
    endings.clear()
    written = records.upsert_crime(
        CrimeIn.model_validate(crime_body("NX-4001", officer.collar_number, outcome=1, stage=None)), client
    )
    assert written.result == "created"
    assert endings == ["commit"]
    db.session.remove()
    crime = db.session.scalar(select(Crime).where(Crime.reference == "NX-4001"))
    assert (crime.outcome, crime.stage) == (1, "charged")
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.record_type == "crime", AuditEvent.record_id == str(crime.id))
        .order_by(AuditEvent.id)
    )
    assert list(actions) == ["crime.record", "crime.outcome"]


def test_a_push_refused_after_the_victim_was_added_keeps_nothing(app, ctx, endings, monkeypatch):
    client, _secret = register()
    officer = factories.staff()
    crime = factories.crime(officer)

    def refuse(*_args):
        raise records.Conflict("The contact plan cannot be agreed")

    monkeypatch.setattr(records, "_apply_code", refuse)
    endings.clear()
    with pytest.raises(records.Conflict):
        records.upsert_victim(crime, VictimIn.model_validate(victim_body("R9")), client)
    # The victim, their link to the crime, what the Code owes them and the audit event
    # were written before the refusal; none was committed, and all were rolled back.
    assert endings == ["rollback"]
    assert (
        _count(Victim.id),
        _count(CrimeVictim.id),
        _count(AuditEvent.id, AuditEvent.action == "victim.add"),
    ) == (0, 0, 0)


def test_an_outer_unit_that_carries_on_after_an_inner_one_failed_keeps_nothing(app, ctx):
    with pytest.raises(InnerUnitFailed), unit_of_work():
        _add_team("Before")
        with pytest.raises(ServiceError):
            _add_teams_then_refuse("Half")
    assert _teams() == []


def test_a_commit_inside_a_unit_is_refused_and_nothing_is_kept(app, ctx):
    with pytest.raises(CommitInsideUnit), unit_of_work():
        _add_team("Committed too early")
        db.session.commit()
    assert _teams() == []


def test_an_officer_whose_victim_is_refused_part_way_sees_why_and_the_next_try_works(
    app, client, ctx, monkeypatch
):
    officer = factories.staff()
    crime = factories.crime(officer)
    client.staff_sign_in(officer.email, factories.PASSWORD)
    url = f"/backoffice/crimes/{crime.id}/victims/new"
    form = {
        "name": "Ann Lee",
        "email": "ann@example.com",
        "preferred_language": "en",
        "contact_channel": "email",
    }
    real = entitlements.start_for_victim

    def refuse(link, by):
        # The victim and their link to the crime are written by now.
        assert db.session.get(CrimeVictim, link.id) is not None
        raise ServiceError("The Victims' Code could not be started for this victim")

    monkeypatch.setattr(entitlements, "start_for_victim", refuse)
    page = client.post(url, form)
    assert page.status == 400
    assert page.error_summary == ["The Victims' Code could not be started for this victim"]
    assert (_count(Victim.id), _count(CrimeVictim.id)) == (0, 0)

    monkeypatch.setattr(entitlements, "start_for_victim", real)
    page = client.post(url, form)
    assert page.status == 302
    assert page.response.headers["Location"] == f"/backoffice/crimes/{crime.id}"
    assert (_count(Victim.id), _count(CrimeVictim.id)) == (1, 1)
    assert _count(AuditEvent.id, AuditEvent.action == "victim.add") == 1
