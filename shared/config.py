"""Settings read from the environment.

Every setting is read here, once, through `Settings`, which checks each as it reads it. A
bad value stops the app at start-up with a ConfigError that names the variable and says
what it must be, rather than a bare ValueError, or a negative length of time that nobody
notices until a link never works. A variable set to nothing counts as not set.

`APP_ENV` is `production` unless set otherwise. Production fails closed: every setting
it cannot do without (PRODUCTION_NEEDS) must be set, and each one missing is named at
start-up, rather than the service quietly using a SQLite file, a loopback address in the
links it sends, or counts of sign-in guesses kept per process. A secret may be given in a
file (`<NAME>_FILE`), as containers and Kubernetes provide secrets.
"""

import ipaddress
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from limits import parse as parse_limit
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from shared import resources
from shared.domain import cancellation_authority, feedback, investigation_factors
from shared.domain.code_versions import timescales
from shared.domain.permissions import ROLE_PERMISSIONS
from shared.domain.reference_data import DEFAULT_LANGUAGE, LANGUAGES
from shared.domain.victims_code_rules import update_frequency_choices


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


ENVIRONMENTS = ("production", "development", "testing")
PRODUCT_ROLES = tuple(ROLE_PERMISSIONS)
# Sign-in through OpenID Connect (shared.services.oidc): what is asked of the staff
# provider and which claim of its ID token lists the person's groups, and GOV.UK One
# Login's issuer.
DEFAULT_STAFF_SCOPES = "openid email profile"
DEFAULT_ROLES_CLAIM = "roles"
ONELOGIN_DEFAULT_ISSUER = "https://oidc.account.gov.uk/"


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


ON = ("on", "yes", "true", "1")
OFF = ("off", "no", "false", "0")
WEB = ("https", "http")
# The Redis addresses the rate limiter's storage reads (limits.storage).
REDIS = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


def _is_url(text: str, schemes: tuple[str, ...]) -> bool:
    try:
        parts = urlsplit(text)
        if "," not in parts.netloc:  # a cluster's list of hosts has no single port
            parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    if parts.scheme not in schemes or any(character.isspace() for character in text):
        return False
    return bool(parts.path) if parts.scheme.endswith("+unix") else bool(parts.hostname)


def _shown(url: str) -> str:
    """The address with any password in it hidden, for a message that is logged."""
    return re.sub(r"(//[^/@]*?:)[^/@]*@", r"\1***@", url)


def _pairs(name: str, value, form: str) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(key): str(item) for key, item in value.items()}
    pairs = {}
    for entry in filter(None, (part.strip() for part in str(value or "").split(","))):
        key, sep, item = entry.rpartition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{name} entry {entry!r} must be {form}.")
        pairs[key.strip()] = item.strip()
    return pairs


# A length of time is at most a year: longer is a mistake, and far longer overflows the
# date arithmetic of whatever adds it to now.
LONGEST = timedelta(days=365)


@dataclass(frozen=True)
class Number:
    """A setting that is a whole number: its default, its bounds and, for a length of
    time, its unit (seconds, minutes or hours)."""

    default: int
    low: int = 1
    high: int | None = None
    unit: str | None = None

    @property
    def highest(self) -> int | None:
        if self.high is None and self.unit:
            return LONGEST // timedelta(**{self.unit: 1})
        return self.high

    def expected(self) -> str:
        kind = f"a whole number of {self.unit}" if self.unit else "a whole number"
        if self.highest is None:
            return f"{kind} from {self.low} upwards"
        return f"{kind} from {self.low} to {self.highest}"


