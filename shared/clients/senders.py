"""The channels notifications go out by. Each sender takes a Delivery and either returns (with
the provider's id for it, if any) or raises TemporaryFailure (try again later) or
PermanentFailure (trying again would not help).

NOTIFICATION_SENDER chooses one: `notify` (GOV.UK Notify: email and text messages), `smtp`
(email only) or `log` (development: writes each notification to the log).
"""

import logging
import smtplib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask
from flask.logging import default_handler
from flask_babel import force_locale

from shared.domain.notification_kinds import MessageKind, render

if TYPE_CHECKING:  # imported when the first message is sent (NotifySender.client)
    from notifications_python_client.errors import APIError
    from notifications_python_client.notifications import NotificationsAPIClient

logger = logging.getLogger("trackmycrime.messages")


@dataclass(frozen=True)
class Delivery:
    reference: str
    kind: MessageKind
    channel: str
    to: str
    language: str
    values: dict


class TemporaryFailure(Exception):
    """The provider could not take the message now: a timeout, a refused connection, a
    5xx or 429 answer, an SMTP 4xx reply. `detail` says which, without the message."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail[:300]


class DailyLimit(TemporaryFailure):
    """GOV.UK Notify's daily sending limit is reached: nothing more goes until it resets
    at midnight UK time, and waiting for it is not a failure."""


class PermanentFailure(Exception):
    """The provider refused the message and would refuse it again. `reason` is one of
    shared.services.outbox_failures.REASONS."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail[:300]


class Sender(Protocol):
    """What the worker needs of a channel: the channels it carries, and sending one message
    (the provider's id for it, if any)."""

    @property
    def channels(self) -> tuple[str, ...]: ...

    def send(self, delivery: Delivery) -> str | None: ...


class LogSender:
    """Writes each message to the log, for running the service on a developer's machine.
    The development server shows the log in its terminal, activation links included."""

    channels = ("email", "sms")

    def __init__(self, config: Mapping[str, Any]) -> None:
        if not logger.handlers and not logging.getLogger().handlers:
            logger.addHandler(default_handler)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)

    def send(self, delivery: Delivery) -> str | None:
        with force_locale(delivery.language):
            subject, body = render(delivery.kind, delivery.channel, delivery.values)
        logger.info(
            "Message %s (%s) to %s\nSubject: %s\n\n%s",
            delivery.kind.code,
            delivery.language,
            delivery.to,
            subject or "",
            body,
        )
        return None


