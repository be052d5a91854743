"""How a request's transaction ends when the view leaves it open: a transaction that only
read is committed (so PostgreSQL keeps the connection's prepared statements); anything
that wrote, failed or raised is rolled back, so nothing half-done is kept."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from shared.extensions import db
from shared.models import Team
from tests import factories


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


def _teams(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(sa.select(Team.name).order_by(Team.name)))
        db.session.rollback()
    return names


def test_a_request_that_only_read_ends_with_a_commit(app, endings):
    with app.test_request_context("/"):
        db.session.scalars(sa.select(Team)).all()
    assert endings == ["commit"]


def test_a_victims_case_page_ends_its_reads_with_a_commit(app, endings, victim_client, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    db.session.remove()
    endings.clear()
    assert victim_client.get(f"/cases/{link.public_id}").status == 200
    assert endings == ["commit"]


def test_a_write_left_uncommitted_is_rolled_back(app, endings):
    with app.test_request_context("/"):
        db.session.add(Team(name="Flushed, never committed"))
        db.session.flush()
    assert endings == ["rollback"]
    assert _teams(app) == []


def test_a_pending_change_is_rolled_back_not_flushed(app, endings):
    with app.test_request_context("/"):
        db.session.scalars(sa.select(Team)).all()
        db.session.add(Team(name="Added, never flushed"))
    assert endings == ["rollback"]
    assert _teams(app) == []


def test_a_statement_that_writes_without_the_orm_is_rolled_back(app, endings):
    with app.app_context():
        db.session.add(Team(name="Kept"))
        db.session.commit()
    endings.clear()
    with app.test_request_context("/"):
        db.session.execute(sa.update(Team).values(name="Changed, never committed"))
    assert endings == ["rollback"]
    assert _teams(app) == ["Kept"]


def test_a_read_after_a_commit_ends_with_a_commit(app, endings):
    with app.test_request_context("/"):
        db.session.add(Team(name="Committed"))
        db.session.commit()
        db.session.scalars(sa.select(Team)).all()
    assert endings == ["commit", "commit"]
    assert _teams(app) == ["Committed"]


def test_an_error_in_the_request_rolls_back(app, endings):
    with pytest.raises(RuntimeError), app.test_request_context("/"):
        db.session.scalars(sa.select(Team)).all()
        raise RuntimeError("the view failed")
    assert endings == ["rollback"]


def test_a_failed_statement_is_rolled_back_quietly(app, endings):
    with app.test_request_context("/"):
        with pytest.raises(DBAPIError):
            db.session.execute(sa.text("SELECT * FROM no_such_table"))
    assert "commit" not in endings