# Every setting that is a number. Settings reads a number only if it is declared here, so
# each one has its bounds, and tests/test_config.py tries each one with bad values.
NUMBERS: dict[str, Number] = {
    # The outbox worker: how long a provider may take, how often and how far apart a
    # message is tried again, and how long a worker's claim on a batch lasts.
    "SEND_TIMEOUT_SECONDS": Number(10, unit="seconds"),
    "OUTBOX_MAX_ATTEMPTS": Number(10),
    "OUTBOX_BACKOFF_SECONDS": Number(30, low=0, unit="seconds"),
    "OUTBOX_BACKOFF_MAX_SECONDS": Number(3600, low=0, unit="seconds"),
    "OUTBOX_BATCH": Number(20),
    "OUTBOX_LEASE_SECONDS": Number(600, unit="seconds"),
    # How long a message GOV.UK Notify took may go without a delivery receipt before the
    # worker asks Notify its status (and then again, each time this long after).
    "NOTIFY_POLL_AFTER_MINUTES": Number(60, unit="minutes"),
    # Secure messages: the longest a message may be, and after how many working days
    # without a reply supervisors see a victim's message (at most a year's, as for the
    # Victims' Code timescales).
    "SECURE_MESSAGE_MAX_LENGTH": Number(2000),
    "MESSAGE_REPLY_WORKING_DAYS": Number(2, high=365),
    # Victims' feedback in the compliance report: a group with fewer answers to a
    # question than this shows it as suppressed, so that no victim can be picked out.
    "FEEDBACK_MIN_COUNT": Number(10, high=1000),
    # The records-system API: how long a bearer token lasts, the largest body a client
    # may send, and how long a response is kept for its idempotency key (and how long a
    # concurrent duplicate waits for it).
    "API_TOKEN_SECONDS": Number(900, low=60, unit="seconds"),
    "API_MAX_BODY_BYTES": Number(65536, low=1024),
    "API_IDEMPOTENCY_HOURS": Number(72, low=24, unit="hours"),
    "API_IDEMPOTENCY_WAIT_SECONDS": Number(10, low=0, unit="seconds"),
    # The largest request body any other route takes (Flask's own setting): the forms
    # need a few kilobytes, the longest (an update and its note) well under 100 KB.
    "MAX_CONTENT_LENGTH": Number(102400, low=16384),
    # How long the links sent to victims and staff work.
    "ACTIVATION_LINK_TTL_HOURS": Number(72, unit="hours"),
    "RESET_LINK_TTL_MINUTES": Number(60, unit="minutes"),
    "STAFF_SETUP_LINK_TTL_HOURS": Number(24, unit="hours"),
    # Sessions: ended after this long without a request, and this long after sign-in.
    "STAFF_SESSION_IDLE_MINUTES": Number(30, unit="minutes"),
    "STAFF_SESSION_MAX_MINUTES": Number(10 * 60, unit="minutes"),
    "VICTIM_SESSION_IDLE_MINUTES": Number(15, unit="minutes"),
    "VICTIM_SESSION_MAX_MINUTES": Number(2 * 60, unit="minutes"),
    # The warning a signed-in user is given this long before their session ends, with a
    # button to stay signed in (WCAG 2.2 success criterion 2.2.1): shorter than either
    # idle limit.
    "SESSION_WARNING_MINUTES": Number(2, unit="minutes", high=30),
    # How many reverse proxies (load balancer, ingress) stand in front of the app and
    # set X-Forwarded-For / X-Forwarded-Proto. 0: the headers are ignored.
    "TRUSTED_PROXIES": Number(0, low=0),
    # The default depends on SMTP_SECURITY: 465 for ssl, otherwise 587.
    "SMTP_PORT": Number(587, high=65535),
    # Housekeeping (`flask purge`): days kept after a session ended, after a link stopped
    # working, and after a message was sent (or its failure was dealt with). Up to ten
    # years, for a force whose policy keeps them long.
    "RETAIN_SESSIONS_DAYS": Number(30, unit="days", high=3650),
    "RETAIN_LINKS_DAYS": Number(30, unit="days", high=3650),
    "RETAIN_NOTIFICATIONS_DAYS": Number(90, unit="days", high=3650),
    # security.txt's Expires, this many days ahead: RFC 9116 asks for less than a year.
    "SECURITY_TXT_EXPIRES_DAYS": Number(180, unit="days", high=364),
}
# The web server's numbers, read by server_settings (for gunicorn) rather than by the app.
SERVER_NUMBERS: dict[str, Number] = {
    "PORT": Number(8000, high=65535),
    # gunicorn's worker processes; by default as many as the CPUs suggest (server_settings).
    "WEB_CONCURRENCY": Number(2, high=64),
}


