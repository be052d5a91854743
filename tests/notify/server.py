"""A stand-in for GOV.UK Notify on 127.0.0.1, for the tests: the v2 endpoints the
service uses (POST /v2/notifications/email and /sms, GET /v2/notifications/<id>), served
by a real HTTP server, with the checks Notify makes and the answers it gives; and the
delivery receipts (callbacks) Notify sends the service once it knows what became of a
message, in Notify's documented form.

- The Authorization header: a JWT signed (HS256) with the API key's secret, `iss` the
  service id, `iat` within 30 seconds, checked by the same library functions Notify uses.
- The body: a known template id (a UUID) of the right type, a valid email address or
  mobile number (UK only, unless `international` is set), a value for every
  ((placeholder)) of the template, an optional string reference. Errors come back in
  Notify's v2 shape with its messages.
- 201 with Notify's response: the notification id and the content, the template filled in.

Its templates are the service's own words (`flask notify-templates`), each with a fresh id,
so what a test sees is what a force's Notify account would send. Tests can make it answer
the next requests with an error (a rate limit, a server error), reach the day's sending
limit for emails or text messages (each its own, as Notify counts them), be slow, or stop
and start again on the same port (Notify unreachable for a while). It records every request and
every notification it accepted.
"""

import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

import jwt
import pytest
from flask_babel import force_locale
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import (
    TokenAlgorithmError,
    TokenDecodeError,
    TokenError,
    TokenExpiredError,
    TokenIssuerError,
)
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from shared.config import needed_templates
from shared.domain.notification_kinds import KINDS, notify_template
from tests.smtp_server import free_port

GENERAL_TOKEN_ERROR = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
CLOCK_ERROR = "Error: Your system clock must be accurate to within 30 seconds"

# What a forced answer says, by status, unless the test gives its own words.
FORCED = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}
DAILY_LIMIT = ("TooManyRequestsError", "Exceeded send limits (250000) for today")

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")
# notifications-utils' email address checks.
_EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+@([^.@][^@\s]+)$")
_HOSTNAME_PART = re.compile(r"^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$", re.IGNORECASE)
_TLD = re.compile(r"^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$", re.IGNORECASE)


class Refused(Exception):
    """An error answer in Notify's v2 shape."""

    def __init__(self, status: int, error: str, *messages: str):
        super().__init__(messages[0])
        self.status = status
        self.body = {"status_code": status, "errors": [{"error": error, "message": m} for m in messages]}


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    type: str
    subject: str | None
    body: str
    version: int = 1

    @property
    def placeholders(self) -> list[str]:
        text = (self.subject or "") + "\n" + self.body
        return list(dict.fromkeys(match.strip() for match in _PLACEHOLDER.findall(text)))


@dataclass
class Recorded:
    """One request as the server saw it, and its answer."""

    method: str
    path: str
    headers: dict
    body: str
    status: int = 0
    answer: dict | None = None
    # When it arrived (time.monotonic()), for rates.
    at: float = field(default_factory=time.monotonic)


@dataclass
class Notification:
    """One notification the server accepted."""

    id: str
    type: str
    template: Template
    to: str
    personalisation: dict
    reference: str | None
    content: dict
    posted: dict = field(default_factory=dict)
    # Notify's status for it: created, then sending, then delivered or a failure.
    status: str = "created"
    created_at: str = field(default_factory=lambda: _now())
    sent_at: str | None = None
    completed_at: str | None = None

    @property
    def language(self) -> str:
        return self.template.name.rsplit(".", 1)[1]


def _now() -> str:
    """A time as Notify writes it (ISO 8601, UTC, with microseconds and a Z)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _key(name: str) -> str:
    """Notify's InsensitiveDict key: case, spaces, dashes and underscores do not count."""
    return re.sub(r"[\s_-]", "", name).lower()


def fill(text: str | None, personalisation: dict) -> str | None:
    if text is None:
        return None
    values = {_key(name): value for name, value in personalisation.items()}
    return _PLACEHOLDER.sub(lambda match: str(values[_key(match.group(1))]), text)


