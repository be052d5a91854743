"""What every back-office form may use: choices for radios and selects, and a form that is
only a button."""

from flask_wtf import FlaskForm
from wtforms import (
    SelectChoice,
)


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ConfirmForm(FlaskForm):
    """A form with nothing to fill in: a button, and its CSRF token."""
