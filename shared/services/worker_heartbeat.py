"""The notification workers' heartbeats: each worker renews its row every time round its
loop (`flask send-notifications`), so that the readiness check, the metrics and
`flask worker-status` can tell whether one is alive."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, func, select, update

from shared.extensions import db
from shared.models import WorkerHeartbeat
from shared.models.types import utcnow
from shared.services.statements import rows_changed
from shared.services.unit_of_work import transactional

# A worker beats before each batch; a batch takes at most OUTBOX_BATCH x
# SEND_TIMEOUT_SECONDS. A worker silent for that long and this margin is taken for dead.
MARGIN = timedelta(seconds=60)
# Rows of workers gone this long are removed when a worker starts (each start is a new
# name), so the table holds the workers of the last week.
FORGET_AFTER = timedelta(days=7)


def alive_within() -> timedelta:
    """How long since its last beat a worker still counts as alive."""
    config = current_app.config
    return timedelta(seconds=config["OUTBOX_BATCH"] * config["SEND_TIMEOUT_SECONDS"]) + MARGIN


@transactional
def beat(worker: str, now: datetime | None = None) -> None:
    """Record that `worker` is alive now, and commit."""
    now = now or utcnow()
    renewed = db.session.execute(
        update(WorkerHeartbeat)
        .where(WorkerHeartbeat.name == worker)
        .values(beat_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(renewed) == 0:
        db.session.add(WorkerHeartbeat(name=worker, started_at=now, beat_at=now))


@transactional
def forget_gone(now: datetime | None = None) -> int:
    """Remove the rows of workers not heard from for FORGET_AFTER, and commit; how many."""
    now = now or utcnow()
    gone = db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))
    return rows_changed(gone)


@dataclass(frozen=True)
class Workers:
    """The workers alive now, and when the latest beat of any worker came."""

    alive: int
    latest_beat: datetime | None

    def silent_for(self, now: datetime) -> timedelta | None:
        return None if self.latest_beat is None else now - self.latest_beat


def workers(now: datetime | None = None, host: str | None = None) -> Workers:
    """Counted in one query; only the workers on `host`, when given."""
    now = now or utcnow()
    query = select(
        func.count(case((WorkerHeartbeat.beat_at >= now - alive_within(), 1))),
        func.max(WorkerHeartbeat.beat_at),
    )
    if host is not None:
        query = query.where(WorkerHeartbeat.name.startswith(f"{host}:", autoescape=True))
    alive, latest = db.session.execute(query).one()
    return Workers(alive=alive, latest_beat=latest)
