"""Settings: each is read once, through one checked reader, and a bad value stops the
service at start-up with a message that names the variable and says what it must be."""

import ast
import json
import uuid
from datetime import timedelta

import pytest

from shared.config import NUMBERS, PRODUCTION_NEEDS, ConfigError, load_config, needed_templates
from shared.factory import create_app
from tests.paths import ROOT

pytestmark = pytest.mark.once

# The sender settings are those of SMTP, so that SMTP_PORT is read too.
SMTP = {
    "NOTIFICATION_SENDER": "smtp",
    "SMTP_HOST": "smtp.police.example",
    "SMTP_FROM": "no-reply@police.example",
}


@pytest.fixture
def environment(monkeypatch):
    """A clean environment for the testing app, with none of the numbers set: the test
    sets what it tries."""
    for name in NUMBERS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ENV", "testing")
    for name, value in SMTP.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def _landed(config: dict, name: str):
    """Where a number lands in the config: under its own name, or as a length of time
    under its name without the unit (RESET_LINK_TTL_MINUTES -> RESET_LINK_TTL)."""
    return config[name] if name in config else config[name.rsplit("_", 1)[0]]


# The numbers come from the reader's own list, so a new one is tried without a new test.
@pytest.mark.parametrize("name", sorted(NUMBERS))
@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "ten", "0x10"])
def test_a_number_that_is_not_a_whole_number_in_bounds_stops_start_up(environment, name, value):
    environment.setenv(name, value)
    with pytest.raises(ConfigError, match=rf'^{name} must be a whole number .*\(got "{value}"\)\.$'):
        create_app()


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_a_number_outside_its_bounds_stops_start_up(environment, name):
    number = NUMBERS[name]
    too_small = [number.low - 1] if number.low > 0 else []
    too_big = [number.highest + 1] if number.highest is not None else []
    assert too_small or too_big or number.low == 0
    for value in too_small + too_big:
        environment.setenv(name, str(value))
        with pytest.raises(ConfigError, match=rf"^{name} must be {number.expected()} "):
            create_app()


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_a_good_number_is_read_in_its_unit(environment, name):
    number = NUMBERS[name]
    value = number.default + 1
    environment.setenv(name, f" {value} ")
    config = create_app().config
    assert _landed(config, name) == (timedelta(**{number.unit: value}) if name not in config else value)
    environment.delenv(name)
    config = create_app().config
    assert _landed(config, name) == (
        timedelta(**{number.unit: number.default}) if name not in config else number.default
    )


def test_a_number_set_to_nothing_takes_its_default(environment):
    environment.setenv("RESET_LINK_TTL_MINUTES", "")
    environment.setenv("TRUSTED_PROXIES", " ")
    config = create_app().config
    assert config["RESET_LINK_TTL"] == timedelta(minutes=60)
    assert config["TRUSTED_PROXIES"] == 0


def test_the_message_names_the_variable_and_what_it_must_be(environment):
    environment.setenv("RESET_LINK_TTL_MINUTES", "-5")
    with pytest.raises(ConfigError) as refused:
        create_app()
    assert (
        str(refused.value)
        == 'RESET_LINK_TTL_MINUTES must be a whole number of minutes from 1 to 525600 (got "-5").'
    )
    environment.delenv("RESET_LINK_TTL_MINUTES")
    environment.setenv("ACTIVATION_LINK_TTL_HOURS", "abc")
    with pytest.raises(
        ConfigError,
        match=r'^ACTIVATION_LINK_TTL_HOURS must be a whole number of hours from 1 to 8760 \(got "abc"\)',
    ):
        create_app()


def test_the_smtp_port_defaults_to_the_port_of_its_security(environment):
    assert create_app().config["SMTP_PORT"] == 587
    environment.setenv("SMTP_SECURITY", "ssl")
    assert create_app().config["SMTP_PORT"] == 465
    environment.setenv("SMTP_PORT", "2525")
    assert create_app().config["SMTP_PORT"] == 2525


