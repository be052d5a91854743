"""Adding a victim to a crime, or changing their details."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional

from backoffice.forms.common import choices
from shared.domain.reference_data import (
    CONTACT_CHANNEL_LABELS,
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
)
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField


class VictimForm(Form):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the victim’s full name")),
            Length(max=200, message=_l("The name must be 200 characters or fewer")),
        ],
    )
    date_of_birth = GovDateField(
        _l("Date of birth (optional)"),
        description=_l("For example, 31 3 1980"),
        validators=[Optional()],
        invalid_message=_l("Date of birth must be a real date"),
    )
    email = StringField(
        _l("Email address (optional)"),
        description=_l("Needed to invite the victim to follow their case online."),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=320),
        ],
    )
    phone = StringField(
        _l("Phone number (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=40, message=_l("The phone number must be 40 characters or fewer")),
        ],
    )
    preferred_language = RadioField(
        _l("Preferred language"),
        widget=GovRadioInput(),
        choices=choices(LANGUAGE_NAMES.items()),
        default=DEFAULT_LANGUAGE,
        validators=[InputRequired(_l("Select the victim’s preferred language"))],
    )
    contact_channel = RadioField(
        _l("How would they like to be contacted?"),
        widget=GovRadioInput(),
        choices=choices(CONTACT_CHANNEL_LABELS.items()),
        default="email",
        validators=[InputRequired(_l("Select how the victim would like to be contacted"))],
    )
    interpreter_language = StringField(
        _l("Interpreter needed for (optional)"),
        description=_l("The language, if the victim needs an interpreter"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message=_l("The language must be 100 characters or fewer"))],
    )
    communication_needs = TextAreaField(
        _l("Communication needs (optional)"),
        description=_l("For example, large print, British Sign Language, or help from a carer"),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=2000, message=_l("Communication needs must be 2000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Add victim"), widget=GovSubmitInput())