def email_problem(address: str) -> str | None:
    """Why notifications-utils would refuse this email address, or None."""
    address = address.strip()
    match = _EMAIL.match(address)
    if not match or len(address) > 320 or ".." in address:
        return "Not a valid email address"
    try:
        hostname = match.group(1).encode("idna").decode("ascii")
    except UnicodeError:
        return "Not a valid email address"
    parts = hostname.split(".")
    if len(hostname) > 253 or len(parts) < 2:
        return "Not a valid email address"
    if any(not part or len(part) > 63 or not _HOSTNAME_PART.match(part) for part in parts):
        return "Not a valid email address"
    if not _TLD.match(parts[-1]):
        return "Not a valid email address"
    return None


def _digits(number: str) -> str | None:
    for character in " \t\n\r\u00a0()-+":
        number = number.replace(character, "")
    return number if number.isdigit() else None


def is_uk_number(number: str) -> bool:
    """notifications-utils' test: a number in the UK's own form, or with its 44."""
    if number.startswith("0") and not number.startswith("00"):
        return True
    digits = (_digits(number) or "").lstrip("0")
    return digits.startswith("44") or (digits.startswith("7") and len(digits) < 11)


def phone_problem(number: str) -> str | None:
    """Why notifications-utils would refuse this number, or None. A number abroad is
    checked only for its length here: a service that does not send abroad refuses it
    later (`Cannot send to international mobile numbers`)."""
    digits = _digits(number)
    if digits is None:
        return "Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -"
    digits = digits.lstrip("0")
    if not is_uk_number(number):
        return "Not enough digits" if len(digits) < 8 else "Too many digits" if len(digits) > 15 else None
    # Without the UK's 44 and a 0 after it: 07700 900123, +44 7700 900123 and
    # 0044 (0)7700 900123 are the same number.
    digits = digits.removeprefix("44").lstrip("0")
    if not digits.startswith("7"):
        return "Not a UK mobile number"
    if len(digits) > 10:
        return "Too many digits"
    if len(digits) < 10:
        return "Not enough digits"
    return None


class _QuietHandler(WSGIRequestHandler):
    # One request a connection: a client's kept-alive connection must not outlive a
    # stop(), or a stopped server would still answer.
    protocol_version = "HTTP/1.0"

    def log_request(self, code="-", size="-"):
        pass