def test_numbers_given_by_code_are_taken_as_they_are_and_checked_the_same(environment, tmp_path):
    config = load_config(str(tmp_path), {"APP_ENV": "testing", "OUTBOX_BATCH": 5, "TRUSTED_PROXIES": 1})
    assert (config["OUTBOX_BATCH"], config["TRUSTED_PROXIES"]) == (5, 1)
    # As text, they are read as the environment's would be.
    assert load_config(str(tmp_path), {"APP_ENV": "testing", "OUTBOX_BATCH": " 5 "})["OUTBOX_BATCH"] == 5
    for bad in (-5, "abc", True, 1.5):
        with pytest.raises(ConfigError, match="^OUTBOX_BATCH must be a whole number from 1 upwards"):
            create_app({"APP_ENV": "testing", "OUTBOX_BATCH": bad})
    # Given by code, a number wins over the environment's, which is then not read.
    environment.setenv("OUTBOX_BATCH", "abc")
    assert load_config(str(tmp_path), {"APP_ENV": "testing", "OUTBOX_BATCH": 7})["OUTBOX_BATCH"] == 7


# Addresses: a scheme the setting allows and a host.


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PUBLIC_BASE_URL", "track.police.example"),
        ("PUBLIC_BASE_URL", "ftp://track.police.example"),
        ("PUBLIC_BASE_URL", "https://"),
        ("PUBLIC_BASE_URL", "https://track.police.example:port"),
        ("PUBLIC_BASE_URL", "https://track police.example"),
        ("NOTIFY_BASE_URL", "api.notifications.service.gov.uk"),
        ("STAFF_OIDC_ISSUER", "login.microsoftonline.com/tenant/v2.0"),
        ("ONELOGIN_ISSUER", "oidc.account.gov.uk"),
        ("REDIS_URL", "https://127.0.0.1:6379/0"),
        ("REDIS_URL", "127.0.0.1:6379"),
    ],
)
def test_an_address_without_a_scheme_and_host_stops_start_up(environment, name, value):
    if name == "NOTIFY_BASE_URL":
        environment.setenv("NOTIFICATION_SENDER", "notify")
        environment.setenv("NOTIFY_API_KEY", f"track_my_crime-{uuid.uuid4()}-{uuid.uuid4()}")
        environment.setenv(
            "NOTIFY_TEMPLATES", json.dumps({template: str(uuid.uuid4()) for template in needed_templates()})
        )
    environment.setenv(name, value)
    with pytest.raises(ConfigError, match=rf"^{name} must be an address starting .*, with a host \(got"):
        create_app()


def test_good_addresses_are_read(environment):
    environment.setenv("PUBLIC_BASE_URL", " https://track.police.example/ ")
    environment.setenv("REDIS_URL", "rediss://cache.police.example:6380/0")
    config = create_app().config
    assert config["PUBLIC_BASE_URL"] == "https://track.police.example/"
    assert config["REDIS_URL"] == "rediss://cache.police.example:6380/0"
    assert config["ONELOGIN_ISSUER"] == "https://oidc.account.gov.uk/"
    assert config["STAFF_OIDC_ISSUER"] is None
    # Plain http is allowed, as the tests and the load runs serve the app on loopback.
    environment.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    assert create_app().config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


def test_a_password_in_a_bad_address_is_not_repeated(environment):
    environment.setenv("REDIS_URL", "redis://:s3cret-pass@/0")
    with pytest.raises(ConfigError) as refused:
        create_app()
    assert "s3cret-pass" not in str(refused.value)
    assert "REDIS_URL must be an address starting redis:// or rediss://" in str(refused.value)
    assert '(got "redis://:***@/0")' in str(refused.value)


# Lists of name=value pairs.


def test_a_list_is_read_entry_by_entry(environment):
    environment.setenv("STAFF_OIDC_ROLE_MAP", " TMC.Officer = officer, ,Team=A=supervisor,")
    assert create_app().config["STAFF_OIDC_ROLE_MAP"] == {"TMC.Officer": "officer", "Team=A": "supervisor"}
    environment.setenv("STAFF_OIDC_ROLE_MAP", "TMC.Officer=officer,officer")
    with pytest.raises(
        ConfigError, match=r"^STAFF_OIDC_ROLE_MAP entry 'officer' must be claim-value=role\.$"
    ):
        create_app()
    environment.setenv("STAFF_OIDC_ROLE_MAP", "=officer")
    with pytest.raises(ConfigError, match="^STAFF_OIDC_ROLE_MAP entry '=officer' must be claim-value=role"):
        create_app()


@pytest.mark.parametrize("value", ["referral=abc", "referral=-5", "referral"])
def test_the_victims_code_days_are_whole_numbers_of_known_timescales(environment, value):
    environment.setenv("VICTIMS_CODE_DAYS", value)
    with pytest.raises(ConfigError, match="^VICTIMS_CODE_DAYS: "):
        create_app()


