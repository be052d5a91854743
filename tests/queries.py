"""Counting the SQL a piece of work issues, for the tests that prove a page or a list
costs the same whatever the amount of data."""

from contextlib import contextmanager

from sqlalchemy import event

from shared.extensions import db


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
