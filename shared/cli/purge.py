"""`flask purge`: the daily housekeeping, deleting what the retention settings no longer
keep (shared.services.retention has what goes and what stays)."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from shared.services import retention

logger = logging.getLogger("trackmycrime.retention")


@click.command("purge")
@with_appcontext
@click.option(
    "--batch-size",
    default=retention.BATCH,
    show_default=True,
    type=click.IntRange(1),
    help="Rows deleted at a time.",
)
def purge_command(batch_size: int):
    """Delete ended sessions, links that no longer work and delivered messages older
    than RETAIN_SESSIONS_DAYS, RETAIN_LINKS_DAYS and RETAIN_NOTIFICATIONS_DAYS; audit
    events are kept. Run it daily."""
    purged = retention.purge(retention.Policy.from_config(current_app.config), batch=batch_size)
    logger.info(
        "Purged %s sessions, %s links, %s messages and %s tries at sending",
        purged.sessions,
        purged.links,
        purged.notifications,
        purged.attempts,
    )
    click.echo(f"Sessions: {purged.sessions}")
    click.echo(f"Links: {purged.links}")
    click.echo(f"Messages: {purged.notifications} (tries at sending: {purged.attempts})")


def init_app(app) -> None:
    app.cli.add_command(purge_command)
