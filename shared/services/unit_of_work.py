"""The unit of work: one owner for each transaction that writes.

A service function that changes anything is a unit of work (`@transactional`): it
commits when it returns, and when anything goes wrong it rolls back and re-raises. So a
refusal raised half-way, a ServiceError after some rows were added, never leaves those
rows in the session for the next query to trip over or for someone else's commit to
keep, and no view, blueprint, command or worker ever cleans up after a service: they
call it and show its answer.

A unit used inside another (a service that calls another service, the records-system
API's answer around the upsert it runs) joins the outer one: only the outermost commits,
once, so that what one call asked for is kept whole or not at all. An inner unit that
fails fails the whole; an outer one that caught the error and carried on would commit
half a change, so its commit is refused and everything rolled back.

Only the outermost unit may end the transaction: a commit from inside one is refused
(SQLAlchemy's `before_commit`), so a service that still commits for itself cannot split
its caller's work in two unnoticed.

The web layer's teardown (shared.web.transactions) still ends a request's reads; it
never finds a write left open by a service.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from shared.extensions import db

P = ParamSpec("P")
T = TypeVar("T")

# Kept in the session's `info`: the transaction belongs to the session, and a session
# lives for one request, command or worker batch.
_DEPTH = "unit_of_work_depth"
_FAILED = "unit_of_work_inner_failed"
# What must be written although the unit is rolled back (`on_rollback`).
_ON_ROLLBACK = "unit_of_work_on_rollback"

logger = logging.getLogger("trackmycrime.unit_of_work")


class InnerUnitFailed(RuntimeError):
    """A unit inside this one raised, and the error was caught and not raised again:
    committing now would keep part of a change."""


class CommitInsideUnit(RuntimeError):
    """Something committed while a unit of work was open: only the outermost unit
    commits."""


def inside_unit_of_work() -> bool:
    """Whether a unit of work is open on the current session."""
    return db.session.info.get(_DEPTH, 0) > 0


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One unit of work: commits when the block ends, rolls back and re-raises when it
    raises. Inside another unit it joins it, and the outermost commits."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
    except BaseException:
        session.info[_DEPTH] = depth
        if depth:
            session.info[_FAILED] = True
        else:
            _roll_back(session)
        raise
    session.info[_DEPTH] = depth
    if depth:
        return
    try:
        if session.info.get(_FAILED):
            raise InnerUnitFailed("a unit of work inside this one failed; nothing was kept")
        session.commit()
        session.info.pop(_ON_ROLLBACK, None)
    except BaseException:
        _roll_back(session)
        raise


def transactional(service: Callable[P, T]) -> Callable[P, T]:
    """Make the service function one unit of work (see `unit_of_work`)."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with unit_of_work():
            return service(*args, **kwargs)

    return run


def on_rollback(work: Callable[[], object]) -> None:
    """Have `work` done, in a unit of its own, once the outermost unit open now has been
    rolled back: what a refusal must leave behind (its audit event) although everything
    the refused call did is undone. Forgotten when the unit commits."""
    db.session.info.setdefault(_ON_ROLLBACK, []).append(work)


def _roll_back(session: Session) -> None:
    session.info.pop(_FAILED, None)
    session.rollback()
    for work in session.info.pop(_ON_ROLLBACK, []):
        try:
            with unit_of_work():
                work()
        except Exception:
            # The error being raised is the one the caller must see.
            logger.exception("Could not keep what a refused change must leave behind")


@event.listens_for(Session, "before_commit")
def _refuse_commit_inside_a_unit(session: Session) -> None:
    if session.info.get(_DEPTH, 0):
        raise CommitInsideUnit("only the outermost unit of work commits")