class SmtpSender:
    """Email through an SMTP server: plain text, one connection a message."""

    channels = ("email",)

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.host = config["SMTP_HOST"]
        self.port = config["SMTP_PORT"]
        self.security = config["SMTP_SECURITY"]
        self.username = config["SMTP_USERNAME"]
        self.password = config["SMTP_PASSWORD"]
        self.sender = config["SMTP_FROM"]
        self.timeout = config["SEND_TIMEOUT_SECONDS"]

    def _message(self, delivery: Delivery) -> EmailMessage:
        with force_locale(delivery.language):
            subject, body = render(delivery.kind, delivery.channel, delivery.values)
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = delivery.to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.sender.rpartition("@")[2].strip(">") or "localhost"
        message["Message-ID"] = f"<{delivery.reference}.{uuid.uuid4().hex}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        message["Content-Language"] = delivery.language
        return message

    def send(self, delivery: Delivery) -> str | None:
        message = self._message(delivery)
        connect = smtplib.SMTP_SSL if self.security == "ssl" else smtplib.SMTP
        try:
            with connect(self.host, self.port, timeout=self.timeout) as smtp:
                if self.security == "starttls":
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TemporaryFailure(f"SMTP {codes[0]} recipient deferred") from None
            raise PermanentFailure("address_refused", f"SMTP {codes[0]} recipient refused") from None
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TemporaryFailure(f"SMTP {error.smtp_code}") from None
            raise PermanentFailure("refused", f"SMTP {error.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as error:
            # Refused or dropped connections and timeouts: the server may be back soon.
            raise TemporaryFailure(f"SMTP {type(error).__name__}") from None
        return message["Message-ID"]


class NotifySender:
    """GOV.UK Notify: email and text messages, each from the template a force set up for
    the kind of message and the language (NOTIFY_TEMPLATES)."""

    channels = ("email", "sms")
    # Notify says later whether each message was delivered (shared.services.outbox_delivery).
    confirms = True

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.templates = config["NOTIFY_TEMPLATES"]
        self.config = config
        self._client: NotificationsAPIClient | None = None

    @property
    def client(self) -> "NotificationsAPIClient":
        """Notify's client, made when the first message is sent: the web workers, which
        never send, do not carry it (and what it imports) in their memory. The key's
        form was checked at start-up (shared.config)."""
        if self._client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            self._client = NotificationsAPIClient(
                self.config["NOTIFY_API_KEY"],
                base_url=self.config["NOTIFY_BASE_URL"],
                timeout=self.config["SEND_TIMEOUT_SECONDS"],
            )
        return self._client

    def send(self, delivery: Delivery) -> str | None:
        from notifications_python_client.errors import APIError, InvalidResponse

        template_id = self.templates[f"{delivery.kind.code}.{delivery.channel}.{delivery.language}"]
        personalisation = {name: str(delivery.values.get(name, "")) for name in delivery.kind.fields}
        try:
            if delivery.channel == "sms":
                answer = self.client.send_sms_notification(
                    delivery.to, template_id, personalisation=personalisation, reference=delivery.reference
                )
            else:
                answer = self.client.send_email_notification(
                    delivery.to, template_id, personalisation=personalisation, reference=delivery.reference
                )
        except InvalidResponse:
            # A 2xx answer that is not Notify's JSON: it may or may not have taken the
            # message. Sending again is the safe side, as messages carry no content.
            raise TemporaryFailure("Notify answered without JSON") from None
        except APIError as error:
            raise _notify_failure(error) from None
        if not isinstance(answer, dict) or "id" not in answer:
            raise TemporaryFailure("Notify answered without a notification id")
        return str(answer["id"])

    def status(self, notification_id: str) -> str | None:
        """Notify's status for one of its notifications ("get a notification by id"), or
        None when it answered without one. Raises Notify's client errors."""
        answer = self.client.get_notification_by_id(notification_id)
        status = answer.get("status") if isinstance(answer, dict) else None
        return str(status) if status is not None else None


def _notify_failure(error: "APIError") -> Exception:
    """A temporary or permanent failure for Notify's answer. Notify answers 429 when a
    rate or daily limit is reached and 5xx when it has a problem (the client reports a
    refused connection or a timeout as 503): those are worth trying again. Any other 4xx
    (a bad address, a bad template, a bad key) would be refused again."""
    status = error.status_code
    errors = (
        error.message if isinstance(error.message, list) else [{"error": "", "message": str(error.message)}]
    )
    first = errors[0] if errors else {}
    detail = f"Notify {status} {first.get('error', '')}: {first.get('message', '')}".strip()
    if status == 429 and (
        first.get("error") == "TooManyRequestsError" or "Exceeded send limits" in str(first.get("message"))
    ):
        return DailyLimit(detail)
    if status == 429 or status >= 500:
        return TemporaryFailure(detail)
    text = str(first.get("message", ""))
    # Notify names the field it refuses, or says the number is abroad (a service may
    # text UK numbers only).
    about_address = (
        "email_address" in text or "phone_number" in text or "international mobile numbers" in text
    )
    reason = "address_refused" if about_address else "refused"
    return PermanentFailure(reason, detail)


SENDERS = {"log": LogSender, "smtp": SmtpSender, "notify": NotifySender}


def init_app(app: Flask) -> None:
    app.extensions["notification_sender"] = SENDERS[app.config["NOTIFICATION_SENDER"]](app.config)
