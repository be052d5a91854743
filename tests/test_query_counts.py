"""Pages issue the same number of SQL queries whatever the amount of data."""

from contextlib import contextmanager

from sqlalchemy import event

from shared.extensions import db
from tests import factories


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


def _queries_for(app, client, path):
    client.get(path)  # warm: first-request work is not what is measured
    with count_queries(app) as counter:
        assert client.get(path).status == 200
    return counter["n"]


def test_victims_case_page_queries_do_not_grow_with_updates(app, victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    for i in range(5):
        factories.update(crime, officer, text=f"Update {i}", note="note" if i % 2 else None)
    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    small = _queries_for(app, victim_client, f"/cases/{link.public_id}")

    for i in range(495):
        factories.update(crime, officer, text=f"More {i}", note="note" if i % 2 else None)
    large = _queries_for(app, victim_client, f"/cases/{link.public_id}")
    assert small == large, (small, large)


def test_officers_case_list_and_crime_page_queries_do_not_grow(app, client, ctx):
    officer = factories.staff()
    first = factories.crime(officer)
    for _ in range(4):
        factories.crime(officer)
    for _ in range(3):
        factories.victim(first, officer)
    client.staff_sign_in(officer.email, factories.PASSWORD)
    small_list = _queries_for(app, client, "/backoffice/cases")
    small_crime = _queries_for(app, client, f"/backoffice/crimes/{first.id}")

    for _ in range(495):
        factories.crime(officer)
    for i in range(200):
        factories.update(first, officer, text=f"More {i}", note="n")
    for _ in range(20):
        factories.victim(first, officer)
    assert _queries_for(app, client, "/backoffice/cases") == small_list
    assert _queries_for(app, client, "/backoffice/cases?page=7") == small_list
    assert _queries_for(app, client, f"/backoffice/crimes/{first.id}") == small_crime