# Switches, choices and rate limits.


@pytest.mark.parametrize(
    ("value", "on"),
    [("on", True), ("YES", True), ("1", True), ("Off", False), ("no", False), ("0", False), ("false", False)],
)
def test_a_switch_is_on_or_off(environment, value, on):
    environment.setenv("STAFF_LOCAL_ACCOUNTS", value)
    assert create_app().config["STAFF_LOCAL_ACCOUNTS"] is on


@pytest.mark.parametrize("name", ["STAFF_LOCAL_ACCOUNTS", "ONELOGIN_ENABLED"])
def test_a_switch_that_is_neither_on_nor_off_stops_start_up(environment, name):
    environment.setenv(name, "maybe")
    with pytest.raises(
        ConfigError, match=rf'^{name} must be on or off, yes or no, true or false, or 1 or 0 \(got "maybe"\)'
    ):
        create_app()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("APP_ENV", "staging"),
        ("NOTIFICATION_SENDER", "pigeon"),
        ("SMTP_SECURITY", "tls"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_a_choice_not_on_the_list_stops_start_up(environment, name, value):
    environment.setenv(name, value)
    with pytest.raises(ConfigError, match=rf'^{name} must be one of .* \(got "{value}"\)\.$'):
        create_app()


@pytest.mark.parametrize("name", ["API_RATE_LIMIT", "THROTTLE_LIMIT"])
def test_a_rate_limit_that_cannot_be_read_stops_start_up(environment, name):
    environment.setenv(name, "lots")
    with pytest.raises(ConfigError, match=rf'^{name} must read like ".* per .*" \(got "lots"\)\.$'):
        create_app()
    environment.setenv(name, "5 per 2 minutes")
    assert create_app().config[name] == "5 per 2 minutes"


def test_settings_given_by_code_are_checked_as_the_environments_are(environment, tmp_path):
    config = load_config(
        str(tmp_path),
        {
            "APP_ENV": "testing",
            "ONELOGIN_ENABLED": False,
            "STAFF_LOCAL_ACCOUNTS": "off",
            "STAFF_OIDC_ROLE_MAP": {"G": "admin"},
        },
    )
    assert config["ONELOGIN_ENABLED"] is False
    assert config["STAFF_LOCAL_ACCOUNTS"] is False
    assert config["STAFF_OIDC_ROLE_MAP"] == {"G": "admin"}
    with pytest.raises(ConfigError, match="^PUBLIC_BASE_URL must be an address"):
        load_config(str(tmp_path), {"APP_ENV": "testing", "PUBLIC_BASE_URL": "localhost"})


def test_only_the_reader_reads_the_environment():
    """Every setting goes through shared.config.Settings: a read anywhere else would
    escape its checks."""
    config = ROOT / "shared" / "config.py"
    [reader] = [
        node
        for node in ast.parse(config.read_text()).body
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    ]
    sources = [
        ROOT / "wsgi.py",
        *(
            path
            for package in ("shared", "api", "portal", "backoffice")
            for path in (ROOT / package).rglob("*.py")
        ),
    ]
    reads = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            from_os = (
                isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
            )
            imported = isinstance(node, ast.ImportFrom) and node.module == "os"
            names = [node.attr] if from_os else [alias.name for alias in node.names] if imported else []
            if {"environ", "environb", "getenv", "getenvb"} & set(names):
                if path == config and reader.lineno <= node.lineno <= reader.end_lineno:
                    continue
                reads.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert reads == []


# Production fails closed: what it needs is named when missing or wrong.

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql+psycopg://track@db.police.example/trackmycrime",
    "PUBLIC_BASE_URL": "https://track.police.example",
    "REDIS_URL": "redis://cache.police.example:6379/0",
}


@pytest.fixture
def production(environment):
    """The environment of a production start with everything it needs (and SMTP as its
    sender); the test takes away or spoils what it tries."""
    for name in ("SINGLE_PROCESS", "SECRET_KEY_FILE", "SECRET_KEY_FALLBACKS", "SECRET_KEY_FALLBACKS_FILE"):
        environment.delenv(name, raising=False)
    for name, value in PRODUCTION.items():
        environment.setenv(name, value)
    return environment


