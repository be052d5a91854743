"""The app factory: the one module that knows both blueprints."""

import os

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from werkzeug.middleware.proxy_fix import ProxyFix

from shared import resources
from shared.clients import oidc, senders
from shared.config import default_database, load_config
from shared.extensions import babel, csrf, db, login_manager
from shared.web import (
    health,
    hooks,
    input_guard,
    locale,
    logs,
    metrics,
    notify_callbacks,
    single_sign_on,
    static_files,
    templating,
    throttle,
    transactions,
    well_known,
)

HERE = os.path.dirname(os.path.abspath(__file__))


class TrackMyCrime(Flask):
    jinja_environment = templating.Environment


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment, with `config` applied over it.

    Raises shared.config.ConfigError when a required setting is missing. Does not touch
    the database: run `flask db upgrade` to create or migrate the schema.
    """
    app = TrackMyCrime(
        __name__,
        static_folder=os.path.join(HERE, "static"),
        static_url_path="/assets",
        template_folder=os.path.join(HERE, "templates"),
        instance_path=resources.instance_folder(),
    )
    app.config.update(load_config(app.instance_path, config))
    # The default SQLite database lives in the instance folder: made only for it, so that
    # a service given its database writes nothing beside its code.
    if app.config["SQLALCHEMY_DATABASE_URI"] == default_database(app.instance_path):
        os.makedirs(app.instance_path, exist_ok=True)

    import shared.models  # noqa: F401  (registers the tables)
    from shared import cli
    from shared.web import login  # noqa: F401  (registers the user loader)

    # Before the other hooks (it answers nothing), so that it times the whole request
    # and counts the status the others settle on.
    metrics.init_app(app)
    # First, so that request ids and the CSP nonce exist before any other extension
    # (CSRF checks included) can answer the request.
    hooks.init_app(app)
    # Next, before anything reads the body (the throttle, CSRF, the forms): a body too
    # large, of the wrong kind or holding text that cannot be stored is refused unread.
    input_guard.init_app(app)
    health.init_app(app)
    notify_callbacks.init_app(app)
    db.init_app(app)
    transactions.init_app(app)
    # Before CSRF, so that floods of forged or token-less posts are counted too.
    throttle.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=locale.select_locale)
    login_manager.init_app(app)
    WTFormsHelpers(app)
    templating.init_app(app)
    locale.init_app(app)
    senders.init_app(app)
    oidc.init_app(app)
    single_sign_on.init_app(app)
    cli.init_app(app)

    from api import api as api_bp
    from backoffice import bp as backoffice_bp
    from portal import bp as portal_bp

    app.register_blueprint(portal_bp)
    app.register_blueprint(backoffice_bp, url_prefix="/backoffice")
    app.register_blueprint(api_bp, url_prefix="/api/v1")

    well_known.init_app(app)
    static_files.init_app(app)

    # Behind trusted proxies, the client's own address (for throttling) and scheme come
    # from their headers; otherwise those headers are ignored, so nobody can forge them.
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]  # as Flask documents

    # The static files are public; every other route must say so itself.
    login.public(app.view_functions["static"])
    # Last, when every route is known: the logs hide the tokens in their paths.
    logs.init_app(app)
    return app
