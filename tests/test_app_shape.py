"""The shape of the application: configuration, layering, migrations, and every route
either public on purpose or behind a sign-in."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from shared.config import ConfigError
from shared.extensions import db
from shared.factory import create_app
from tests.paths import ROOT


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_production_refuses_the_development_notification_sender(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    # Everything else production needs is set (tests/shared/test_config.py tries each).
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://track@db.police.example/trackmycrime")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://track.police.example")
    monkeypatch.setenv("REDIS_URL", "redis://cache.police.example:6379/0")
    monkeypatch.delenv("NOTIFICATION_SENDER", raising=False)
    with pytest.raises(ConfigError, match="NOTIFICATION_SENDER=log"):
        create_app()


def test_configuration_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.db"
    assert len(app.config["SECRET_KEY"]) >= 32
    monkeypatch.delenv("DATABASE_URL")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/trackmycrime.db")
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(ConfigError, match="APP_ENV must be one of"):
        create_app()


def test_the_single_sign_on_role_map_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("STAFF_OIDC_ROLE_MAP", "TMC.Officer=officer, Team=A=supervisor,")
    assert create_app().config["STAFF_OIDC_ROLE_MAP"] == {"TMC.Officer": "officer", "Team=A": "supervisor"}
    monkeypatch.setenv("STAFF_OIDC_ROLE_MAP", "TMC.Boss=superuser")
    with pytest.raises(ConfigError, match="unknown roles: superuser"):
        create_app()


@pytest.mark.once
def test_front_ends_never_import_each_other_and_the_layers_of_shared_hold():
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


# The modules of a front end's views that its views may import: helpers, not views.
VIEW_HELPERS = {"common", "presenters"}


@pytest.mark.once
def test_no_view_imports_another_view():
    found = []
    for front_end in ("portal", "backoffice"):
        package = f"{front_end}.views"
        for path in sorted((ROOT / front_end / "views").glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == package:
                    imported = {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + "."):
                    imported = {node.module.split(".")[2]}
                elif isinstance(node, ast.Import):
                    imported = {a.name.split(".")[2] for a in node.names if a.name.startswith(package + ".")}
                else:
                    continue
                found += [
                    f"{front_end}/views/{path.name}: {name}" for name in sorted(imported - VIEW_HELPERS)
                ]
    assert not found, f"put what views share in views/common.py or views/presenters.py: {found}"


# One import per contract that breaks it, written into a copy of the tree: each contract
# must notice its own kind of coupling, or it guards nothing.
BREAKS = [
    ("portal/views/cases.py", "import backoffice.views.cases", "The three front ends"),
    ("api/views.py", "import portal", "The three front ends"),
    ("shared/web/hooks.py", "import portal", "shared imports no front end"),
    ("shared/cli/demo.py", "import api.schemas", "shared imports no front end"),
    ("shared/services/crimes.py", "import shared.web.hooks", "Inside shared, each layer imports only"),
    ("shared/models/crime.py", "import shared.services.crimes", "Inside shared, each layer imports only"),
    (
        "shared/domain/permissions.py",
        "import shared.clients.senders",
        "Inside shared, each layer imports only",
    ),
]


@pytest.mark.once
@pytest.mark.parametrize(("module", "line", "contract"), BREAKS, ids=[b[1] for b in BREAKS])
def test_each_import_contract_fails_when_broken(tmp_path, module, line, contract):
    for package in ("shared", "portal", "backoffice", "api"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("templates", "static")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / module, "a") as source:
        source.write(f"\n{line}  # noqa\n")
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 kept, 1 broken" in result.stdout
    broken = result.stdout.split("Broken contracts")[1]
    assert contract in " ".join(broken.split())


# A module written into a copy of shared/services: each function gets a type wrong in the
# way a service's caller or author might, and mypy must name every one.
WRONG_TYPES = """
from shared.models import Crime
from shared.services import victims


def victims_by_reference(reference: str) -> int:
    return len(victims.victims_of_crime(reference))


def victim_count(crime: Crime) -> str:
    return len(victims.victims_of_crime(crime))


def victims_of(crime):
    return victims.victims_of_crime(crime)
