"""Sending messages to victims through a pluggable sender.

The sender is chosen by the MESSAGE_SENDER setting. `log` (development only) writes the
message to the application log; real channels plug in here with the same interface.
"""

import logging
from dataclasses import dataclass

from flask import current_app
from flask.logging import default_handler

logger = logging.getLogger("trackmycrime.messages")


@dataclass(frozen=True)
class Message:
    kind: str
    language: str
    subject: str
    body: str
    email: str | None = None
    phone: str | None = None


class LogSender:
    """Writes each message to the log, for running the service on a developer's machine.
    The development server shows the log in its terminal, activation links included."""

    def __init__(self):
        if not logger.handlers and not logging.getLogger().handlers:
            logger.addHandler(default_handler)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)

    def send(self, message: Message) -> None:
        logger.info(
            "Message %s (%s) to %s\nSubject: %s\n\n%s",
            message.kind,
            message.language,
            message.email or message.phone,
            message.subject,
            message.body,
        )


SENDERS = {"log": LogSender}


def init_app(app) -> None:
    name = app.config["MESSAGE_SENDER"]
    if name not in SENDERS:
        raise RuntimeError(f"MESSAGE_SENDER {name!r} is not one of {', '.join(SENDERS)}")
    app.extensions["message_sender"] = SENDERS[name]()


def send(message: Message) -> None:
    current_app.extensions["message_sender"].send(message)
