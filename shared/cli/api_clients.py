"""Command-line tasks for records-system API clients: `flask api-clients register`,
`list` and `revoke`, for setting a force up without the back office's screens."""

import click
from flask.cli import AppGroup

from shared.models import API_SCOPES
from shared.services import api_clients
from shared.services.errors import ServiceError

api_clients_group = AppGroup(
    "api-clients", help="Register, list and revoke records systems that use /api/v1."
)


@api_clients_group.command("register")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(API_SCOPES),
    required=True,
    help="What it may do; repeat for several.",
)
def register_command(name, scopes):
    """Register a records system and print its client id and secret (shown once)."""
    try:
        client, secret = api_clients.register(name, list(scopes), None)
    except ServiceError as error:
        raise click.UsageError(str(error.message)) from None
    click.echo(f"client_id:     {client.client_id}")
    click.echo(f"client_secret: {secret}")
    click.echo(f"scopes:        {client.scopes}")
    click.echo("Keep the secret now: it is stored only as a hash and cannot be shown again.")


@api_clients_group.command("list")
def list_command():
    """List the registered records systems."""
    for client in api_clients.all_clients():
        state = "revoked" if client.revoked_at else "active"
        click.echo(f"{client.client_id}  {state:<7}  {client.name}  [{client.scopes}]")


@api_clients_group.command("revoke")
@click.argument("client_id")
def revoke_command(client_id):
    """Revoke a records system's access, and every token it holds, at once."""
    client = api_clients.by_client_id(client_id)
    if client is None:
        raise click.UsageError(f"No records system has client id {client_id}.")
    try:
        api_clients.revoke(client, None)
    except ServiceError as error:
        raise click.UsageError(str(error.message)) from None
    click.echo(f"Revoked {client.name}.")


def init_app(app) -> None:
    app.cli.add_command(api_clients_group)
