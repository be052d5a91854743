"""One owner of each transaction: a service commits its unit of work or rolls it back and
re-raises, so whoever called it, a view, the API, a command, never cleans up after it. A
service that calls another commits once, at the outermost level."""

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shared.extensions import db
from shared.models import Team
from shared.services.errors import ServiceError
from shared.services.unit_of_work import CommitInsideUnit, InnerUnitFailed, transactional, unit_of_work


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
