"""`flask staff create-admin` and `flask staff set-up-link`: the first administrator of a
new installation, made on the server because nobody can yet sign in to make them."""

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from shared.clients import oidc
from shared.services import administrators
from shared.services.errors import ServiceError

staff_group = AppGroup("staff", help="Create the first administrator, or give one a new set-up link.")


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None


def _local_accounts() -> bool:
    """Whether staff set a password through their link: not when the force has single
    sign-on and has turned local accounts off."""
    return current_app.config["STAFF_LOCAL_ACCOUNTS"] or not oidc.staff_sso_enabled()


def _print_link(link: str) -> None:
    hours = int(current_app.config["STAFF_SETUP_LINK_TTL"].total_seconds() // 3600)
    click.echo(f"Set-up link (works once, for {hours} hours; give it to them yourself):")
    click.echo(f"  {link}")
    click.echo("There they choose a password; at their first sign-in they set up an authenticator app.")


@staff_group.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True, help="The administrator's name.")
def create_admin_command(email: str, name: str):
    """Create an administrator with this work email address and print their set-up link."""
    local = _local_accounts()
    try:
        member, link = administrators.create_admin(_email(email), name, with_link=local)
    except ServiceError as error:
        raise click.ClickException(f"{error.message}: {email}.") from None
    click.echo(
        f"Created {member.name} ({member.email}), administrator, collar number {member.collar_number}."
    )
    if link:
        _print_link(link)
    else:
        click.echo("Staff sign in only through single sign-on: they sign in there with this email address.")


@staff_group.command("set-up-link")
@click.argument("email")
def set_up_link_command(email: str):
    """Print a new set-up link for a member of staff (their older links stop working)."""
    if not _local_accounts():
        raise click.ClickException("Staff sign in only through single sign-on: there is no set-up link.")
    try:
        _member, link = administrators.new_set_up_link(email)
    except ServiceError as error:
        raise click.ClickException(f"{error.message}: {email}.") from None
    _print_link(link)


def init_app(app) -> None:
    app.cli.add_command(staff_group)
