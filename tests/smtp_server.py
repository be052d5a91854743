"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the tests: it keeps every message it
accepts, and can be told to answer with an error, to be slow, or to stop and start
again (the provider down for a while)."""

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd's Controller(port=0) fails: pick a free port first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def reference(self) -> str:
        """The outbox reference the service put at the start of the Message-ID."""
        return self.message["Message-ID"].strip("<>").split(".")[0]

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    # An SMTP reply such as "451 4.3.0 Try again later" to give instead of accepting.
    answer: str | None = None
    # Seconds to wait before answering each message.
    delay: float = 0.0
    # A reply such as "550 5.1.1 No such user" to give each recipient instead of accepting.
    rcpt_answer: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer:
            return self.answer
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.handler = Handler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def settings(self) -> dict:
        """The settings that point the SMTP sender at this server (for `use_sender`)."""
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": self.port,
            "SMTP_SECURITY": "none",
            "SMTP_USERNAME": None,
            "SMTP_PASSWORD": None,
            "SMTP_FROM": "Track My Crime <no-reply@police.example>",
        }

    def environment(self) -> dict[str, str]:
        """The same as environment variables, for a worker run as its own process."""
        return {
            "NOTIFICATION_SENDER": "smtp",
            **{k: str(v) for k, v in self.settings().items() if v is not None},
        }


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server, use_sender):
    """The app sends by SMTP to the test's own SMTP server."""
    use_sender("smtp", **smtp_server.settings())
    return smtp_server
