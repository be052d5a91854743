"""Schema migrations (Flask-Migrate and Alembic), loaded when first used.

`flask db ...`, and `flask_migrate.upgrade()` in the tests and the benchmarks, work as
they would with `Migrate(app, db)`; but a web worker, which never migrates, does not
carry Alembic and Flask-Migrate (about 12 MB each).
"""

import click
from flask import Flask

from shared.extensions import db
from shared.services.schema_version import DIRECTORY


def _load(app: Flask):
    """Flask-Migrate for `app`, set up on the first call: its settings replace the
    stand-in in `app.extensions`, its `db` commands the stand-in group."""
    found = app.extensions.get("migrate")
    if isinstance(found, _NotYetLoaded):
        from flask_migrate import Migrate

        Migrate(app, db, directory=DIRECTORY)
        found = app.extensions["migrate"]
    return found


class _NotYetLoaded:
    """Stands in `app.extensions["migrate"]` until something reads it."""

    def __init__(self, app: Flask):
        self._app = app

    def __getattr__(self, name):
        return getattr(_load(self._app), name)


class _Commands(click.Group):
    """`flask db`: Flask-Migrate's command group, loaded when it is used."""

    def __init__(self, app: Flask):
        super().__init__("db", help="Perform database migrations.")
        self._app = app

    def make_context(self, info_name, args, parent=None, **extra):
        # From here on, Flask-Migrate's own group parses the arguments and runs.
        _load(self._app)
        return self._app.cli.commands["db"].make_context(info_name, args, parent=parent, **extra)


def init_app(app: Flask) -> None:
    app.extensions["migrate"] = _NotYetLoaded(app)
    app.cli.add_command(_Commands(app))