def test_production_starts_with_what_it_needs(production):
    config = load_config("/nonexistent/instance", None)
    assert config["SQLALCHEMY_DATABASE_URI"] == PRODUCTION["DATABASE_URL"]
    assert config["PUBLIC_BASE_URL"] == PRODUCTION["PUBLIC_BASE_URL"]
    assert config["REDIS_URL"] == PRODUCTION["REDIS_URL"]
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("name", sorted(PRODUCTION_NEEDS))
@pytest.mark.parametrize("unset", [None, " "])
def test_production_names_each_setting_it_needs_and_lacks(production, name, unset):
    if unset is None:
        production.delenv(name)
    else:
        production.setenv(name, unset)
    with pytest.raises(ConfigError, match=rf"^{name} is not set\. Set it to ") as refused:
        create_app()
    others = set(PRODUCTION_NEEDS) - {name}
    assert not any(f"{other} is not set" in str(refused.value) for other in others)


def test_production_names_every_missing_setting_at_once(production):
    for name in PRODUCTION_NEEDS:
        production.delenv(name)
    with pytest.raises(ConfigError) as refused:
        create_app()
    for name in PRODUCTION_NEEDS:
        assert f"{name} is not set" in str(refused.value)
    assert "APP_ENV=development" in str(refused.value)


def test_production_has_no_default_database_or_public_address(production, tmp_path):
    """Neither a SQLite file in the instance folder nor links to a loopback address."""
    for name in ("DATABASE_URL", "PUBLIC_BASE_URL"):
        production.delenv(name)
        with pytest.raises(ConfigError, match=rf"^{name} is not set"):
            load_config(str(tmp_path))
        production.setenv(name, PRODUCTION[name])
    assert list(tmp_path.iterdir()) == []


def test_one_process_alone_runs_in_production_without_redis(production):
    production.delenv("REDIS_URL")
    production.setenv("SINGLE_PROCESS", "on")
    config = create_app().config
    assert config["SINGLE_PROCESS"] is True and config["REDIS_URL"] is None
    production.setenv("SINGLE_PROCESS", "off")
    with pytest.raises(ConfigError, match="^REDIS_URL is not set"):
        create_app()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "short-key", "^SECRET_KEY must be at least 32 characters long in production"),
        ("DATABASE_URL", "db.police.example/trackmycrime", "^DATABASE_URL must be a database address"),
        ("DATABASE_URL", "postgres://track:s3cret@db/tmc", "^DATABASE_URL must be a database address"),
        ("PUBLIC_BASE_URL", "track.police.example", "^PUBLIC_BASE_URL must be an address"),
        ("REDIS_URL", "cache.police.example:6379", "^REDIS_URL must be an address"),
    ],
)
def test_production_refuses_a_bad_setting_by_name(production, name, value, message):
    production.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as refused:
        create_app()
    assert "s3cret" not in str(refused.value)
    if name == "SECRET_KEY":
        assert value not in str(refused.value)


# Secrets from files, as containers and Kubernetes provide them.

NOTIFY_KEY = f"track_my_crime-{uuid.uuid4()}-{uuid.uuid4()}"
# Each secret that may come from a file, the value it is tried with, and the settings it
# is read with.
SECRETS = {
    "SECRET_KEY": ("f" * 64, {}),
    "NOTIFY_API_KEY": (
        NOTIFY_KEY,
        {
            "NOTIFICATION_SENDER": "notify",
            "NOTIFY_TEMPLATES": json.dumps({template: str(uuid.uuid4()) for template in needed_templates()}),
        },
    ),
    "SMTP_PASSWORD": ("correct horse battery staple", {}),
    "STAFF_OIDC_CLIENT_SECRET": ("oidc-client-secret", {}),
    "STAFF_OIDC_PRIVATE_KEY": ("-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----", {}),
    "ONELOGIN_PRIVATE_KEY": ('{"kty": "EC", "crv": "P-256"}', {}),
    "METRICS_TOKEN": ("m" * 40, {}),
}


@pytest.fixture
def secrets_environment(environment):
    for name in SECRETS:
        environment.delenv(name, raising=False)
        environment.delenv(f"{name}_FILE", raising=False)
    return environment