class Settings:
    """The one reader of the environment: each method reads one setting and checks it.

    A setting given in `overrides` (create_app's `config`) is read from there instead, and
    checked the same: text as the environment's would be, and a value set by code (a
    number, True) for what it must be. What was read from there is kept in `taken`, for
    the config to hold the value read rather than the text. Raises ConfigError naming the
    variable and what it must be.
    """

    def __init__(self, overrides: Mapping, environ: Mapping[str, str] = os.environ):
        self.overrides = overrides
        self.environ = environ
        self.taken: dict[str, object] = {}

    def _read(self, name: str, value):
        if name in self.overrides:
            self.taken[name] = value
        return value

    def given(self, name: str):
        """What was given for `name`, or None when it is not set or set to nothing."""
        value = self.overrides[name] if name in self.overrides else self.environ.get(name)
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.given(name)
        return default if value is None else str(value)

    def secret(self, name: str) -> str | None:
        """A secret given as `name` itself or in the file `name`_FILE names, as
        containers and Kubernetes provide secrets; the file's trailing new line is not
        part of it. Raises ConfigError when both are set, or the file cannot be read or
        is empty."""
        value = self.text(name)
        path = self.text(f"{name}_FILE")
        if path is None:
            return value
        if value is not None:
            raise ConfigError(f"{name} and {name}_FILE are both set: set one of them.")
        try:
            with open(path, encoding="utf-8") as handle:
                secret = handle.read().rstrip("\r\n")
        except OSError as error:
            raise ConfigError(f"Cannot read {name}_FILE {path}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{name}_FILE {path} is not UTF-8 text.") from None
        if not secret.strip():
            raise ConfigError(f"{name}_FILE {path} is empty.")
        return secret

    def keys(self, name: str) -> list[str]:
        """Keys separated by commas, spaces or new lines, from `name` or the file
        `name`_FILE names; a list given by code is taken as it is."""
        value = self.given(name)
        if isinstance(value, list | tuple):
            keys = [str(key) for key in value]
        else:
            keys = re.split(r"[\s,]+", self.secret(name) or "")
        return self._read(name, [key for key in keys if key])

    def whole(self, name: str, default: int | None = None) -> int:
        """A whole number within the bounds declared for it in NUMBERS; `default`, if
        given, stands in for the declared one (when it depends on another setting)."""
        number = NUMBERS[name] if name in NUMBERS else SERVER_NUMBERS[name]
        value = self.given(name)
        if value is None:
            return number.default if default is None else default
        if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            whole = int(value.strip())
        elif isinstance(value, int) and not isinstance(value, bool):
            whole = value
        else:
            whole = None
        if whole is None or whole < number.low or (number.highest is not None and whole > number.highest):
            raise ConfigError(f'{name} must be {number.expected()} (got "{value}").')
        return self._read(name, whole)

    def duration(self, name: str) -> timedelta:
        """A length of time, from a whole number in the unit declared in NUMBERS."""
        unit = NUMBERS[name].unit
        if unit is None:
            raise KeyError(f"{name} is declared in NUMBERS without a unit.")
        return timedelta(**{unit: self.whole(name)})

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.given(name)
        if value is None:
            return default
        if str(value).strip() not in choices:
            raise ConfigError(f'{name} must be one of {", ".join(choices)} (got "{value}").')
        return self._read(name, str(value).strip())

    def flag(self, name: str, default: bool) -> bool:
        """On or off: on, yes, true or 1; off, no, false or 0, in any case."""
        value = self.given(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return self._read(name, value)
        word = str(value).strip().lower()
        if word not in ON + OFF:
            raise ConfigError(
                f'{name} must be on or off, yes or no, true or false, or 1 or 0 (got "{value}").'
            )
        return self._read(name, word in ON)

    def url(self, name: str, default: str | None = None, schemes: tuple[str, ...] = WEB) -> str | None:
        """An address with one of `schemes` and a host (for a Unix socket, a path).
        Plain http is allowed in every environment: the tests and the load runs serve
        the app on a loopback address."""
        value = self.given(name)
        if value is None:
            return default
        text = str(value).strip()
        if not _is_url(text, schemes):
            where = " or ".join(f"{scheme}://" for scheme in schemes)
            raise ConfigError(
                f'{name} must be an address starting {where}, with a host (got "{_shown(text)}").'
            )
        return self._read(name, text)

    def database(self, name: str, default: str) -> str:
        """A database address SQLAlchemy can connect with, its driver installed."""
        value = self.given(name)
        if value is None:
            return default
        text = str(value).strip()
        try:
            make_url(text).get_dialect()
        except (ArgumentError, NoSuchModuleError, ImportError):
            raise ConfigError(
                f"{name} must be a database address such as postgresql+psycopg://user@host/trackmycrime "
                f'(got "{_shown(text)}").'
            ) from None
        return self._read(name, text)

    def pairs(self, name: str, form: str) -> dict[str, str]:
        """A comma-separated list of name=value pairs, such as `a=1, b=2`, as a dict; a
        dict given by code is taken as it is. Raises ConfigError for an entry not in
        `form`, the words the message shows."""
        return self._read(name, _pairs(name, self.given(name), form))

    def rate(self, name: str, default: str) -> str:
        """A rate limit in the words Flask-Limiter reads, such as `10 per 5 minutes`."""
        value = self.given(name)
        if value is None:
            return default
        text = str(value).strip()
        try:
            parse_limit(text)
        except ValueError:
            raise ConfigError(f'{name} must read like "{default}" (got "{value}").') from None
        return self._read(name, text)


ROLE_MAP_FORM = "claim-value=role"


def role_map(value) -> dict[str, str]:
    """STAFF_OIDC_ROLE_MAP as {claim value: product role}, from the environment's
    `Group-A=officer,Group-B=supervisor` or from a dict given directly. Raises
    ConfigError for an entry that is not claim-value=role or names an unknown role."""
    pairs = _pairs("STAFF_OIDC_ROLE_MAP", value, ROLE_MAP_FORM)
    unknown = sorted(set(pairs.values()) - set(PRODUCT_ROLES))
    if unknown:
        raise ConfigError(
            f"STAFF_OIDC_ROLE_MAP names unknown roles: {', '.join(unknown)}. "
            f"The roles are {', '.join(PRODUCT_ROLES)}."
        )
    return pairs


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


# Kinds a force needs a template for only when it turns them on: the officer's alert
# of a victim's message (STAFF_MESSAGE_ALERTS).
OPTIONAL_KINDS = {"victim_wrote": "STAFF_MESSAGE_ALERTS"}


def notify_templates(value, turned_on: frozenset[str] = frozenset()) -> dict[str, str]:
    """NOTIFY_TEMPLATES as {kind.channel.language: template id}: a dict, JSON, or
    `new_update.email.en=<id>,new_update.email.cy=<id>,...`. Raises ConfigError for a
    missing or unknown template or an id that is not a UUID. A template of an optional
    kind is needed only when its setting is in `turned_on`."""
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
            templates = _pairs("NOTIFY_TEMPLATES", text, "kind.channel.language=template-id")
    known = needed_templates()
    needed = [
        name
        for name in known
        if OPTIONAL_KINDS.get(name.split(".")[0]) is None or OPTIONAL_KINDS[name.split(".")[0]] in turned_on
    ]
    unknown = sorted(set(templates) - set(known))
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
        raise ConfigError(
            f"NOTIFY_TEMPLATES ids must be GOV.UK Notify template ids (UUIDs): {', '.join(bad)}."
        )
    return templates


def security_contacts(value) -> tuple[str, ...]:
    """SECURITY_CONTACT as the Contact lines of security.txt (RFC 9116): a comma-separated
    list of `mailto:`, `https://` or `tel:` addresses, a bare email address being taken
    as mailto:. Raises ConfigError for anything else."""
    entries = value if isinstance(value, list | tuple) else str(value or "").split(",")
    contacts = []
    for entry in filter(None, (str(part).strip() for part in entries)):
        if re.fullmatch(r"[^@:/\s]+@[^@:/\s]+\.[^@:/\s]+", entry):
            entry = f"mailto:{entry}"
        good = (
            re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", entry)
            or re.fullmatch(r"tel:\+?[0-9][0-9-]*", entry)
            or (entry.startswith("https://") and _is_url(entry, ("https",)))
        )
        if not good:
            raise ConfigError(
                f'SECURITY_CONTACT must be email addresses, https:// addresses or tel: numbers, separated by commas (got "{entry}").'
            )
        contacts.append(entry)
    return tuple(contacts)


_EMAIL = re.compile(r"[^@:/\s]+@[^@:/\s]+\.[^@:/\s]+")
# The longest force name shown in the public pages.
LONGEST_FORCE_NAME = 100


def contact_link(name: str, value) -> str | None:
    """A contact given as an email address (taken as mailto:), a mailto: address or an
    https:// address, as a link a page can show; None when not set. Raises ConfigError
    for anything else."""
    if value is None:
        return None
    text = str(value).strip()
    if _EMAIL.fullmatch(text):
        return f"mailto:{text}"
    if (text.startswith("mailto:") and _EMAIL.fullmatch(text[len("mailto:") :])) or (
        text.startswith("https://") and _is_url(text, ("https",))
    ):
        return text
    raise ConfigError(
        f'{name} must be an email address, a mailto: address or an https:// address (got "{text}").'
    )


def _public_pages_settings(read: Settings) -> dict:
    """What the public pages (accessibility statement, privacy notice, help, the phase
    banner) say of the force running the service; each has wording for when it is not set."""
    force = read.text("FORCE_NAME")
    if force is not None:
        force = force.strip()
        if len(force) > LONGEST_FORCE_NAME or not force.isprintable():
            raise ConfigError(
                f"FORCE_NAME must be the force's name on one line, at most {LONGEST_FORCE_NAME} characters "
                f'(got "{force}").'
            )
    settings = {"FORCE_NAME": force if force is None else read._read("FORCE_NAME", force)}
    for name in ("FEEDBACK_CONTACT", "ACCESSIBILITY_CONTACT", "DATA_PROTECTION_CONTACT"):
        settings[name] = read._read(name, contact_link(name, read.given(name)))
    return settings


# The letter for a victim's insurer (shared.services.insurer_letter) is written in DejaVu
# Sans, a Unicode font with the Welsh letters the PDF core fonts lack (ŵ, ŷ): Debian's
# fonts-dejavu-core puts it here.
DEFAULT_LETTER_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
LETTER_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def _letter_font_dir(read: Settings) -> str:
    """LETTER_FONT_DIR, checked to hold the two fonts the letter needs: a letter that
    could not be written would fail only when a victim asks for it."""
    folder = read.text("LETTER_FONT_DIR", DEFAULT_LETTER_FONT_DIR) or DEFAULT_LETTER_FONT_DIR
    missing = [name for name in LETTER_FONTS if not os.path.isfile(os.path.join(folder, name))]
    if missing:
        raise ConfigError(
            f"LETTER_FONT_DIR must be a folder holding {' and '.join(LETTER_FONTS)} (Debian's fonts-dejavu-core "
            f'installs them in {DEFAULT_LETTER_FONT_DIR}); {", ".join(missing)} is not in "{folder}".'
        )
    return read._read("LETTER_FONT_DIR", folder)


def _session_warning(read: Settings) -> timedelta:
    """SESSION_WARNING_MINUTES, checked to be shorter than both idle limits: a warning as
    long as the session would show at once."""
    warning = read.duration("SESSION_WARNING_MINUTES")
    for idle in ("VICTIM_SESSION_IDLE_MINUTES", "STAFF_SESSION_IDLE_MINUTES"):
        if warning >= read.duration(idle):
            raise ConfigError(
                f"SESSION_WARNING_MINUTES ({warning // timedelta(minutes=1)}) must be shorter than {idle} "
                f"({read.duration(idle) // timedelta(minutes=1)})."
            )
    return warning


def _sender_settings(env: str, read: Settings) -> dict:
    """How notifications are sent (shared.clients.senders), checked so that a mistake stops
    the service at start-up rather than losing notifications later."""
    sender = read.choice("NOTIFICATION_SENDER", SENDERS, "log")
    if env == "production" and sender == "log":
        raise ConfigError(
            "NOTIFICATION_SENDER=log writes notifications to the log and is for development only. "
            "Set NOTIFICATION_SENDER=notify (GOV.UK Notify) or NOTIFICATION_SENDER=smtp for production."
        )
    settings: dict[str, object] = {"NOTIFICATION_SENDER": sender}
    if sender == "smtp":
        security = read.choice("SMTP_SECURITY", SMTP_SECURITY, "starttls")
        if not read.text("SMTP_HOST") or not read.text("SMTP_FROM"):
            raise ConfigError(
                "NOTIFICATION_SENDER=smtp needs SMTP_HOST and SMTP_FROM (the address messages come from)."
            )
        settings.update(
            SMTP_HOST=read.text("SMTP_HOST"),
            SMTP_PORT=read.whole("SMTP_PORT", 465 if security == "ssl" else None),
            SMTP_SECURITY=security,
            SMTP_USERNAME=read.text("SMTP_USERNAME"),
            SMTP_PASSWORD=read.secret("SMTP_PASSWORD"),
            SMTP_FROM=read.text("SMTP_FROM"),
        )
    if sender == "notify":
        key = read.secret("NOTIFY_API_KEY") or ""
        if not NOTIFY_KEY.match(key):
            raise ConfigError(
                "NOTIFICATION_SENDER=notify needs NOTIFY_API_KEY: the key GOV.UK Notify gives, "
                "in its name-service id-secret form."
            )
        templates = read.given("NOTIFY_TEMPLATES")
        path = read.text("NOTIFY_TEMPLATES_FILE")
        if templates is None and path:
            try:
                with open(path, encoding="utf-8") as handle:
                    templates = handle.read()
            except OSError as error:
                raise ConfigError(f"Cannot read NOTIFY_TEMPLATES_FILE {path}: {error.strerror}.") from None
        settings.update(
            NOTIFY_API_KEY=key,
            NOTIFY_BASE_URL=read.url("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
            NOTIFY_TEMPLATES=notify_templates(
                templates, frozenset(name for name in OPTIONAL_KINDS.values() if read.flag(name, False))
            ),
        )
    return settings


def _callback_token(read: Settings) -> str | None:
    """NOTIFY_CALLBACK_TOKEN: the bearer token the force gives GOV.UK Notify for its
    delivery receipts (shared.web.notify_callbacks); none, and receipts are not taken."""
    token = read.secret("NOTIFY_CALLBACK_TOKEN")
    if token is not None and (len(token) < METRICS_TOKEN_LENGTH or any(c.isspace() for c in token)):
        raise ConfigError(
            f"NOTIFY_CALLBACK_TOKEN must be at least {METRICS_TOKEN_LENGTH} characters with no spaces "
            "(for example the output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
        )
    return token


LOG_FORMATS = ("json", "text")
# A bearer token shorter than this could be guessed.
METRICS_TOKEN_LENGTH = 32


def _metrics_directory(read: Settings) -> str | None:
    directory = read.text("PROMETHEUS_MULTIPROC_DIR")
    if directory is not None and not (os.path.isdir(directory) and os.access(directory, os.W_OK)):
        raise ConfigError(
            f'PROMETHEUS_MULTIPROC_DIR must be a directory the service can write to (got "{directory}").'
        )
    return directory


def _operations_settings(env: str, read: Settings) -> dict:
    """How the service shows itself to the people who run it (shared.web.logs and
    shared.web.metrics): the log format, and the token and directory of the metrics."""
    token = read.secret("METRICS_TOKEN")
    if token is not None and (len(token) < METRICS_TOKEN_LENGTH or any(c.isspace() for c in token)):
        raise ConfigError(
            f"METRICS_TOKEN must be at least {METRICS_TOKEN_LENGTH} characters with no spaces "
            "(for example the output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
        )
    directory = _metrics_directory(read)
    return {
        # JSON lines for a log collector; readable lines for a developer's terminal.
        "LOG_FORMAT": read.choice("LOG_FORMAT", LOG_FORMATS, "text" if env == "development" else "json"),
        # Without a token the metrics are not served at all.
        "METRICS_TOKEN": token,
        # Set by whoever starts gunicorn, for prometheus-client, which reads it itself: the
        # web workers' counts are kept there and added up when scraped.
        "PROMETHEUS_MULTIPROC_DIR": directory,
    }


# The most worker processes the default gives, however many CPUs the machine has: each
# holds its own database connections, and a container is seldom given more CPUs than this.
MOST_DEFAULT_WORKERS = 8
# An address gunicorn listens at: `host:port` (`[v6]:port`), `unix:PATH` or `fd://N`.
_LISTEN = re.compile(r"unix:/\S+|fd://[0-9]+|(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}")


def default_workers() -> int:
    """Two worker processes per CPU this process may run on, and one more, as gunicorn's
    documentation suggests; at most MOST_DEFAULT_WORKERS."""
    return min(2 * len(os.sched_getaffinity(0)) + 1, MOST_DEFAULT_WORKERS)


def _listen_host(host: str) -> str:
    """HOST as gunicorn's `bind` writes it: an IPv6 address in brackets."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", host):
            return host
        raise ConfigError(
            f'HOST must be an IP address or a host name, such as 0.0.0.0 or 127.0.0.1 (got "{host}").'
        ) from None
    return f"[{address}]" if address.version == 6 else str(address)


def server_settings(environ: Mapping[str, str] | None = None) -> dict:
    """The web server's settings from the environment (shared.web.serving gives them to
    gunicorn): the addresses it listens at, from BIND, or else HOST (all interfaces, as a
    container needs, unless set) and PORT; WEB_CONCURRENCY worker processes; whether the
    metrics are served, and the directory where the workers keep their counts. Raises
    ConfigError naming a bad setting, or BIND set with HOST or PORT."""
    read = Settings({}) if environ is None else Settings({}, environ)
    bind = read.text("BIND")
    if bind is None:
        # All interfaces unless HOST says otherwise: a container's are its own.
        host = _listen_host((read.text("HOST") or "0.0.0.0").strip())  # noqa: S104
        addresses = [f"{host}:{read.whole('PORT')}"]
    elif read.given("HOST") is not None or read.given("PORT") is not None:
        raise ConfigError("BIND is set, and so is HOST or PORT: set BIND alone, or HOST and PORT.")
    else:
        addresses = [address for address in re.split(r"[\s,]+", bind) if address]
        wrong = [address for address in addresses if not _LISTEN.fullmatch(address)]
        if wrong:
            raise ConfigError(
                "BIND must be addresses separated by commas, each HOST:PORT, unix:PATH or fd://N "
                f'(got "{wrong[0]}").'
            )
    return {
        "bind": addresses,
        "workers": read.whole("WEB_CONCURRENCY", default_workers()),
        "metrics": read.given("METRICS_TOKEN") is not None or read.given("METRICS_TOKEN_FILE") is not None,
        "metrics_directory": _metrics_directory(read),
        # Without REDIS_URL, SINGLE_PROCESS=on stands for one process alone serving requests.
        "single_process": read.flag("SINGLE_PROCESS", False) and read.given("REDIS_URL") is None,
    }


def _timescales(read: Settings) -> dict[str, int]:
    try:
        return timescales(read.text("VICTIMS_CODE_DAYS"))
    except ValueError as error:
        raise ConfigError(str(error)) from error


def _update_frequency_choices(read: Settings) -> tuple[int, ...]:
    try:
        return read._read(
            "UPDATE_FREQUENCY_CHOICES", update_frequency_choices(read.text("UPDATE_FREQUENCY_CHOICES"))
        )
    except ValueError as error:
        raise ConfigError(str(error)) from error


def _feedback_points(read: Settings) -> tuple[str, ...]:
    """FEEDBACK_POINTS (shared.domain.feedback.parse_points), kept as read when create_app's
    config gives it."""
    given = read.given("FEEDBACK_POINTS")
    if isinstance(given, list | tuple):
        given = ",".join(given) or "none"
    try:
        return read._read("FEEDBACK_POINTS", feedback.parse_points(None if given is None else str(given)))
    except ValueError as error:
        raise ConfigError(str(error)) from error


def _investigation_factors(read: Settings) -> tuple[str, ...]:
    """The factors an officer picks from when recording a decision not to investigate
    further (shared.domain.investigation_factors); kept as read when create_app's config
    gives them."""
    name = investigation_factors.SETTING
    value = read.given(name)
    if isinstance(value, list | tuple):
        value = ",".join(str(code) for code in value)
    try:
        return read._read(name, investigation_factors.parse(value))
    except ValueError as error:
        raise ConfigError(str(error)) from error


def _cancellation_authorisers(read: Settings) -> cancellation_authority.Matrix:
    """The matrix CANCELLATION_AUTHORISERS gives, or the default; kept as read (not as
    the text) when create_app's config gives it."""
    name = cancellation_authority.SETTING
    try:
        return read._read(name, cancellation_authority.parse(read.text(name)))
    except ValueError as error:
        raise ConfigError(str(error)) from error


# What production cannot run without, each with what to set it to. REDIS_URL is needed
# when more than one process serves requests, which is taken to be the case unless
# SINGLE_PROCESS=on says otherwise: gunicorn's workers, several containers, a restart
# overlapping the old process each count their own sign-in guesses without it.
PRODUCTION_NEEDS = {
    "SECRET_KEY": "a long random value (or SECRET_KEY_FILE, naming a file that holds it), for example the "
    "output of `python -c 'import secrets; print(secrets.token_hex(32))'`",
    "DATABASE_URL": "the database's address, e.g. postgresql+psycopg://user@host/trackmycrime",
    "PUBLIC_BASE_URL": "the address people reach the service at, e.g. https://track.police.example: "
    "the links victims and staff are sent start with it",
    "REDIS_URL": "the Redis every process keeps sign-in guess counts and rate limits in, e.g. "
    "redis://cache.police.example:6379/0 (or set SINGLE_PROCESS=on if one process alone serves requests)",
}
# Long enough to be guessed by nobody: 32 characters, as `secrets.token_hex(16)` gives.
SHORTEST_SECRET_KEY = 32


def _refuse_what_production_lacks(read: Settings, secret_key: str | None) -> None:
    """Raise ConfigError naming every setting production needs that is not set, and a
    secret key too short to be safe."""
    given = {
        "SECRET_KEY": secret_key,
        # Code may give SQLAlchemy's own setting instead (the benchmark does).
        "DATABASE_URL": read.given("DATABASE_URL") or read.overrides.get("SQLALCHEMY_DATABASE_URI"),
        "PUBLIC_BASE_URL": read.given("PUBLIC_BASE_URL"),
        "REDIS_URL": read.given("REDIS_URL") or read.flag("SINGLE_PROCESS", False),
    }
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise ConfigError(
            " ".join(f"{name} is not set. Set it to {PRODUCTION_NEEDS[name]}." for name in missing)
            + " (APP_ENV is production unless set: set APP_ENV=development to run locally.)"
        )
    if secret_key is not None and len(secret_key) < SHORTEST_SECRET_KEY:
        raise ConfigError(
            f"SECRET_KEY must be at least {SHORTEST_SECRET_KEY} characters long in production "
            f"(it has {len(secret_key)}). Set it to {PRODUCTION_NEEDS['SECRET_KEY']}."
        )


def default_database(instance_path: str) -> str:
    """The database used outside production when DATABASE_URL is not set: a SQLite file
    in the instance folder, the one thing the service writes there."""
    return "sqlite:///" + os.path.join(instance_path, "trackmycrime.db")


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config from the environment, then apply `overrides`.

    Raises ConfigError when a required setting is missing or has a bad value.
    """
    overrides = dict(overrides or {})
    read = Settings(overrides)
    env = read.choice("APP_ENV", ENVIRONMENTS, "production")
    secret_key = read.secret("SECRET_KEY")
    if env == "production":
        _refuse_what_production_lacks(read, secret_key)
    if not secret_key:
        # Development: one key kept in the instance folder, shared by the web server and
        # the message worker (which must read what the web server sealed). Tests: a
        # fresh key per process.
        secret_key = _development_key(instance_path) if env == "development" else secrets.token_hex(32)

    default_db = default_database(instance_path)
    senders = _sender_settings(env, read)
    contacts = security_contacts(read.given("SECURITY_CONTACT"))

    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret_key,
        # Keys used before SECRET_KEY, still accepted for what they signed or sealed
        # until it has been signed or sealed again (Flask's sessions read them too).
        "SECRET_KEY_FALLBACKS": read.keys("SECRET_KEY_FALLBACKS"),
        "SQLALCHEMY_DATABASE_URI": read.database("DATABASE_URL", default_db),
        # No ping before each request (a round trip on every page): a connection the
        # database dropped fails one request, and SQLAlchemy then replaces the whole
        # pool, so a database restart costs each worker one error at most. Connections
        # are renewed hourly, before a firewall forgets them.
        # In production a database error's message leaves out the values of the statement
        # (a password hash, a message's text), since the message reaches the logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 3600, "hide_parameters": env == "production"},
        **senders,
        # The numbers: what each is for is in NUMBERS.
        "SEND_TIMEOUT_SECONDS": read.whole("SEND_TIMEOUT_SECONDS"),
        "OUTBOX_MAX_ATTEMPTS": read.whole("OUTBOX_MAX_ATTEMPTS"),
        "OUTBOX_BACKOFF_SECONDS": read.whole("OUTBOX_BACKOFF_SECONDS"),
        "OUTBOX_BACKOFF_MAX_SECONDS": read.whole("OUTBOX_BACKOFF_MAX_SECONDS"),
        "OUTBOX_BATCH": read.whole("OUTBOX_BATCH"),
        "OUTBOX_LEASE_SECONDS": read.whole("OUTBOX_LEASE_SECONDS"),
        # GOV.UK Notify's delivery receipts: the callback's token and when to ask instead.
        "NOTIFY_CALLBACK_TOKEN": _callback_token(read),
        "NOTIFY_POLL_AFTER_MINUTES": read.whole("NOTIFY_POLL_AFTER_MINUTES"),
        # Whether the officer in charge is emailed (content-free) when a victim writes.
        "STAFF_MESSAGE_ALERTS": read.flag("STAFF_MESSAGE_ALERTS", False),
        "SECURE_MESSAGE_MAX_LENGTH": read.whole("SECURE_MESSAGE_MAX_LENGTH"),
        "MESSAGE_REPLY_WORKING_DAYS": read.whole("MESSAGE_REPLY_WORKING_DAYS"),
        # Victims' feedback: the points the portal offers the survey at, and the fewest
        # answers the report shows (shared.domain.feedback, shared.services.feedback).
        "FEEDBACK_POINTS": _feedback_points(read),
        "FEEDBACK_MIN_COUNT": read.whole("FEEDBACK_MIN_COUNT"),
        "API_TOKEN_SECONDS": read.whole("API_TOKEN_SECONDS"),
        "API_MAX_BODY_BYTES": read.whole("API_MAX_BODY_BYTES"),
        "API_IDEMPOTENCY_HOURS": read.whole("API_IDEMPOTENCY_HOURS"),
        "API_IDEMPOTENCY_WAIT_SECONDS": read.whole("API_IDEMPOTENCY_WAIT_SECONDS"),
        "MAX_CONTENT_LENGTH": read.whole("MAX_CONTENT_LENGTH"),
        # How many calls a records system may make to the API.
        "API_RATE_LIMIT": read.rate("API_RATE_LIMIT", "1200 per minute"),
        # The address victims are sent to in invitation links.
        "PUBLIC_BASE_URL": read.url("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # How long links work and sessions last: see NUMBERS.
        "ACTIVATION_LINK_TTL": read.duration("ACTIVATION_LINK_TTL_HOURS"),
        "RESET_LINK_TTL": read.duration("RESET_LINK_TTL_MINUTES"),
        "STAFF_SETUP_LINK_TTL": read.duration("STAFF_SETUP_LINK_TTL_HOURS"),
        "STAFF_SESSION_IDLE": read.duration("STAFF_SESSION_IDLE_MINUTES"),
        "STAFF_SESSION_MAX": read.duration("STAFF_SESSION_MAX_MINUTES"),
        "VICTIM_SESSION_IDLE": read.duration("VICTIM_SESSION_IDLE_MINUTES"),
        "VICTIM_SESSION_MAX": read.duration("VICTIM_SESSION_MAX_MINUTES"),
        "SESSION_WARNING": _session_warning(read),
        # The force's name and contacts on the public pages: see _public_pages_settings.
        **_public_pages_settings(read),
        # Sign-in, code and reset guesses per account and per address.
        "THROTTLE_LIMIT": read.rate("THROTTLE_LIMIT", "10 per 5 minutes"),
        # Victims a member of staff, or a records system, may add in a while.
        "VICTIM_ADD_LIMIT": read.rate("VICTIM_ADD_LIMIT", "30 per hour"),
        "API_VICTIM_ADD_LIMIT": read.rate("API_VICTIM_ADD_LIMIT", "1000 per hour"),
        "REDIS_URL": read.url("REDIS_URL", schemes=REDIS),
        # On only where one process alone serves requests: production then runs without Redis.
        "SINGLE_PROCESS": read.flag("SINGLE_PROCESS", False),
        "TRUSTED_PROXIES": read.whole("TRUSTED_PROXIES"),
        # Housekeeping: see NUMBERS.
        "RETAIN_SESSIONS": read.duration("RETAIN_SESSIONS_DAYS"),
        "RETAIN_LINKS": read.duration("RETAIN_LINKS_DAYS"),
        "RETAIN_NOTIFICATIONS": read.duration("RETAIN_NOTIFICATIONS_DAYS"),
        # Who to tell of a vulnerability, in /.well-known/security.txt (none: no such file).
        "SECURITY_CONTACT": contacts,
        "SECURITY_TXT_EXPIRES": read.duration("SECURITY_TXT_EXPIRES_DAYS"),
        # Local staff accounts (password and authenticator app); on unless single
        # sign-on is configured and STAFF_LOCAL_ACCOUNTS=off.
        "STAFF_LOCAL_ACCOUNTS": read.flag("STAFF_LOCAL_ACCOUNTS", True),
        # Staff single sign-on through the force's OpenID Connect provider.
        "STAFF_OIDC_ISSUER": read.url("STAFF_OIDC_ISSUER"),
        "STAFF_OIDC_CLIENT_ID": read.text("STAFF_OIDC_CLIENT_ID"),
        "STAFF_OIDC_CLIENT_SECRET": read.secret("STAFF_OIDC_CLIENT_SECRET"),
        "STAFF_OIDC_PRIVATE_KEY": read.secret("STAFF_OIDC_PRIVATE_KEY"),
        "STAFF_OIDC_SCOPES": read.text("STAFF_OIDC_SCOPES", DEFAULT_STAFF_SCOPES),
        "STAFF_OIDC_ROLES_CLAIM": read.text("STAFF_OIDC_ROLES_CLAIM", DEFAULT_ROLES_CLAIM),
        "STAFF_OIDC_ROLE_MAP": role_map(read.pairs("STAFF_OIDC_ROLE_MAP", ROLE_MAP_FORM)),
        # GOV.UK One Login for victims.
        "ONELOGIN_ENABLED": read.flag("ONELOGIN_ENABLED", False),
        "ONELOGIN_ISSUER": read.url("ONELOGIN_ISSUER", ONELOGIN_DEFAULT_ISSUER),
        "ONELOGIN_CLIENT_ID": read.text("ONELOGIN_CLIENT_ID"),
        "ONELOGIN_PRIVATE_KEY": read.secret("ONELOGIN_PRIVATE_KEY"),
        **_operations_settings(env, read),
        # Victims' Code timescales in days (shared.domain.victims_code_rules): the Code's values and
        # the reference's defaults, each changeable by the force. `contact_update` is the
        # update frequency a new contact plan starts with.
        "VICTIMS_CODE_DAYS": _timescales(read),
        # How often, in days, a victim may choose online to be updated.
        "UPDATE_FREQUENCY_CHOICES": _update_frequency_choices(read),
        # Who may authorise cancelling a crime record, by the offence's gravity and the
        # reason (shared.domain.cancellation_authority, which holds the default).
        "CANCELLATION_AUTHORISERS": _cancellation_authorisers(read),
        # The force's published factors for a decision not to investigate further, in
        # the order the officer's form lists them (the four most forces use by default).
        "NOT_INVESTIGATED_FACTORS": _investigation_factors(read),
        # Where the fonts of the letter for a victim's insurer are: see _letter_font_dir.
        "LETTER_FONT_DIR": _letter_font_dir(read),
        # The new Code's proposal: a child victim may be contacted directly from age 12,
        # alongside or instead of the parent or guardian (shared.domain.children).
        "CHILD_DIRECT_CONTACT": read.flag("CHILD_DIRECT_CONTACT", False),
        "CASES_PER_PAGE": 25,
        # Page sizes of the other lists that grow with the data. The view that shows a list
        # reads its size here and hands it to the service (shared.services.pager).
        "TIMELINE_PER_PAGE": 20,
        "MESSAGES_PER_PAGE": 20,
        "VICTIMS_PER_PAGE": 10,
        "ADMIN_PER_PAGE": 50,
        "AUDIT_PER_PAGE": 50,
        "ACTION_PLAN_PER_PAGE": 50,
        # Histories shown only in part: their latest rows, and per Victims' Code right
        # of a victim, what is still to do and the most recent.
        "HISTORY_ROWS": 50,
        "CODE_ROWS_PER_RIGHT": 5,
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "BABEL_TRANSLATION_DIRECTORIES": resources.folder("translations"),
        "LANGUAGES": LANGUAGES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "WTF_CSRF_TIME_LIMIT": None,
        # Over HTTPS Flask-WTF also insists on a same-site Referer, but every page asks
        # browsers to send none (Referrer-Policy: no-referrer, so no case reference leaks
        # to another site); the check would refuse every form in production. The signed
        # form token and SameSite cookies protect the forms.
        "WTF_CSRF_SSL_STRICT": False,
        "TESTING": env == "testing",
    }
    config.update(overrides)
    # Checked and read: overrides may give them as text.
    config.update(senders)
    config.update(read.taken, SECURITY_CONTACT=contacts)
    if config["SECRET_KEY_FALLBACKS"]:
        # Flask-WTF signs form tokens with one key; itsdangerous, which it uses, takes a
        # list, signs with the last and accepts any, so a form loaded before the key
        # changed can still be sent.
        config["WTF_CSRF_SECRET_KEY"] = [*config["SECRET_KEY_FALLBACKS"], config["SECRET_KEY"]]
    batch_time = config["OUTBOX_BATCH"] * config["SEND_TIMEOUT_SECONDS"]
    if config["OUTBOX_LEASE_SECONDS"] <= batch_time:
        raise ConfigError(
            f"OUTBOX_LEASE_SECONDS ({config['OUTBOX_LEASE_SECONDS']}) must be longer than a batch can take to send: "
            f"OUTBOX_BATCH x SEND_TIMEOUT_SECONDS = {batch_time}. Otherwise two workers may send the same messages."
        )
    return config
