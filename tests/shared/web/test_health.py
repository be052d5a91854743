"""Liveness and readiness: `/health` answers while the process does; `/health/ready`
answers 200 only while the database answers, its schema is at the migration the code
expects and Redis answers (when set), else 503 naming each problem, and no secret."""

import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from shared.extensions import db
from shared.factory import create_app
from shared.services import schema_version
from tests.paths import ROOT


def _app(database_url: str, **settings):
    return create_app(
        {"APP_ENV": "testing", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": database_url, **settings}
    )


def _ready(app):
    response = app.test_client().get("/health/ready")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def _close(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_test_app_is_ready(app):
    assert _ready(app) == (200, {"status": "ready"})


def test_the_expected_migration_is_the_one_alembic_finds_at_the_head():
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    assert schema_version.expected_head() == scripts.get_current_head()


@pytest.mark.parametrize(
    "url",
    [
        # A SQLite file in a folder that does not exist.
        "sqlite:////nonexistent-folder/trackmycrime.db",
        # PostgreSQL on a port nothing listens on, with a password that must not be shown.
        "postgresql+psycopg://tmc:db-password-1@127.0.0.1:1/trackmycrime",
    ],
)
def test_with_the_database_down_readiness_is_503_and_says_so_without_the_address(url):
    down = _app(url)
    try:
        status, body = _ready(down)
        assert status == 503
        assert body["status"] == "not ready"
        assert body["problems"]["database"].startswith("does not answer (OperationalError)")
        text = str(body)
        assert "db-password-1" not in text and "127.0.0.1" not in text and "nonexistent" not in text
        # Liveness checks nothing, so it still answers.
        assert down.test_client().get("/health").status_code == 200
    finally:
        _close(down)


def test_with_the_schema_behind_readiness_is_503_and_names_both_migrations(tmp_path):
    behind = _app(f"sqlite:///{tmp_path / 'behind.db'}")
    head = schema_version.expected_head()
    previous = f"{int(head) - 1:04d}"
    try:
        status, body = _ready(behind)
        assert status == 503
        assert body["problems"] == {
            "schema": f"not created: run flask db upgrade (expected migration {head})"
        }

        with behind.app_context():
            upgrade(revision=previous)
        status, body = _ready(behind)
        assert status == 503
        assert body["problems"] == {
            "schema": f"at migration {previous}, expected {head}: run flask db upgrade"
        }

        with behind.app_context():
            upgrade()
        assert _ready(behind) == (200, {"status": "ready"})
    finally:
        _close(behind)


def test_with_redis_set_and_down_readiness_is_503(app, database_url, restore_limiter):
    down = _app(database_url, REDIS_URL="redis://:redis-password-2@127.0.0.1:1/0")
    try:
        status, body = _ready(down)
        assert status == 503
        assert body["problems"] == {"redis": "does not answer"}
        assert "redis-password-2" not in str(body)
    finally:
        _close(down)


def test_with_redis_set_and_up_the_app_is_ready(app, database_url, restore_limiter):
    up = _app(database_url, REDIS_URL="redis://127.0.0.1:6379/13")
    try:
        assert _ready(up) == (200, {"status": "ready"})
    finally:
        _close(up)


def test_checking_readiness_does_not_load_the_migration_tools(tmp_path):
    """A web worker is asked for its readiness every few seconds: the check reads the
    migrations' own files, not Alembic (about 12 MB)."""
    checked = (
        "import sys; from shared.factory import create_app; "
        f"app = create_app({{'APP_ENV': 'testing', 'SECRET_KEY': 'k', 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.db'}}); "
        "assert app.test_client().get('/health/ready').status_code == 503; "
        "print(sorted(m for m in ('alembic', 'flask_migrate') if m in sys.modules))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", checked], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "[]", answer.stderr