def _with(environment, settings: dict):
    for setting, text in settings.items():
        environment.setenv(setting, text)


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_a_secret_is_read_from_its_file_without_the_trailing_new_line(secrets_environment, tmp_path, name):
    value, settings = SECRETS[name]
    _with(secrets_environment, settings)
    path = tmp_path / "secret"
    path.write_text(value + "\n")
    secrets_environment.setenv(f"{name}_FILE", str(path))
    assert create_app().config[name] == value
    path.write_text(value + "\r\n")
    assert create_app().config[name] == value


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_a_secret_given_twice_stops_start_up(secrets_environment, tmp_path, name):
    value, settings = SECRETS[name]
    _with(secrets_environment, settings)
    path = tmp_path / "secret"
    path.write_text(value)
    secrets_environment.setenv(f"{name}_FILE", str(path))
    secrets_environment.setenv(name, value)
    with pytest.raises(ConfigError, match=rf"^{name} and {name}_FILE are both set: set one of them\.$"):
        create_app()


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_a_secret_file_that_cannot_be_read_is_named(secrets_environment, tmp_path, name):
    _with(secrets_environment, SECRETS[name][1])
    missing = tmp_path / "no-such-file"
    secrets_environment.setenv(f"{name}_FILE", str(missing))
    with pytest.raises(
        ConfigError, match=rf"^Cannot read {name}_FILE {missing}: No such file or directory\.$"
    ):
        create_app()
    secrets_environment.setenv(f"{name}_FILE", str(tmp_path))
    with pytest.raises(ConfigError, match=rf"^Cannot read {name}_FILE {tmp_path}: Is a directory\.$"):
        create_app()
    empty = tmp_path / "empty"
    empty.write_text("\n")
    secrets_environment.setenv(f"{name}_FILE", str(empty))
    with pytest.raises(ConfigError, match=rf"^{name}_FILE {empty} is empty\.$"):
        create_app()


