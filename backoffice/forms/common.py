"""What every back-office form may use: choices for radios and selects, and a form that is
only a button."""

from wtforms import (
    SelectChoice,
)

from shared.web.forms import Form


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ConfirmForm(Form):
    """A form with nothing to fill in: a button, and its CSRF token."""
