"""Settings read from the environment.

`APP_ENV` is `production` unless set otherwise; outside development and testing a
missing `SECRET_KEY` stops the app with a message that says what to set.
"""

import os
import secrets
from datetime import timedelta


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


ENVIRONMENTS = ("production", "development", "testing")


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config from the environment, then apply `overrides`.

    Raises ConfigError when a required setting is missing or has a bad value.
    """
    overrides = dict(overrides or {})
    env = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "production")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")

    secret_key = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret_key:
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
                "random value (for example the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`), "
                "or set APP_ENV=development to run locally."
            )
        # Development and tests: a fresh key per process; sessions end at restart.
        secret_key = secrets.token_hex(32)

    default_db = "sqlite:///" + os.path.join(instance_path, "trackmycrime.db")
    sender = os.environ.get("MESSAGE_SENDER", "log")
    if env == "production" and sender == "log":
        raise ConfigError(
            "MESSAGE_SENDER=log writes invitations to the log and is for development only. "
            "Configure a real message channel for production."
        )

    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MESSAGE_SENDER": sender,
        # The address victims are sent to in invitation links.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "ACTIVATION_LINK_TTL": timedelta(
            hours=int(os.environ.get("ACTIVATION_LINK_TTL_HOURS", "72"))
        ),
        "CASES_PER_PAGE": 25,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "BABEL_TRANSLATION_DIRECTORIES": os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
        ),
        "LANGUAGES": ("en", "cy"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "WTF_CSRF_TIME_LIMIT": None,
        "TESTING": env == "testing",
    }
    config.update(overrides)
    return config