def test_production_reads_its_secret_key_from_a_file(production, tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("s" * 64 + "\n")
    production.delenv("SECRET_KEY")
    production.setenv("SECRET_KEY_FILE", str(path))
    assert create_app().config["SECRET_KEY"] == "s" * 64
    path.write_text("short\n")
    with pytest.raises(ConfigError, match="^SECRET_KEY must be at least 32 characters"):
        create_app()


# Keys rotated out: still accepted, never used to sign or seal.


def test_old_keys_are_read_as_a_list_from_the_environment_or_a_file(environment, tmp_path):
    environment.setenv("SECRET_KEY", "new-key")
    config = create_app().config
    assert config["SECRET_KEY_FALLBACKS"] == []
    assert "WTF_CSRF_SECRET_KEY" not in config
    environment.setenv("SECRET_KEY_FALLBACKS", " old-key-1, old-key-2\nold-key-3 ")
    config = create_app().config
    assert config["SECRET_KEY_FALLBACKS"] == ["old-key-1", "old-key-2", "old-key-3"]
    # Form tokens are signed with the last key of the list and accepted with any.
    assert config["WTF_CSRF_SECRET_KEY"] == ["old-key-1", "old-key-2", "old-key-3", "new-key"]
    environment.delenv("SECRET_KEY_FALLBACKS")
    path = tmp_path / "old_keys"
    path.write_text("old-key-1\nold-key-2\n")
    environment.setenv("SECRET_KEY_FALLBACKS_FILE", str(path))
    assert create_app().config["SECRET_KEY_FALLBACKS"] == ["old-key-1", "old-key-2"]
    assert load_config(str(tmp_path), {"APP_ENV": "testing", "SECRET_KEY_FALLBACKS": ["a"]})[
        "SECRET_KEY_FALLBACKS"
    ] == ["a"]


@pytest.mark.parametrize("token", ["short", "a" * 31, "a token with spaces in it, long enough though"])
def test_a_metrics_token_that_could_be_guessed_stops_start_up(environment, token):
    environment.setenv("METRICS_TOKEN", token)
    with pytest.raises(ConfigError, match="^METRICS_TOKEN must be at least 32 characters with no spaces"):
        create_app()
    environment.setenv("METRICS_TOKEN", "m" * 32)
    assert create_app().config["METRICS_TOKEN"] == "m" * 32


def test_the_metrics_directory_must_be_one_the_service_can_write_to(environment, tmp_path):
    environment.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(
        ConfigError, match="^PROMETHEUS_MULTIPROC_DIR must be a directory the service can write to"
    ):
        create_app()
    environment.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert create_app().config["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)


def test_logs_are_json_lines_except_in_development(environment):
    assert create_app().config["LOG_FORMAT"] == "json"
    environment.setenv("APP_ENV", "development")
    environment.setenv("SECRET_KEY", "k")
    assert create_app().config["LOG_FORMAT"] == "text"
    environment.setenv("LOG_FORMAT", "json")
    assert create_app().config["LOG_FORMAT"] == "json"


def test_the_session_warning_must_come_before_either_session_ends(environment):
    environment.setenv("SESSION_WARNING_MINUTES", "5")
    environment.setenv("VICTIM_SESSION_IDLE_MINUTES", "5")
    with pytest.raises(
        ConfigError,
        match=r"^SESSION_WARNING_MINUTES \(5\) must be shorter than VICTIM_SESSION_IDLE_MINUTES \(5\)\.$",
    ):
        create_app()
    environment.setenv("VICTIM_SESSION_IDLE_MINUTES", "6")
    assert create_app().config["SESSION_WARNING"] == timedelta(minutes=5)


@pytest.mark.parametrize("name", ["FEEDBACK_CONTACT", "ACCESSIBILITY_CONTACT", "DATA_PROTECTION_CONTACT"])
def test_a_public_contact_is_an_email_or_https_address(environment, name):
    assert create_app().config[name] is None
    environment.setenv(name, " help@police.example ")
    assert create_app().config[name] == "mailto:help@police.example"
    environment.setenv(name, "https://police.example/contact")
    assert create_app().config[name] == "https://police.example/contact"
    for bad in ("javascript:alert(1)", "http://police.example/contact", "mailto:nobody", "call 101"):
        environment.setenv(name, bad)
        with pytest.raises(
            ConfigError, match=rf"^{name} must be an email address, a mailto: address or an https://"
        ):
            create_app()


def test_the_force_name_is_one_short_line(environment):
    environment.setenv("FORCE_NAME", " Gwent Police ")
    assert create_app().config["FORCE_NAME"] == "Gwent Police"
    for bad in ("x" * 101, "Gwent\nPolice"):
        environment.setenv("FORCE_NAME", bad)
        with pytest.raises(ConfigError, match="^FORCE_NAME must be the force's name on one line"):
            create_app()


@pytest.mark.parametrize(
    "value",
    [
        "standard=ddm+fcr",  # the other bands are not covered
        "standard=ddm, serious=ddm, most_serious=officer",  # a role that cannot cancel
        "standard=ddm, serious=ddm, most_serious=fcr, serious:C7=fcr",
    ],
)
def test_a_bad_cancellation_matrix_stops_start_up(environment, value):
    environment.setenv("CANCELLATION_AUTHORISERS", value)
    with pytest.raises(ConfigError, match="^CANCELLATION_AUTHORISERS: "):
        create_app()


def test_the_cancellation_matrix_is_the_default_unless_the_force_sets_its_own(environment, tmp_path):
    default = load_config(str(tmp_path), {"APP_ENV": "testing"})["CANCELLATION_AUTHORISERS"]
    assert default["most_serious", "C2"] == {"fcr"} and default["standard", "C2"] == {"ddm", "fcr"}
    environment.setenv("CANCELLATION_AUTHORISERS", "standard=ddm+fcr, serious=ddm+fcr, most_serious=fcr")
    config = create_app().config["CANCELLATION_AUTHORISERS"]
    assert config["most_serious", "C3"] == {"fcr"} and config["serious", "C2"] == {"ddm", "fcr"}
    # Given by code, the text is read and checked the same, and the matrix kept.
    given = load_config(
        str(tmp_path),
        {"APP_ENV": "testing", "CANCELLATION_AUTHORISERS": "standard=fcr, serious=fcr, most_serious=fcr"},
    )
    assert set(given["CANCELLATION_AUTHORISERS"].values()) == {frozenset({"fcr"})}


def test_the_feedback_survey_is_offered_at_the_points_the_force_sets(environment, tmp_path):
    def points(value=None):
        overrides = {"APP_ENV": "testing"}
        if value is not None:
            overrides["FEEDBACK_POINTS"] = value
        return load_config(str(tmp_path), overrides)["FEEDBACK_POINTS"]

    assert points() == ("first_update", "outcome")
    assert points(" outcome ") == ("outcome",)
    # Always in the order a case reaches them, whatever order they are given in.
    assert points("outcome,first_update") == ("first_update", "outcome")
    assert points("none") == ()
    assert points(("outcome",)) == ("outcome",)
    for bad in ("outcome,charge", ",", "none,outcome", "After the first update"):
        with pytest.raises(ConfigError, match="^FEEDBACK_POINTS must be points from first_update, outcome"):
            points(bad)
    environment.setenv("FEEDBACK_POINTS", "first_update")
    assert create_app().config["FEEDBACK_POINTS"] == ("first_update",)
