"""`trackmycrime`: the installed service's command (pyproject.toml's [project.scripts]),
which runs it outside a checkout, in a container or under systemd alike.

    trackmycrime web [GUNICORN OPTIONS]  serve the app with gunicorn (shared.web.serving)
    trackmycrime worker [--once]         send the notifications waiting in the outbox
                                         (the same as flask send-notifications)
    trackmycrime migrate [OPTIONS]       bring the database to the code's schema
                                         (the same as flask db upgrade)
    trackmycrime COMMAND ...             any other of the app's flask commands: staff
                                         create-admin EMAIL, purge, worker-status, ...

Each reads its settings from the environment, as the app does. In a checkout,
`flask --app wsgi COMMAND` is the same as `trackmycrime COMMAND`.
"""

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, routes_command, shell_command

# The names the process types of a deployment run, for the app's commands they stand for.
ALIASES = {"worker": ("send-notifications",), "migrate": ("db", "upgrade")}
# gunicorn's configuration module (shared.web.gunicorn_conf), for `web`.
GUNICORN_CONFIG = "python:shared.web.gunicorn_conf"


def _create_app() -> Flask:
    # Imported here: `web` leaves the app to gunicorn, which makes it in its master.
    from shared.factory import create_app

    return create_app()


HELP = """The Track My Crime service. Every command reads its settings from the environment.

\b
  trackmycrime web [GUNICORN OPTIONS]  serve the app with gunicorn
  trackmycrime worker [--once]         send the notifications waiting (send-notifications)
  trackmycrime migrate                 bring the database to the code's schema (db upgrade)
  trackmycrime COMMAND ...             any command below, e.g. staff create-admin EMAIL
"""


class Console(FlaskGroup):
    """Flask's command group for the app, with the aliases above and none of the options
    that choose another app or load a .env file."""

    def __init__(self, **extra):
        super().__init__(add_default_commands=False, add_version_option=False, load_dotenv=False, **extra)
        self.params = [param for param in self.params if param.name not in ("env_file", "app", "debug")]

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] in ALIASES:
            args = [*ALIASES[args[0]], *args[1:]]
        return super().resolve_command(ctx, args)


@click.command(
    "web",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def web_command(options: tuple[str, ...]) -> None:
    """Serve the app with gunicorn (`trackmycrime web --help` lists gunicorn's options,
    which override the service's settings)."""
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = [sys.argv[0], "--config", GUNICORN_CONFIG, *options]
    WSGIApplication("%(prog)s [OPTIONS]", prog="trackmycrime web").run()


cli = Console(name="trackmycrime", help=HELP, create_app=_create_app)
cli.add_command(web_command)
cli.add_command(shell_command)
cli.add_command(routes_command)


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="trackmycrime")