class NotifyServer:
    SERVICE_NAME = "Track My Crime"
    FROM_EMAIL = "track.my.crime@notifications.service.gov.uk"
    FROM_NUMBER = "TrackCrime"

    def __init__(self, app):
        self.port = free_port()
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.api_key = f"track_my_crime_live-{self.service_id}-{self.secret}"
        self.templates: dict[str, Template] = {}
        with app.app_context():
            for name in needed_templates():
                code, channel, language = name.split(".")
                with force_locale(language):
                    subject, body = notify_template(KINDS[code], channel)
                template = Template(str(uuid.uuid4()), name, channel, subject, body)
                self.templates[template.id] = template
        # Seconds to wait before answering each request.
        self.delay = 0.0
        # Whether the service may text numbers abroad (off unless a force asks Notify).
        self.international = False
        self._forced: deque[tuple[int, str, str]] = deque()
        # The notification types ("email", "sms") whose daily limit is reached.
        self._limits_reached: set[str] = set()
        self._requests: list[Recorded] = []
        self._notifications: list[Notification] = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # What tests use.

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def template_ids(self) -> dict[str, str]:
        """{kind.channel.language: template id}, for NOTIFY_TEMPLATES."""
        return {template.name: template.id for template in self.templates.values()}

    def template(self, name: str) -> Template:
        return next(t for t in self.templates.values() if t.name == name)

    def settings(self, **changes) -> dict:
        """The settings that point the Notify sender at this server (for `use_sender`)."""
        return {
            "NOTIFY_API_KEY": self.api_key,
            "NOTIFY_BASE_URL": self.url,
            "NOTIFY_TEMPLATES": self.template_ids,
            **changes,
        }

    def environment(self) -> dict[str, str]:
        """The same as environment variables, for a worker run as its own process."""
        settings = self.settings()
        settings["NOTIFY_TEMPLATES"] = json.dumps(settings["NOTIFY_TEMPLATES"])
        return {"NOTIFICATION_SENDER": "notify", **settings}

    def answer_next(self, status: int, times: int = 1, error: str | None = None, message: str | None = None):
        """Answer the next `times` requests with this error status, whatever they hold
        (429: a rate limit, 500: Notify's own failure, 400, 403)."""
        default_error, default_message = FORCED.get(status, ("Exception", "Internal server error"))
        with self._lock:
            self._forced.extend([(status, error or default_error, message or default_message)] * times)

    def daily_limit_next(self, times: int = 1):
        """Answer the next requests as Notify does when the day's sending limit is reached."""
        self.answer_next(429, times, *DAILY_LIMIT)

    def reach_daily_limit(self, notification_type: str):
        """From now until `reset_daily_limits`, refuse every new notification of this type
        ("email" or "sms") as Notify does once the service's daily limit for it is reached;
        the other type still goes."""
        with self._lock:
            self._limits_reached.add(notification_type)

    def reset_daily_limits(self):
        """Midnight: the day's limits start again."""
        with self._lock:
            self._limits_reached.clear()

    def sends(self, notification_type: str) -> list[Recorded]:
        """The requests to send a notification of this type, whatever the answer."""
        return [
            r
            for r in self.requests
            if r.method == "POST" and r.path == f"/v2/notifications/{notification_type}"
        ]

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    @property
    def notifications(self) -> list[Notification]:
        with self._lock:
            return list(self._notifications)

    def notification(self, notification_id: str) -> Notification:
        return next(n for n in self.notifications if n.id == notification_id)

    def set_status(self, notification_id: str, status: str) -> Notification:
        """Notify learns what became of a message: `sending`, `delivered`,
        `permanent-failure`... (what "get a notification by id" answers from now on)."""
        with self._lock:
            found = next(n for n in self._notifications if n.id == notification_id)
            found.status = status
            if status != "created" and found.sent_at is None:
                found.sent_at = _now()
            if status in ("delivered", "permanent-failure", "temporary-failure", "technical-failure", "sent"):
                found.completed_at = _now()
        return found

    def callback_body(self, notification_id: str) -> dict:
        """The delivery receipt Notify sends for a notification, as it documents it."""
        found = self.notification(notification_id)
        return {
            "id": found.id,
            "reference": found.reference,
            "to": found.to,
            "status": found.status,
            "created_at": found.created_at,
            "completed_at": found.completed_at,
            "sent_at": found.sent_at,
            "notification_type": found.type,
            "template_id": found.template.id,
            "template_version": found.template.version,
        }

    def send_callback(self, client, notification_id: str, token: str, status: str | None = None):
        """Set the status (if given) and send the receipt to the service, as Notify
        does: a POST of JSON to the callback address with the force's bearer token.
        `client` is the service's test client; its answer is returned."""
        if status is not None:
            self.set_status(notification_id, status)
        return client.post(
            "/notify/delivery-receipts",
            json=self.callback_body(notification_id),
            headers={"Authorization": f"Bearer {token}"},
        )

    def start(self):
        self._server = make_server("127.0.0.1", self.port, self, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"notify-{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self):
        """Stop listening: connections are refused until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._server.server_close()
            self._server = self._thread = None

    # The WSGI app.

    def __call__(self, environ, start_response):
        request = Request(environ)
        recorded = Recorded(
            request.method, request.path, dict(request.headers), request.get_data(as_text=True)
        )
        with self._lock:
            self._requests.append(recorded)
        if self.delay:
            time.sleep(self.delay)
        try:
            if request.method == "GET" and request.path.startswith("/v2/notifications/"):
                status, answer = 200, self._get(request)
            else:
                status, answer = 201, self._post(request)
        except Refused as refused:
            status, answer = refused.status, refused.body
        recorded.status, recorded.answer = status, answer
        response = Response(json.dumps(answer), status=status, mimetype="application/json")
        return response(environ, start_response)

    def _post(self, request: Request) -> dict:
        with self._lock:
            forced = self._forced.popleft() if self._forced else None
        if forced:
            raise Refused(*forced)
        kinds = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}
        if request.path not in kinds:
            raise Refused(404, "NoResultFound", "The requested URL was not found on the server.")
        if request.method != "POST":
            raise Refused(405, "MethodNotAllowed", "The method is not allowed for the requested URL.")
        self._authenticate(request.headers.get("Authorization"))
        try:
            posted = json.loads(request.get_data(as_text=True))
        except ValueError:
            raise Refused(400, "BadRequestError", "Invalid JSON supplied in POST data") from None
        if not isinstance(posted, dict):
            raise Refused(400, "ValidationError", f"{posted!r} is not of type object")
        notification_type = kinds[request.path]
        self._validate(posted, notification_type)
        # Notify checks its limits once the request's form is valid, before the template.
        with self._lock:
            limit_reached = notification_type in self._limits_reached
        if limit_reached:
            raise Refused(429, *DAILY_LIMIT)
        template = self._template(posted["template_id"], notification_type)
        personalisation = posted.get("personalisation") or {}
        given = {_key(name) for name, value in personalisation.items() if value is not None}
        missing = [name for name in template.placeholders if _key(name) not in given]
        if missing:
            raise Refused(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        if notification_type == "sms" and not self.international and not is_uk_number(posted["phone_number"]):
            raise Refused(400, "BadRequestError", "Cannot send to international mobile numbers")
        return self._accept(posted, template, personalisation, notification_type)

    def _get(self, request: Request) -> dict:
        """Get a notification by id: Notify's answer for an email or a text message."""
        with self._lock:
            forced = self._forced.popleft() if self._forced else None
        if forced:
            raise Refused(*forced)
        self._authenticate(request.headers.get("Authorization"))
        notification_id = request.path.rsplit("/", 1)[1]
        if not _UUID.match(notification_id):
            raise Refused(400, "ValidationError", "notification_id is not a valid UUID")
        with self._lock:
            found = next((n for n in self._notifications if n.id == notification_id.lower()), None)
        if found is None:
            raise Refused(404, "NoResultFound", "No result found")
        return {
            "id": found.id,
            "reference": found.reference,
            "email_address": found.to if found.type == "email" else None,
            "phone_number": found.to if found.type == "sms" else None,
            "line_1": None,
            "type": found.type,
            "status": found.status,
            "template": {
                "id": found.template.id,
                "version": found.template.version,
                "uri": f"{self.url}/services/{self.service_id}/templates/{found.template.id}",
            },
            "body": found.content["body"],
            "subject": found.content.get("subject"),
            "created_at": found.created_at,
            "created_by_name": None,
            "sent_at": found.sent_at,
            "completed_at": found.completed_at,
            "scheduled_for": None,
            "one_click_unsubscribe_url": None,
            "cost_in_pounds": 0.0,
            "is_cost_data_ready": True,
            "cost_details": {},
        }

    def _authenticate(self, header: str | None):
        if not header:
            raise Refused(401, "AuthError", "Unauthorized: authentication token must be provided")
        if header[:7].title() != "Bearer ":
            raise Refused(401, "AuthError", "Unauthorized: authentication bearer scheme must be used")
        token = header[7:]
        try:
            issuer = get_token_issuer(token)
        except TokenIssuerError:
            raise Refused(403, "AuthError", "Invalid token: iss field not provided") from None
        except (TokenDecodeError, jwt.PyJWTError):
            raise Refused(403, "AuthError", GENERAL_TOKEN_ERROR) from None
        if not _UUID.match(str(issuer)):
            raise Refused(403, "AuthError", "Invalid token: service id is not the right data type")
        if issuer != self.service_id:
            raise Refused(403, "AuthError", "Invalid token: service not found")
        try:
            decode_jwt_token(token, self.secret)
        except TokenExpiredError:
            raise Refused(403, "AuthError", CLOCK_ERROR) from None
        except TokenAlgorithmError:
            raise Refused(403, "AuthError", "Invalid token: algorithm used is not HS256") from None
        except TokenDecodeError:
            # Not signed with this service's key.
            raise Refused(403, "AuthError", "Invalid token: API key not found") from None
        except TokenError:
            raise Refused(403, "AuthError", GENERAL_TOKEN_ERROR) from None

    def _validate(self, posted: dict, notification_type: str):
        """Notify's JSON schema for the request, with its messages: every problem at once."""
        to_field = "email_address" if notification_type == "email" else "phone_number"
        allowed = {to_field, "template_id", "personalisation", "reference", "scheduled_for"}
        allowed |= (
            {"email_reply_to_id", "one_click_unsubscribe_url"}
            if notification_type == "email"
            else {"sms_sender_id"}
        )
        problems = []
        for name in (to_field, "template_id"):
            if name not in posted:
                problems.append(f"{name} is a required property")
        template_id = posted.get("template_id")
        if template_id is not None and not (isinstance(template_id, str) and _UUID.match(template_id)):
            problems.append("template_id is not a valid UUID")
        to = posted.get(to_field)
        if to is not None:
            if not isinstance(to, str):
                problems.append(f"{to_field} {to!r} is not of type string")
            else:
                problem = email_problem(to) if notification_type == "email" else phone_problem(to)
                if problem:
                    problems.append(f"{to_field} {problem}")
        if "personalisation" in posted and not isinstance(posted["personalisation"], dict):
            problems.append(f"personalisation {posted['personalisation']!r} is not of type object")
        if "reference" in posted and not isinstance(posted["reference"], str | None):
            problems.append(f"reference {posted['reference']!r} is not of type string, null")
        extra = sorted(set(posted) - allowed)
        if extra:
            problems.append(
                f"Additional properties are not allowed ({', '.join(map(repr, extra))} was unexpected)"
            )
        if problems:
            raise Refused(400, "ValidationError", *problems)

    def _template(self, template_id: str, notification_type: str) -> Template:
        template = self.templates.get(template_id.lower())
        if template is None:
            raise Refused(400, "BadRequestError", "Template not found")
        if template.type != notification_type:
            raise Refused(
                400,
                "BadRequestError",
                f"{template.type} template is not suitable for {notification_type} notification",
            )
        return template

    def _accept(
        self, posted: dict, template: Template, personalisation: dict, notification_type: str
    ) -> dict:
        notification_id = str(uuid.uuid4())
        body = fill(template.body, personalisation)
        if notification_type == "email":
            content = {
                "subject": fill(template.subject, personalisation),
                "body": body,
                "from_email": self.FROM_EMAIL,
                "one_click_unsubscribe_url": None,
            }
            to = posted["email_address"]
        else:
            content = {"body": body, "from_number": self.FROM_NUMBER}
            to = posted["phone_number"]
        answer = {
            "id": notification_id,
            "reference": posted.get("reference"),
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {
                "id": template.id,
                "version": template.version,
                "uri": f"{self.url}/services/{self.service_id}/templates/{template.id}",
            },
            "scheduled_for": None,
        }
        with self._lock:
            self._notifications.append(
                Notification(
                    notification_id,
                    notification_type,
                    template,
                    to,
                    dict(personalisation),
                    posted.get("reference"),
                    content,
                    posted,
                )
            )
        return answer


@pytest.fixture
def notify_server(app):
    server = NotifyServer(app)
    server.start()
    yield server
    server.stop()
