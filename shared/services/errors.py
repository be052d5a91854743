"""Errors a service raises for a person to fix: each names the form field it is about."""


class ServiceError(Exception):
    """A request the rules refuse. `field` names the form field to mark, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
