"""`flask send-notifications`: the outbox worker; `flask notify-templates`: the words for the
GOV.UK Notify templates."""

import signal
import time

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy.exc import DBAPIError

from shared.config import needed_templates
from shared.domain.notification_kinds import KINDS, notify_template
from shared.extensions import db
from shared.services import outbox_worker


@click.command("send-notifications")
@with_appcontext
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds to wait when nothing is due.")
def send_notifications_command(once: bool, poll: float):
    """Send the notifications waiting in the outbox, by email or text message. Runs until
    stopped (Ctrl-C or SIGTERM ends it after the notification in hand); several can run at
    once against PostgreSQL."""
    worker = outbox_worker.worker_name()
    if once:
        counts = outbox_worker.drain(worker)
        click.echo(", ".join(f"{value} {key}" for key, value in counts.items()))
        return
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Sending messages as {worker}; Ctrl-C stops.")
    while not stopping:
        try:
            counts = outbox_worker.deliver_due(worker)
        except DBAPIError as error:
            # The database is restarting or unreachable: wait and try again. The unit of
            # work that failed has rolled itself back.
            click.echo(f"Database unavailable ({type(error.orig).__name__}); trying again shortly.", err=True)
            counts = {}
        if any(counts.values()):
            click.echo(", ".join(f"{value} {key}" for key, value in counts.items() if value))
            continue
        for _ in range(max(1, int(poll * 10))):
            if stopping:
                break
            time.sleep(0.1)
    db.session.remove()


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
    app.cli.add_command(notify_templates_command)
