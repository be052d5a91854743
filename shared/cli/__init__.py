"""The `flask` commands, registered here and nowhere else: `flask db` (migrations), `flask
demo-data`, the message worker, compliance reports, records-system clients and the bulk
import. Each command's module parses its options and calls the services."""

import click
from flask import current_app

from shared.cli import api_clients, demo, import_crimes, migrations, reports, worker


@click.command("demo-data")
def demo_data_command():
    """Load the demo data into an empty database, then print the demo logins."""
    if demo.is_empty():
        demo.load()
        click.echo("Loaded the demo data.")
    else:
        click.echo("The database already has data; demo data not loaded again.")
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    click.echo("")
    click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
    click.echo(
        "Staff also enter a code from an authenticator app: add each key below to the app\n"
        '("enter a setup key", time-based), or use the app\'s code for that account.'
    )
    click.echo("")
    click.echo(f"  {'Address':<{len(base) + 12}} {'Email address':<32} {'Authenticator key':<34} Who")
    for who, where, email, key in demo.logins():
        click.echo(f"  {base}{where:<12} {email:<32} {key or '-':<34} {who}")
    click.echo("")


def init_app(app) -> None:
    app.cli.add_command(demo_data_command)
    migrations.init_app(app)
    reports.init_app(app)
    worker.init_app(app)
    api_clients.init_app(app)
    import_crimes.init_app(app)
