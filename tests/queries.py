"""Counting the SQL a piece of work issues, for the tests that prove a page or a list
costs the same whatever the amount of data, and the details of a victim already known,
for the tests that link one person to many crimes."""

from contextlib import contextmanager

from sqlalchemy import event

from shared.extensions import db
from shared.services import victims


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


def same_person(victim) -> victims.VictimDetails:
    """The details that link `victim`, as already recorded, to another crime."""
    return victims.VictimDetails(
        name=victim.name,
        date_of_birth=victim.date_of_birth,
        email=victim.email,
        phone=None,
        preferred_language="en",
        contact_channel="email",
        interpreter_language=None,
        communication_needs=None,
    )
