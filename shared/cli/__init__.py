"""The `flask` commands, registered here and nowhere else: `flask db` (migrations), `flask
demo-data`, the message worker, compliance reports, audit results, records-system clients, the bulk
import, the first administrator (`flask staff`) and sealing again after a change of key
(`flask reseal`) and the daily purge. Each command's module parses its options and calls the services."""

import click
from flask import current_app

from shared.cli import (
    api_clients,
    cdi_audit_results,
    demo,
    import_crimes,
    keys,
    migrations,
    purge,
    reports,
    staff,
    worker,
)


@click.command("demo-data")
def demo_data_command():
    """Load the demo data into an empty database, then print the demo logins."""
    if current_app.config["APP_ENV"] == "production":
        # Its staff share a published password and their authenticator keys are printed.
        raise click.ClickException(
            "The demo data is not loaded in production (APP_ENV=production): its accounts share a "
            "published password. Create the first administrator with `flask staff create-admin EMAIL`."
        )
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
    cdi_audit_results.init_app(app)
    worker.init_app(app)
    api_clients.init_app(app)
    import_crimes.init_app(app)
    staff.init_app(app)
    keys.init_app(app)
    purge.init_app(app)