"""


@pytest.mark.once
def test_mypy_fails_when_a_service_gets_or_gives_a_wrong_type(tmp_path):
    for package in ("shared", "portal", "backoffice", "api"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("templates", "static", "__pycache__"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    cache = tmp_path / ".mypy_cache"
    if (ROOT / ".mypy_cache").is_dir():
        # A copy of the cache `make lint` left (the files keep their times): mypy then reads
        # only the new module afresh, in a second rather than a dozen.
        shutil.copytree(ROOT / ".mypy_cache", cache)
    (tmp_path / "shared" / "services" / "wrong_types.py").write_text(WRONG_TYPES)
    result = subprocess.run(
        [Path(sys.executable).parent / "mypy", "--cache-dir", str(cache)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert all(line.startswith("shared/services/wrong_types.py:") for line in errors), result.stdout
    # A str passed where the service takes a Crime.
    assert any(
        '"victims_of_crime" has incompatible type "str"; expected "Crime"' in line for line in errors
    ), result.stdout
    # A signature that says str where the function gives an int.
    assert any("[return-value]" in line for line in errors), result.stdout
    # A service function left unannotated.
    assert any("[no-untyped-def]" in line for line in errors), result.stdout
    assert len(errors) == 3, result.stdout


def test_every_route_is_public_on_purpose_or_needs_a_signed_in_user(app):
    client = app.test_client()
    public, guarded = [], []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            public.append(rule.endpoint)
            continue
        guarded.append(rule.endpoint)
        assert rule.endpoint.split(".")[0] in ("portal", "backoffice", "api"), (
            f"{rule.endpoint} is outside a guarded blueprint"
        )
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method)
            if rule.endpoint.startswith("api."):
                # The records-system API wants a bearer token.
                assert response.status_code == 401, (rule.endpoint, response.status_code)
                assert response.headers["WWW-Authenticate"].startswith("Bearer "), rule.endpoint
                continue
            if method == "GET":
                assert response.status_code == 302, (rule.endpoint, response.status_code)
                sign_in = "/backoffice/sign-in" if rule.endpoint.startswith("backoffice.") else "/sign-in"
                assert response.headers["Location"].startswith(sign_in), rule.endpoint
            else:
                # Without a session there is no CSRF token either: refused before anything runs.
                assert response.status_code in (302, 400), (rule.endpoint, response.status_code)
    assert set(public) == {
        "static",
        "health",
        "robots_txt",
        "security_txt",
        "health_ready",
        # Needs no sign-in, but a bearer token (tests/shared/web/test_metrics.py).
        "metrics",
        # GOV.UK Notify's delivery receipts: its bearer token (tests/shared/clients/test_notify_delivery.py).
        "notify_delivery_receipts",
        "i18n.switch",
        "portal.index",
        "portal.sign_in",
        "portal.sign_out",
        "portal.signed_out",
        "portal.activate",
        "portal.forgot_password",
        "portal.reset_password",
        "portal.onelogin_start",
        "portal.onelogin_link",
        "portal.onelogin_callback",
        # The pages every public service publishes, and where a session that ran out ends.
        "portal.help_and_contact",
        "portal.accessibility",
        "portal.privacy",
        "portal.cookies",
        "portal.timed_out",
        "backoffice.accessibility",
        "backoffice.timed_out",
        "backoffice.sign_in",
        "backoffice.sign_in_code",
        "backoffice.set_up_authenticator",
        "backoffice.set_up",
        "backoffice.sign_out",
        "backoffice.sso_start",
        "backoffice.sso_callback",
        "api.token",
        "api.openapi_document",
    }
    assert len(guarded) >= 10


def test_the_health_check_answers_without_a_session_or_the_database(app):
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "OK\n"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff


def test_migrations_go_down_to_empty_and_up_again(app):
    with app.app_context():
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert "crime" in sa.inspect(db.engine).get_table_names()


@pytest.mark.once
def test_a_web_worker_leaves_out_what_it_never_uses_and_flask_db_still_works(tmp_path):
    # The migration tools, and (with no single sign-on configured) the OAuth client and
    # its HTTP library.
    served = (
        "import sys; from shared.factory import create_app; "
        "app = create_app({'APP_ENV': 'testing', 'SECRET_KEY': 'k', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "assert app.test_client().get('/health').status_code == 200; "
        "print(sorted(m for m in ('alembic', 'flask_migrate', 'requests', 'authlib.integrations.flask_client') "
        "if m in sys.modules))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", served], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "[]", answer.stderr

    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "db"]
    for command in (["upgrade"], ["current"]):
        done = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert "(head)" in done.stdout


def test_static_assets_and_error_pages_carry_the_security_headers(app):
    client = app.test_client()
    for path in ["/assets/app.css", "/assets/vendor/govuk-frontend.min.css", "/no-such-page"]:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


def test_error_pages_use_the_layout_of_the_part_of_the_site_asked_for(client, victim_client, ctx):
    portal = victim_client.get("/no-such-page")
    assert portal.status == 404 and portal.h1 == "Page not found"
    assert portal.soup.select_one(".govuk-exit-this-page")
    staff = client.get("/backoffice/no-such-page")
    assert staff.status == 404 and staff.h1 == "Page not found"
    assert staff.soup.select_one(".moj-header")
    wrong_method = victim_client.get("/sign-out")
    assert wrong_method.status == 405
    assert wrong_method.h1 == "Sorry, there is a problem with your request"


def test_an_error_inside_a_route_uses_the_layout_of_its_blueprint(client, victim_client, ctx):
    from tests import factories

    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    client.staff_sign_in(officer.email, factories.PASSWORD)
    staff = client.get("/backoffice/crimes/999999")
    assert staff.status == 404 and staff.h1 == "Page not found"
    assert staff.soup.select_one(".moj-header") and not staff.soup.select_one(".govuk-exit-this-page")
    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    victim = victim_client.get("/cases/no-such-case")
    assert victim.status == 404 and victim.h1 == "Page not found"
    assert victim.soup.select_one(".govuk-exit-this-page") and not victim.soup.select_one(".moj-header")


def test_signed_in_pages_are_never_cached(victim_client, ctx):
    from tests import factories

    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    # Public pages are not kept either (tests/shared/web/test_security.py walks them all).
    assert victim_client.get("/sign-in").response.headers["Cache-Control"] == "no-store"
    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    assert victim_client.get(f"/cases/{link.public_id}").response.headers["Cache-Control"] == "no-store"
