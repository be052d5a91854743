"""The state of the outbox as the people who run the service watch it (the metrics):
how many notifications wait and for how long the oldest has, how many finally failed or
were withheld, and how often the providers failed. Counted in SQL, in two queries,
whatever the size of the outbox."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, select

from shared.extensions import db
from shared.models import OutboxAttempt, OutboxMessage


@dataclass(frozen=True)
class Backlog:
    waiting: int
    # When the oldest notification still waiting was written, if one waits.
    oldest_waiting: datetime | None
    # Finally failed and not yet dealt with by an officer: each is a victim not told.
    failed: int
    withheld: int
    # Attempts the provider refused or failed, by outcome: `retry` (a temporary
    # failure) or `failed` (permanent, or the last of the tries).
    provider_errors: dict[str, int]


def _count(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).select_from(OutboxMessage).where(*conditions).scalar_subquery()


def backlog() -> Backlog:
    waiting, oldest, failed, withheld = db.session.execute(
        select(
            _count(OutboxMessage.status == "pending"),
            select(func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status == "pending")
            .scalar_subquery(),
            _count(OutboxMessage.status == "failed", OutboxMessage.dealt_with_at.is_(None)),
            _count(OutboxMessage.status == "withheld"),
        )
    ).one()
    errors = db.session.execute(
        select(OutboxAttempt.outcome, func.count())
        .where(OutboxAttempt.detail.is_not(None))
        .group_by(OutboxAttempt.outcome)
    )
    return Backlog(
        waiting=waiting,
        oldest_waiting=oldest,
        failed=failed,
        withheld=withheld,
        provider_errors={"retry": 0, "failed": 0} | dict(errors.all()),
    )
