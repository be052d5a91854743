"""Test set-up: one app per run, on SQLite by default or on the PostgreSQL named by
TEST_DATABASE_URL; the schema built by running the migrations; every table emptied
after each test."""

import os
import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from flask_migrate import upgrade

from shared.clients import senders
from shared.extensions import db
from shared.factory import create_app
from shared.services import outbox_worker, passwords
from shared.web import throttle
from tests import clock
from tests.api_helpers import api, records_system  # noqa: F401  (a records system calling /api/v1)
from tests.notify.server import notify_server  # noqa: F401  (a stand-in for GOV.UK Notify)
from tests.oidc.fixtures import oidc_provider  # noqa: F401  (the real OpenID provider)
from tests.pages import PageClient
from tests.smtp_server import smtp, smtp_server  # noqa: F401  (a real SMTP server)

# pytester runs the suite's own plugins in a process of their own (tests/test_clock.py).
pytest_plugins = ["pytester"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

# Passwords are hashed here with argon2's cheapest parameters (the library's profile for
# tests): the service's own make each hash cost a tenth of a second on purpose, which over
# thousands of sign-ins is minutes of a run. tests/shared/services/test_passwords.py checks
# the service's own.
SERVICE_HASHER = passwords._hasher
passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
# The production image's smoke test runs only against a built image (`make test-image`).
collect_ignore = [] if os.environ.get("SMOKE_IMAGE") else ["image"]


def pytest_addoption(parser):
    parser.addoption(
        "--now",
        metavar="INSTANT",
        help="run as if it were this instant, ISO 8601 with an offset (2027-03-28T00:30:00Z); time goes on from it",
    )


def pytest_configure(config):
    # Before any test module is imported, so that what a module computes at import time
    # is computed at the chosen instant too.
    instant = config.getoption("--now")
    if instant:
        try:
            clock.start_at(clock.parse(instant))
        except ValueError as error:
            raise pytest.UsageError(f"--now: {error}") from None


def pytest_collection_modifyitems(config, items):
    # The suite runs twice, once per database; a test marked `once` checks something no
    # database changes (the build, the import rules, the pages' accessibility), so the
    # PostgreSQL run leaves it to the SQLite run.
    if not TEST_DATABASE_URL:
        return
    once = [item for item in items if item.get_closest_marker("once")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("once")]


def pytest_report_header(config):
    instant = config.getoption("--now")
    return f"clock: {clock.parse(instant).isoformat()} (--now)" if instant else None


def _fresh_postgres(url: str) -> str:
    """Create the test database if needed and give it an empty public schema."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = sa.create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL:
        return _fresh_postgres(TEST_DATABASE_URL)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_BASE_URL": "http://localhost",
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_RESTART_SEQUENCES: list[sa.TextClause] = []


def _restart_sequences(conn) -> sa.TextClause:
    """One statement that starts every sequence of the schema again, as a fresh database
    has it (ids from 1), read from the catalogue once per run."""
    if not _RESTART_SEQUENCES:
        rows = conn.execute(
            sa.text(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value"
                " FROM pg_sequences WHERE schemaname = current_schema()"
            )
        ).all()
        calls = ", ".join(f"setval('{name}', {start}, false)" for name, start in rows) or "1"
        _RESTART_SEQUENCES.append(sa.text(f"SELECT {calls}"))
    return _RESTART_SEQUENCES[0]


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            # The database refuses to change audit events; only the test clean-up may,
            # by switching triggers off for its own connection.
            if conn.dialect.name == "postgresql":
                # DELETE and setval, not TRUNCATE: a TRUNCATE of every table gives each a
                # new file on disk and costs a second a test; this costs a few
                # milliseconds. Foreign keys are triggers, off with the rest.
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    conn.execute(table.delete())
                conn.execute(_restart_sequences(conn))
            else:
                triggers = conn.execute(
                    sa.text(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
                    )
                ).all()
                for name, _sql in triggers:
                    conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
                for table in tables:
                    conn.execute(table.delete())
                for _name, sql in triggers:
                    conn.execute(sa.text(sql))
        throttle.limiter.reset()


@pytest.fixture
def restore_limiter(app):
    """Other app instances rebind the one limiter to their storage: bind it back."""
    yield
    throttle.limiter.init_app(app)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return PageClient(app)


@pytest.fixture
def victim_client(app):
    return PageClient(app, portal=True)


@pytest.fixture
def use_sender(app):
    """Send by another channel for this test: `use_sender("smtp", **settings)` gives the
    app that sender (a shared.clients.senders class) until the test ends."""
    before = app.extensions["notification_sender"]

    def use(name: str, **settings):
        config = {**app.config, "NOTIFICATION_SENDER": name, **settings}
        app.extensions["notification_sender"] = senders.SENDERS[name](config)
        return app.extensions["notification_sender"]

    yield use
    app.extensions["notification_sender"] = before


@pytest.fixture
def messages(app, caplog):
    """The messages the service sent, as dicts: the outbox worker sends what is due by
    the development log sender, and they are read from the log."""
    caplog.set_level("INFO", logger="trackmycrime.messages")

    def sent():
        with app.app_context():
            outbox_worker.drain()
            db.session.remove()
        out = []
        for record in caplog.records:
            if record.name == "trackmycrime.messages":
                kind, language, to, subject, body = record.args
                out.append({"kind": kind, "language": language, "to": to, "subject": subject, "body": body})
        return out

    return sent


def activation_path(message: dict) -> str:
    match = re.search(r"http://localhost(/activate/[A-Za-z0-9_-]+)", message["body"])
    assert match, message["body"]
    return match.group(1)
