"""`flask send-notifications`: the outbox worker; `flask worker-status`: whether one is
alive; `flask notify-templates`: the words for the GOV.UK Notify templates."""

import logging
import signal
import socket
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy.exc import DBAPIError

from shared.config import needed_templates
from shared.domain.notification_kinds import KINDS, notify_template
from shared.extensions import db
from shared.models.types import utcnow
from shared.services import outbox_delivery, outbox_status, outbox_worker, worker_heartbeat

logger = logging.getLogger("trackmycrime.outbox")


@click.command("send-notifications")
@with_appcontext
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds to wait when nothing is due.")
def send_notifications_command(once: bool, poll: float):
    """Send the notifications waiting in the outbox, by email or text message. Runs until
    stopped (Ctrl-C or SIGTERM ends it after the notification in hand); several can run at
    once against PostgreSQL."""
    worker = outbox_worker.worker_name()
    sender = current_app.extensions["notification_sender"]
    if once:
        counts = outbox_worker.drain(worker)
        click.echo(", ".join(f"{value} {key}" for key, value in counts.items()))
        asked = outbox_delivery.poll_unconfirmed(sender)
        if asked["asked"]:
            click.echo(f"{asked['asked']} delivery statuses asked, {asked['changed']} changed")
        return
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Logged rather than printed, so that they reach the log collector as the rest do.
    logger.info("Sending messages as %s; Ctrl-C stops.", worker)
    try:
        worker_heartbeat.forget_gone()
    except DBAPIError:
        db.session.rollback()
    # Notify's daily limits met in this run, so that no batch asks again before the reset.
    limits_met: outbox_worker.LimitsMet = {}
    while not stopping:
        try:
            worker_heartbeat.beat(worker)
            counts = outbox_worker.deliver_due(worker, limits_met=limits_met)
            # Messages GOV.UK Notify took and has not confirmed for a while: ask it (a
            # bounded batch a turn), in case its receipt never came.
            outbox_delivery.poll_unconfirmed(sender)
        except DBAPIError as error:
            # The database is restarting or unreachable: wait and try again. The unit of
            # work that failed has rolled itself back; the heartbeat is not one.
            db.session.rollback()
            logger.warning("Database unavailable (%s); trying again shortly.", type(error.orig).__name__)
            counts = {}
        if any(counts.values()):
            logger.info("%s", ", ".join(f"{value} {key}" for key, value in counts.items() if value))
            continue
        for _ in range(max(1, int(poll * 10))):
            if stopping:
                break
            time.sleep(0.1)
    db.session.remove()


@click.command("worker-status")
@with_appcontext
@click.option(
    "--this-host", is_flag=True, help="Count only the workers on this host (a container's health check)."
)
def worker_status_command(this_host: bool):
    """Say whether a notification worker is alive and how long the oldest waiting
    notification has waited; exit with status 1 when no worker is alive."""
    now = utcnow()
    found = worker_heartbeat.workers(now, host=socket.gethostname() if this_host else None)
    oldest = outbox_status.backlog().oldest_waiting
    silent = found.silent_for(now)
    click.echo(f"Workers alive: {found.alive}")
    click.echo(
        f"Last heartbeat: {'never' if silent is None else f'{int(silent.total_seconds())} seconds ago'}"
    )
    click.echo(
        f"Oldest waiting notification: {'none' if oldest is None else f'{int((now - oldest).total_seconds())} seconds old'}"
    )
    db.session.remove()
    raise SystemExit(0 if found.alive else 1)


@click.command("notify-templates")
@with_appcontext
def notify_templates_command():
    """Print each GOV.UK Notify template the service needs, in English and Welsh, with the
    name to give its id in NOTIFY_TEMPLATES."""
    for name in needed_templates():
        code, channel, language = name.split(".")
        with force_locale(language):
            subject, body = notify_template(KINDS[code], channel)
        click.echo(f"== {name}")
        if subject:
            click.echo(f"Subject: {subject}")
        click.echo(body)
        click.echo("")


def init_app(app) -> None:
    app.cli.add_command(send_notifications_command)
    app.cli.add_command(worker_status_command)
    app.cli.add_command(notify_templates_command)
