"""Errors a service raises for a person to fix: each names the form field it is about."""

from flask_babel.speaklater import LazyString


class ServiceError(Exception):
    """A request the rules refuse. `field` names the form field to mark, if any."""

    def __init__(self, message: str | LazyString, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
