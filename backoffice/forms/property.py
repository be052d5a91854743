"""Recording an item of property on a crime, or changing where it is now."""

import re
from decimal import Decimal

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from backoffice.forms.common import choices
from shared.domain.property import KINDS, STATUSES
from shared.services.property import MAX_DESCRIPTION, MAX_DETAILS
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField

# Pounds, with pence if given: `350`, `349.99`, `1,250.50`. ASCII digits only.
_POUNDS = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d{1,8})(\.\d{2})?$")


def pence(text: str | None) -> int | None:
    """The value typed, in pence; None when left blank. Raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    if not _POUNDS.match(text):
        raise ValueError(text)
    return int(Decimal(text.lstrip("£").strip().replace(",", "")) * 100)


class PropertyForm(Form):
    kind = RadioField(
        _l("What happened to the item?"),
        widget=GovRadioInput(),
        choices=choices((k.code, k.label) for k in KINDS.values()),
        validators=[InputRequired(_l("Select what happened to the item"))],
    )
    description = StringField(
        _l("Describe the item"),
        description=_l("What it is, with any make, colour or serial number. The victim reads this."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Describe the item")),
            Length(
                max=MAX_DESCRIPTION,
                message=_l("The description must be %(max)d characters or fewer", max=MAX_DESCRIPTION),
            ),
        ],
    )
    owner = SelectField(
        _l("Whose is it?"),
        description=_l(
            "Only the victim it belongs to sees it, in their case and their letter for their insurer."
        ),
        widget=GovSelect(),
        validate_choice=False,
    )
    value = StringField(
        _l("What is it worth, in pounds? (optional)"),
        description=_l("For example, 350 or 349.99"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=20, message=_l("Enter the value in pounds, for example 350 or 349.99")),
        ],
    )
    status = RadioField(
        _l("Where is it now?"),
        widget=GovRadioInput(),
        choices=choices((s.code, s.label) for s in STATUSES.values()),
        validators=[InputRequired(_l("Select where the item is now"))],
    )
    held_at = GovDateField(
        _l("When did the police take it in? (if they have or had it)"),
        description=_l("For example, 27 3 2026"),
        validators=[Optional()],
        invalid_message=_l("The date the police took the item in must be a real date"),
    )
    returned_at = GovDateField(
        _l("When was it given back? (if it has been)"),
        description=_l("For example, 27 3 2026"),
        validators=[Optional()],
        invalid_message=_l("The date the item was given back must be a real date"),
    )
    disposed_at = GovDateField(
        _l("When was it disposed of? (if it has been)"),
        description=_l("For example, 27 3 2026"),
        validators=[Optional()],
        invalid_message=_l("The date the item was disposed of must be a real date"),
    )
    return_details = TextAreaField(
        _l("How can the victim get it back? (optional)"),
        description=_l("The victim reads this: where and when to collect it, and what to bring."),
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_DETAILS, message=_l("Text must be %(max)d characters or fewer", max=MAX_DETAILS))
        ],
    )
    officer_note = TextAreaField(
        _l("Officer’s note (optional)"),
        description=_l(
            "For police staff only. The victim never sees it, and it is never in a letter for an insurer."
        ),
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_DETAILS, message=_l("Text must be %(max)d characters or fewer", max=MAX_DETAILS))
        ],
    )
    submit = SubmitField(_l("Save item"), widget=GovSubmitInput())

    def __init__(self, owners, **kwargs):
        super().__init__(**kwargs)
        self.owner.choices = choices(
            [("", _l("No victim: the suspect’s, or not yet claimed"))]
            + [(str(link.id), link.victim.name) for link in owners]
        )

    def validate_value(self, field) -> None:
        try:
            pence(field.data)
        except ValueError:
            raise ValidationError(_l("Enter the value in pounds, for example 350 or 349.99")) from None
