"""`flask reseal`: the last step of changing SECRET_KEY, after which the old key can leave
SECRET_KEY_FALLBACKS without anything sealed with it being lost."""

import click
from flask.cli import with_appcontext

from shared.services import resealing


@click.command("reseal")
@with_appcontext
def reseal_command():
    """Seal authenticator secrets and waiting notifications again with SECRET_KEY."""
    done = resealing.reseal_everything()
    for kind, count in done.counts.items():
        click.echo(f"{kind}: {count} sealed again with SECRET_KEY")
    lost = {kind: count for kind, count in done.unreadable.items() if count}
    if lost:
        raise click.ClickException(
            "Opened by no key in SECRET_KEY or SECRET_KEY_FALLBACKS, left as they are: "
            + ", ".join(f"{count} of the {kind}" for kind, count in lost.items())
            + ". Add the key they were sealed with to SECRET_KEY_FALLBACKS and run this again; "
            "otherwise reset those staff members' authenticators (notifications that cannot be read "
            "are shown to their officers as failed)."
        )
    click.echo("Nothing sealed now needs the keys in SECRET_KEY_FALLBACKS.")


def init_app(app) -> None:
    app.cli.add_command(reseal_command)
