"""Command-line tasks: `flask demo-data`; `flask compliance-report` is in shared.report_cli."""

import click
from flask import current_app

from shared import api_cli, demo, import_cli, outbox_cli, report_cli


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
        "(\"enter a setup key\", time-based), or use the app's code for that account."
    )
    click.echo("")
    click.echo(f"  {'Address':<{len(base) + 12}} {'Email address':<32} {'Authenticator key':<34} Who")
    for who, where, email, key in demo.logins():
        click.echo(f"  {base}{where:<12} {email:<32} {key or '-':<34} {who}")
    click.echo("")


def init_app(app) -> None:
    app.cli.add_command(demo_data_command)
    report_cli.init_app(app)
    outbox_cli.init_app(app)
    api_cli.init_app(app)
    import_cli.init_app(app)
