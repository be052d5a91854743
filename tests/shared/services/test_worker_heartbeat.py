"""The notification workers' heartbeats: one row per worker, renewed each time round its
loop; a worker silent for longer than a batch can take is not counted alive; rows of
workers gone a week are removed; `flask worker-status` says so and exits 1 when none
is alive (a container's health check)."""

from datetime import timedelta

from sqlalchemy import select

from shared.extensions import db
from shared.models import WorkerHeartbeat
from shared.models.types import utcnow
from shared.services import worker_heartbeat


def _rows() -> dict[str, WorkerHeartbeat]:
    db.session.expire_all()
    return {row.name: row for row in db.session.scalars(select(WorkerHeartbeat))}


def test_a_beat_adds_the_worker_once_then_renews_it(ctx):
    started = utcnow() - timedelta(minutes=10)
    worker_heartbeat.beat("host:1:abcdef", started)
    worker_heartbeat.beat("host:1:abcdef", started + timedelta(minutes=5))
    [row] = _rows().values()
    assert (row.name, row.started_at, row.beat_at) == (
        "host:1:abcdef",
        started,
        started + timedelta(minutes=5),
    )


def test_a_worker_counts_as_alive_for_as_long_as_a_batch_can_take_and_a_minute(app, ctx):
    now = utcnow()
    longest = timedelta(seconds=app.config["OUTBOX_BATCH"] * app.config["SEND_TIMEOUT_SECONDS"] + 60)
    assert worker_heartbeat.alive_within() == longest
    assert worker_heartbeat.workers(now) == worker_heartbeat.Workers(alive=0, latest_beat=None)

    worker_heartbeat.beat("a:1:000001", now - longest + timedelta(seconds=1))
    worker_heartbeat.beat("b:2:000002", now - longest - timedelta(seconds=1))
    found = worker_heartbeat.workers(now)
    assert found.alive == 1
    assert found.silent_for(now) == longest - timedelta(seconds=1)
    assert worker_heartbeat.workers(now, host="b").alive == 0
    assert worker_heartbeat.workers(now, host="a").alive == 1


def test_workers_gone_a_week_are_forgotten(ctx):
    now = utcnow()
    worker_heartbeat.beat("old:1:000001", now - timedelta(days=7, seconds=1))
    worker_heartbeat.beat("recent:2:000002", now - timedelta(days=6))
    assert worker_heartbeat.forget_gone(now) == 1
    assert list(_rows()) == ["recent:2:000002"]


def test_worker_status_says_whether_a_worker_is_alive(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker-status"])
    assert result.exit_code == 1
    assert "Workers alive: 0" in result.output and "Last heartbeat: never" in result.output
    assert "Oldest waiting notification: none" in result.output

    worker_heartbeat.beat("somewhere:1:000001")
    result = runner.invoke(args=["worker-status"])
    assert result.exit_code == 0, result.output
    assert "Workers alive: 1" in result.output
    # Not on this host, though.
    assert runner.invoke(args=["worker-status", "--this-host"]).exit_code == 1
