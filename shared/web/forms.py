"""Form fields that speak GOV.UK: date input with translated labels, times, and the
local-time conversion every form with a date and time needs."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import DateField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError

from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l

LONDON = ZoneInfo("Europe/London")
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")
# The most a form shows back of a value whose field declares no length: the longest
# text any field takes (an officer's update).
ECHO_LIMIT = 5000
# The most a box of a date shows back: a year is 4 digits; a few spaces are kept.
DATE_BOX_ECHO_LIMIT = 8


def echo_limit(field) -> int:
    """How much of a value `field` shows back when a form is sent back with errors: the
    field's own Length maximum, else its `echo_limit` attribute, else ECHO_LIMIT. A box
    with a GOV.UK character count shows up to twice its maximum: the pattern sends back
    text a little too long for the writer to shorten ("You have 12 characters too
    many"), and a victim must not lose a message they wrote; more than that is no
    message, and is cut."""
    lengths = [v.max for v in field.validators if isinstance(v, Length) and v.max is not None and v.max >= 0]
    limit = min(lengths) if lengths else getattr(field, "echo_limit", ECHO_LIMIT)
    return 2 * limit if isinstance(field.widget, GovCharacterCount) else limit


class Form(FlaskForm):
    """Every form of the service. A form sent back with errors never shows back more of
    a value than `echo_limit` allows: a megabyte typed into an email box comes back as
    its first 320 characters, not as a megabyte page. Only what is shown is cut; what
    is checked and saved is what was sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            _cap_shown_value(field)


def _cap_shown_value(field) -> None:
    shown = getattr(field, "_value", None)
    if shown is None:
        # A choice (select, radios): what it shows is its own options, not what was sent.
        return

    def capped():
        value = shown()
        return value[: echo_limit(field)] if isinstance(value, str) else value

    field._value = capped


class TranslatedDateInput(GovDateInput):
    """GOV.UK date input whose Day, Month and Year labels are in the reader's language,
    and whose error links go to the first box.

    A date the service fills in is written as GOV.UK writes one, without leading zeros
    (`4 12 2026`, not `04 12 2026`); what the reader typed is shown back as typed."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            # Posted with missing or extra boxes: show what can be shown, in order.
            field.raw_data = (list(field.raw_data) + ["", "", ""])[:3]
        if field.raw_data is not None:
            field.raw_data = [str(box)[:DATE_BOX_ECHO_LIMIT] for box in field.raw_data]
        params = super().map_gov_params(field, **kwargs)
        labels = (_("Day"), _("Month"), _("Year"))
        values = date_parts(field.data) if field.raw_data is None and field.data else None
        for index, (item, label) in enumerate(zip(params["items"], labels, strict=True)):
            item["label"] = label
            if values:
                item["value"] = values[index]
        return params


def date_parts(day: date) -> tuple[str, str, str]:
    """A date as the three boxes of a GOV.UK date input show it: `27 3 2007`."""
    return str(day.day), str(day.month), str(day.year)


_DATE_BOX = re.compile(r"[0-9]{1,4}")


class GovDateField(DateField):
    """A date typed as day, month and year. Empty boxes give None; a date that does not
    exist gives `invalid_message`."""

    widget = TranslatedDateInput()

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.invalid_message = invalid_message or _l("Enter a real date")

    def process_formdata(self, valuelist):
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            return
        try:
            if len(valuelist) != 3:
                raise ValueError
            boxes = [str(v).strip() for v in valuelist]
            # ASCII digits only, at most 4 a box: `int()` would take '٣' or '1_000', and
            # a year of eleven digits overflows the date type.
            if not all(_DATE_BOX.fullmatch(box) for box in boxes):
                raise ValueError
            day, month, year = (int(box) for box in boxes)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except (TypeError, ValueError, OverflowError):
            self.data = None
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        # A date that does not exist is the only thing to say: stop before "required".
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        return ""


class TimeField(StringField):
    """A time of day typed as HH:MM on the 24-hour clock."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.time_value = None
        if self.data and self.data.strip():
            match = _TIME.match(self.data)
            if match:
                self.time_value = time(int(match.group(1)), int(match.group(2)))

    def pre_validate(self, form):
        if self.data and self.data.strip() and self.time_value is None:
            raise ValidationError(_("Enter a time in the 24-hour clock, like 14:30"))


def local_to_utc(day: date, at: time | None) -> datetime:
    """A date and time on the clock in England and Wales, as a UTC timestamp."""
    return datetime.combine(day, at or time(0, 0), tzinfo=LONDON).astimezone(UTC)


class SignInForm(Form):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter your email address")), Length(max=320)],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Enter your password")), Length(max=256)],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())
