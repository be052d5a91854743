"""The service's logs, set up once when the app is made (the web server and every
`flask` command, the notification worker included).

A force's platform collects each container's standard output, so in production every
record is one JSON line there: time, level, logger, message, the request's id and who
made the request (the user's kind and id), the id a trusted proxy gave the request if
it gave one, and whatever the record carries besides.
Every `trackmycrime.*` record from INFO up is kept: the security events (sign-in,
refusals, throttling, code failures, sessions ending) and the audit trail
(shared.services.audit_feed) are logged at INFO so that a SIEM receives them.

The code logs no secret, code, token, password or message body. The JSON lines hide
them all the same wherever one could slip in: the token in any path of a route that
takes one, bearer and basic credentials, and values given for names such as
`password=` or `token=`.

In development (`LOG_FORMAT=text`, the default there) the lines are plain text on
standard error, for a person to read, and nothing is hidden: the development message
sender writes each message, links included, to the log on purpose.
"""

import logging
import re
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

SERVICE = "trackmycrime"
HIDDEN = "[hidden]"
CONTEXT = ("request_id", "user_kind", "user_id")
# The X-Request-ID a trusted proxy sent (shared.web.hooks), on a line only when there is one.
FORWARDED = "forwarded_request_id"
# Credentials in a header that reached a message, and values given for these names
# (or names ending in them: client_secret, csrf_token).
_CREDENTIALS = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_NAMED = re.compile(
    r"(?i)(?<![a-z0-9])(password|passwd|secret|token|code|state|nonce)"
    r"(\s*=\s*)(?!\[hidden\])[^\s&,;\"']+"
)


def request_context() -> tuple[str | None, str, int | None]:
    """The request's id and who made it: a victim, a member of staff, a records system
    (`api_client`) or `none`. Only a user the request has already loaded counts: logging
    never loads one (that would cost a query, or fail inside an error handler)."""
    if not has_request_context():
        return None, "none", None
    client = g.get("api_client")
    if client is not None:
        return g.get("request_id"), "api_client", client.id
    user = g.get("_login_user")  # where Flask-Login keeps the user it has loaded
    kind = getattr(user, "kind", None)
    if kind is None or not getattr(user, "is_authenticated", False):
        return g.get("request_id"), "none", None
    return g.get("request_id"), kind, user.id


class RequestContext(logging.Filter):
    """Adds the request's id and user to each record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id, kind, user_id = request_context()
        for name, value in zip(CONTEXT, (request_id, kind, user_id), strict=True):
            if not hasattr(record, name):
                setattr(record, name, value)
        if not hasattr(record, FORWARDED):
            setattr(record, FORWARDED, g.get(FORWARDED) if has_request_context() else None)
        return True


class Redactor:
    """Hides secrets in text: the path segment of every route argument named `token`
    (the app's own routes say where those are), credentials and named values."""

    def __init__(self, app: Flask | None = None):
        self.paths: list[re.Pattern] = []
        if app is not None:
            for rule in app.url_map.iter_rules():
                if "token" in rule.arguments:
                    self.paths.append(_path_pattern(rule.rule))

    def __call__(self, text: str) -> str:
        for pattern in self.paths:
            text = pattern.sub(_hide_token, text)
        text = _CREDENTIALS.sub(lambda found: f"{found.group(1)} {HIDDEN}", text)
        return _NAMED.sub(lambda found: f"{found.group(1)}{found.group(2)}{HIDDEN}", text)


def _path_pattern(rule: str) -> re.Pattern:
    """`/activate/<token>/onelogin` as a pattern finding such paths in text, with the
    token as the group `token`."""
    parts = []
    for static, argument in re.findall(r"([^<]*)(?:<(?:[^:<>]+:)?([^<>]+)>)?", rule):
        parts.append(re.escape(static))
        if argument:
            parts.append(r"(?P<token>[^/?#\s\"']+)" if argument == "token" else r"[^/?#\s\"']+")
    return re.compile("".join(parts))


def _hide_token(found: re.Match) -> str:
    text = found.group(0)
    start, end = found.start("token") - found.start(), found.end("token") - found.start()
    return text[:start] + HIDDEN + text[end:]


class JsonLines(JsonFormatter):
    """One JSON object a line, with secrets hidden (Redactor)."""

    def __init__(self, redact: Redactor | None = None):
        super().__init__(
            reserved_attrs=[*RESERVED_ATTRS, *CONTEXT, FORWARDED],
            rename_fields={"exc_info": "exception", "stack_info": "stack"},
        )
        self.redact = redact or Redactor()

    def add_fields(self, log_data, record, message_dict) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        # Set by RequestContext; worked out here for a record that did not pass it.
        given = {name: getattr(record, name) for name in CONTEXT if hasattr(record, name)}
        if len(given) < len(CONTEXT):
            given = dict(zip(CONTEXT, request_context(), strict=True)) | given
        for name in CONTEXT:
            log_data[name] = given[name]
        forwarded = getattr(record, FORWARDED, None)
        if forwarded:
            log_data[FORWARDED] = forwarded
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data):
        return {name: self._hidden(value) for name, value in log_data.items()}

    def _hidden(self, value):
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {name: self._hidden(item) for name, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._hidden(item) for item in value]
        return value


TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user_kind)s %(user_id)s] %(message)s"


class _Standard:
    """sys.stdout or sys.stderr as it is when written to, not as it was when logging was
    set up (test runners and servers replace them)."""

    def __init__(self, name: str):
        self.name = name

    def write(self, text: str) -> int:
        return getattr(sys, self.name).write(text)

    def flush(self) -> None:
        getattr(sys, self.name).flush()


class ServiceHandler(logging.StreamHandler):
    """The one handler the service adds to the root logger."""


def handler() -> ServiceHandler | None:
    """The handler set up by init_app, if any."""
    return next((h for h in logging.getLogger().handlers if isinstance(h, ServiceHandler)), None)


def init_app(app: Flask) -> None:
    """Send every record to one handler on the root logger, in the format LOG_FORMAT
    names, and keep `trackmycrime.*` records from INFO up. Made again for each app (the
    tests make several), never twice."""
    if app.config["LOG_FORMAT"] == "json":
        out = ServiceHandler(_Standard("stdout"))
        out.setFormatter(JsonLines(Redactor(app)))
    else:
        out = ServiceHandler(_Standard("stderr"))
        out.setFormatter(logging.Formatter(TEXT))
    out.addFilter(RequestContext())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, ServiceHandler)]:
        root.removeHandler(old)
    root.addHandler(out)
    service = logging.getLogger(SERVICE)
    if service.getEffectiveLevel() > logging.INFO:
        service.setLevel(logging.INFO)
