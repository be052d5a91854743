"""Settings read from the environment.

`APP_ENV` is `production` unless set otherwise; outside development and testing a
missing `SECRET_KEY` stops the app with a message that says what to set.
"""

import json
import os
import re
import secrets
from datetime import timedelta

from limits import parse as parse_limit

from shared.domain.permissions import ROLE_PERMISSIONS
from shared.domain.reference_data import DEFAULT_LANGUAGE, LANGUAGES
from shared.domain.victims_code_rules import timescales


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


ENVIRONMENTS = ("production", "development", "testing")
PRODUCT_ROLES = tuple(ROLE_PERMISSIONS)


def _read_key(path: str | None) -> str | None:
    """The private key (PEM or JWK JSON) in the file at `path`, if one is named."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise ConfigError(f"Cannot read the private key file {path}: {error.strerror}.") from error


def _development_key(instance_path: str) -> str:
    """The development secret key in instance/secret_key, made on first use."""
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path, encoding="utf-8") as handle:
            key = handle.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(instance_path, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def _count(name: str) -> int:
    text = os.environ.get(name, "0").strip() or "0"
    if not text.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {text!r}.")
    return int(text)


def role_map(value) -> dict[str, str]:
    """STAFF_OIDC_ROLE_MAP as {claim value: product role}, from the environment's
    `Group-A=officer,Group-B=supervisor` or from a dict given directly. Raises
    ConfigError for an entry that is not claim-value=role or names an unknown role."""
    if isinstance(value, dict):
        pairs = [(str(claim_value), str(role)) for claim_value, role in value.items()]
    else:
        pairs = []
        for entry in filter(None, (part.strip() for part in str(value or "").split(","))):
            claim_value, sep, role = entry.rpartition("=")
            if not sep or not claim_value:
                raise ConfigError(f"STAFF_OIDC_ROLE_MAP entry {entry!r} must be claim-value=role.")
            pairs.append((claim_value, role))
    unknown = sorted({role for _, role in pairs} - set(PRODUCT_ROLES))
    if unknown:
        raise ConfigError(
            f"STAFF_OIDC_ROLE_MAP names unknown roles: {', '.join(unknown)}. "
            f"The roles are {', '.join(PRODUCT_ROLES)}."
        )
    return dict(pairs)


SENDERS = ("log", "smtp", "notify")
SMTP_SECURITY = ("starttls", "ssl", "none")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTIFY_KEY = re.compile(rf"^[A-Za-z0-9_-]+-{_UUID}-{_UUID}$")


def needed_templates() -> list[str]:
    """The GOV.UK Notify templates the service needs: kind.channel.language."""
    from shared.domain.notification_kinds import KINDS

    return [
        f"{kind.code}.{channel}.{language}"
        for kind in KINDS.values()
        for channel in kind.channels
        for language in ((DEFAULT_LANGUAGE,) if kind.audience == "staff" else LANGUAGES)
    ]


def notify_templates(value) -> dict[str, str]:
    """NOTIFY_TEMPLATES as {kind.channel.language: template id}: a dict, JSON, or
    `new_update.email.en=<id>,new_update.email.cy=<id>,...`. Raises ConfigError for a
    missing or unknown template or an id that is not a UUID."""
    if isinstance(value, dict):
        templates = dict(value)
    else:
        text = str(value or "").strip()
        if text.startswith("{"):
            try:
                templates = json.loads(text)
            except ValueError as error:
                raise ConfigError(f"NOTIFY_TEMPLATES is not valid JSON: {error}.") from None
        else:
            templates = {}
            for entry in filter(None, (part.strip() for part in text.split(","))):
                name, sep, template_id = entry.partition("=")
                if not sep:
                    raise ConfigError(f"NOTIFY_TEMPLATES entry {entry!r} must be kind.channel.language=template-id.")
                templates[name.strip()] = template_id.strip()
    needed = needed_templates()
    unknown = sorted(set(templates) - set(needed))
    missing = [name for name in needed if name not in templates]
    if unknown:
        raise ConfigError(f"NOTIFY_TEMPLATES names templates the service does not use: {', '.join(unknown)}.")
    if missing:
        raise ConfigError(
            f"NOTIFY_TEMPLATES has no template for: {', '.join(missing)}. "
            "`flask notify-templates` prints the words for each."
        )
    bad = sorted(name for name, template_id in templates.items() if not re.fullmatch(_UUID, str(template_id)))
    if bad:
        raise ConfigError(f"NOTIFY_TEMPLATES ids must be GOV.UK Notify template ids (UUIDs): {', '.join(bad)}.")
    return templates


def _sender_settings(env: str, overrides: dict) -> dict:
    """How messages are sent (shared.clients.senders), checked so that a mistake stops
    the service at start-up rather than losing messages later."""
    def setting(name, default=None):
        return overrides[name] if name in overrides else (os.environ.get(name) or default)

    sender = setting("MESSAGE_SENDER", "log")
    if sender not in SENDERS:
        raise ConfigError(f"MESSAGE_SENDER must be one of {', '.join(SENDERS)}, not {sender!r}.")
    if env == "production" and sender == "log":
        raise ConfigError(
            "MESSAGE_SENDER=log writes messages to the log and is for development only. "
            "Set MESSAGE_SENDER=notify (GOV.UK Notify) or MESSAGE_SENDER=smtp for production."
        )
    settings = {"MESSAGE_SENDER": sender}
    if sender == "smtp":
        security = setting("SMTP_SECURITY", "starttls")
        if security not in SMTP_SECURITY:
            raise ConfigError(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {security!r}.")
        if not setting("SMTP_HOST") or not setting("SMTP_FROM"):
            raise ConfigError("MESSAGE_SENDER=smtp needs SMTP_HOST and SMTP_FROM (the address messages come from).")
        port = str(setting("SMTP_PORT", "465" if security == "ssl" else "587"))
        if not port.isdigit():
            raise ConfigError(f"SMTP_PORT must be a port number, not {port!r}.")
        settings.update(
            SMTP_HOST=setting("SMTP_HOST"),
            SMTP_PORT=int(port),
            SMTP_SECURITY=security,
            SMTP_USERNAME=setting("SMTP_USERNAME"),
            SMTP_PASSWORD=setting("SMTP_PASSWORD"),
            SMTP_FROM=setting("SMTP_FROM"),
        )
    if sender == "notify":
        key = setting("NOTIFY_API_KEY") or ""
        if not NOTIFY_KEY.match(key):
            raise ConfigError(
                "MESSAGE_SENDER=notify needs NOTIFY_API_KEY: the key GOV.UK Notify gives, "
                "in its name-service id-secret form."
            )
        templates = setting("NOTIFY_TEMPLATES")
        path = setting("NOTIFY_TEMPLATES_FILE")
        if templates is None and path:
            try:
                with open(path, encoding="utf-8") as handle:
                    templates = handle.read()
            except OSError as error:
                raise ConfigError(f"Cannot read NOTIFY_TEMPLATES_FILE {path}: {error.strerror}.") from None
        settings.update(
            NOTIFY_API_KEY=key,
            NOTIFY_BASE_URL=setting("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
            NOTIFY_TEMPLATES=notify_templates(templates),
        )
    return settings


def _timescales() -> dict[str, int]:
    try:
        return timescales(os.environ.get("VICTIMS_CODE_DAYS"))
    except ValueError as error:
        raise ConfigError(str(error)) from error


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
        # Development: one key kept in the instance folder, shared by the web server and
        # the message worker (which must read what the web server sealed). Tests: a
        # fresh key per process.
        secret_key = _development_key(instance_path) if env == "development" else secrets.token_hex(32)

    default_db = "sqlite:///" + os.path.join(instance_path, "trackmycrime.db")
    senders = _sender_settings(env, overrides)

    def minutes(name: str, default: int) -> timedelta:
        return timedelta(minutes=int(os.environ.get(name, str(default))))

    def number(name: str, default: int, low: int = 0) -> int:
        text = str(overrides.get(name, os.environ.get(name, default))).strip()
        if not text.isdigit() or int(text) < low:
            raise ConfigError(f"{name} must be a whole number of at least {low}, not {text!r}.")
        return int(text)

    def flag(name: str) -> bool:
        return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")

    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        # No ping before each request (a round trip on every page): a connection the
        # database dropped fails one request, and SQLAlchemy then replaces the whole
        # pool, so a database restart costs each worker one error at most. Connections
        # are renewed hourly, before a firewall forgets them.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 3600},
        **senders,
        # The outbox worker: how long a provider may take, how often and how far apart
        # a message is tried again, and how long a worker's claim on a batch lasts.
        "SEND_TIMEOUT_SECONDS": number("SEND_TIMEOUT_SECONDS", 10, 1),
        "OUTBOX_MAX_ATTEMPTS": number("OUTBOX_MAX_ATTEMPTS", 10, 1),
        "OUTBOX_BACKOFF_SECONDS": number("OUTBOX_BACKOFF_SECONDS", 30),
        "OUTBOX_BACKOFF_MAX_SECONDS": number("OUTBOX_BACKOFF_MAX_SECONDS", 3600),
        "OUTBOX_BATCH": number("OUTBOX_BATCH", 20, 1),
        "OUTBOX_LEASE_SECONDS": number("OUTBOX_LEASE_SECONDS", 600, 1),
        # Secure messages: the longest a message may be, and after how many working
        # days without a reply supervisors see a victim's message.
        "SECURE_MESSAGE_MAX_LENGTH": number("SECURE_MESSAGE_MAX_LENGTH", 2000, 1),
        "MESSAGE_REPLY_WORKING_DAYS": number("MESSAGE_REPLY_WORKING_DAYS", 2, 1),
        # The records-system API: how long a bearer token lasts, how many calls a client
        # may make, the largest body it may send, and how long a response is kept for
        # its idempotency key (and how long a concurrent duplicate waits for it).
        "API_TOKEN_SECONDS": number("API_TOKEN_SECONDS", 900, 60),
        "API_RATE_LIMIT": str(overrides.get("API_RATE_LIMIT", os.environ.get("API_RATE_LIMIT", "1200 per minute"))),
        "API_MAX_BODY_BYTES": number("API_MAX_BODY_BYTES", 65536, 1024),
        "API_IDEMPOTENCY_HOURS": number("API_IDEMPOTENCY_HOURS", 72, 24),
        "API_IDEMPOTENCY_WAIT_SECONDS": number("API_IDEMPOTENCY_WAIT_SECONDS", 10, 0),
        # The address victims are sent to in invitation links.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "ACTIVATION_LINK_TTL": timedelta(
            hours=int(os.environ.get("ACTIVATION_LINK_TTL_HOURS", "72"))
        ),
        "RESET_LINK_TTL": minutes("RESET_LINK_TTL_MINUTES", 60),
        "STAFF_SETUP_LINK_TTL": timedelta(hours=int(os.environ.get("STAFF_SETUP_LINK_TTL_HOURS", "24"))),
        # Sessions: ended after this long without a request, and this long after sign-in.
        "STAFF_SESSION_IDLE": minutes("STAFF_SESSION_IDLE_MINUTES", 30),
        "STAFF_SESSION_MAX": minutes("STAFF_SESSION_MAX_MINUTES", 10 * 60),
        "VICTIM_SESSION_IDLE": minutes("VICTIM_SESSION_IDLE_MINUTES", 15),
        "VICTIM_SESSION_MAX": minutes("VICTIM_SESSION_MAX_MINUTES", 2 * 60),
        # Sign-in, code and reset guesses per account and per address.
        "THROTTLE_LIMIT": os.environ.get("THROTTLE_LIMIT", "10 per 5 minutes"),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # How many reverse proxies (load balancer, ingress) stand in front of the app and
        # set X-Forwarded-For / X-Forwarded-Proto. 0: the headers are ignored.
        "TRUSTED_PROXIES": _count("TRUSTED_PROXIES"),
        # Local staff accounts (password and authenticator app); on unless single
        # sign-on is configured and STAFF_LOCAL_ACCOUNTS=off.
        "STAFF_LOCAL_ACCOUNTS": os.environ.get("STAFF_LOCAL_ACCOUNTS", "on").lower() not in ("0", "off", "false", "no"),
        # Staff single sign-on through the force's OpenID Connect provider.
        "STAFF_OIDC_ISSUER": os.environ.get("STAFF_OIDC_ISSUER") or None,
        "STAFF_OIDC_CLIENT_ID": os.environ.get("STAFF_OIDC_CLIENT_ID") or None,
        "STAFF_OIDC_CLIENT_SECRET": os.environ.get("STAFF_OIDC_CLIENT_SECRET") or None,
        "STAFF_OIDC_PRIVATE_KEY": _read_key(os.environ.get("STAFF_OIDC_PRIVATE_KEY_FILE")),
        "STAFF_OIDC_SCOPES": os.environ.get("STAFF_OIDC_SCOPES", "openid email profile"),
        "STAFF_OIDC_ROLES_CLAIM": os.environ.get("STAFF_OIDC_ROLES_CLAIM", "roles"),
        "STAFF_OIDC_ROLE_MAP": role_map(os.environ.get("STAFF_OIDC_ROLE_MAP", "")),
        # GOV.UK One Login for victims.
        "ONELOGIN_ENABLED": flag("ONELOGIN_ENABLED"),
        "ONELOGIN_ISSUER": os.environ.get("ONELOGIN_ISSUER", "https://oidc.account.gov.uk/"),
        "ONELOGIN_CLIENT_ID": os.environ.get("ONELOGIN_CLIENT_ID") or None,
        "ONELOGIN_PRIVATE_KEY": _read_key(os.environ.get("ONELOGIN_PRIVATE_KEY_FILE")),
        # Victims' Code timescales in days (shared.domain.victims_code_rules): the Code's values and
        # the reference's defaults, each changeable by the force. `contact_update` is the
        # update frequency a new contact plan starts with.
        "VICTIMS_CODE_DAYS": _timescales(),
        "CASES_PER_PAGE": 25,
        # Page sizes of the other lists that grow with the data (shared.services.pager).
        "TIMELINE_PER_PAGE": 20,
        "MESSAGES_PER_PAGE": 20,
        "VICTIMS_PER_PAGE": 10,
        "ADMIN_PER_PAGE": 50,
        # Histories shown only in part: their latest rows, and per Victims' Code right
        # of a victim, what is still to do and the most recent.
        "HISTORY_ROWS": 50,
        "CODE_ROWS_PER_RIGHT": 5,
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "BABEL_TRANSLATION_DIRECTORIES": os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
        ),
        "LANGUAGES": LANGUAGES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "WTF_CSRF_TIME_LIMIT": None,
        "TESTING": env == "testing",
    }
    config.update(overrides)
    config.update(senders)  # checked and parsed: overrides may give them as text
    try:
        parse_limit(config["API_RATE_LIMIT"])
    except ValueError:
        raise ConfigError(f"API_RATE_LIMIT must read like '1200 per minute', not {config['API_RATE_LIMIT']!r}.") from None
    batch_time = config["OUTBOX_BATCH"] * config["SEND_TIMEOUT_SECONDS"]
    if config["OUTBOX_LEASE_SECONDS"] <= batch_time:
        raise ConfigError(
            f"OUTBOX_LEASE_SECONDS ({config['OUTBOX_LEASE_SECONDS']}) must be longer than a batch can take to send: "
            f"OUTBOX_BATCH x SEND_TIMEOUT_SECONDS = {batch_time}. Otherwise two workers may send the same messages."
        )
    return config
