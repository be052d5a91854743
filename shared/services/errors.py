"""Errors a service raises for a person to fix: each names the form field it is about."""

from flask_babel.speaklater import LazyString


class ServiceError(Exception):
    """A request the rules refuse. `field` names the form field to mark, if any."""

    def __init__(self, message: str | LazyString, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotPermitted(ServiceError):
    """A request the rules refuse to this person, though another may make it (a
    cancellation that needs a more senior authoriser): a page answers it with 403, so the
    refusal is audited as a refused change."""


class Conflict(ServiceError):
    """The request is well formed but the record's state refuses it (HTTP 409): a record
    whose judgement the Force Crime Registrar has ruled on, a dispute raised twice."""
