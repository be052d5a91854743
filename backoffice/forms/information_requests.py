"""The form for a request to a third party for information about a victim. The choices
and the rules between fields (a parent or guardian for a child, a safe route for a victim
not safe to contact) are checked again by shared.services.information_requests, which says
in words what is wrong; this form catches what is missing or malformed."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from backoffice.forms.common import choices
from shared.domain.information_requests import (
    GUARDIAN_RELATIONSHIPS,
    MAX_NAME,
    MAX_NOTICE_TEXT,
    RECIPIENT_KINDS,
    SAFE_ROUTES,
)
from shared.models.types import utcnow
from shared.services import calendar
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField

# What the victim reads of how the information is handled, unless the officer says more.
STANDARD_HANDLING = _l(
    "We will keep the information securely with the case file and use it only for this "
    "investigation and any prosecution. We will share it only where the law requires, for "
    "example with the Crown Prosecution Service, and we will not keep it longer than we need to."
)


def _today():
    return calendar.local_date(utcnow())


def _text_length():
    return Length(max=MAX_NOTICE_TEXT, message=_l("Enter %(max)d characters or fewer", max=MAX_NOTICE_TEXT))


def _name_length():
    return Length(max=MAX_NAME, message=_l("Enter %(max)d characters or fewer", max=MAX_NAME))


class InformationRequestForm(Form):
    recipient_kind = RadioField(
        _l("Who is being asked for the information?"),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=choices((kind.code, kind.label) for kind in RECIPIENT_KINDS.values()),
        validators=[InputRequired(_l("Select who is being asked for the information"))],
    )
    recipient_name = StringField(
        _l("Their name"),
        description=_l("For example, the name of the school or the counselling service"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter the name of who is being asked")), _name_length()],
    )
    information_sought = TextAreaField(
        _l("What information is being asked for?"),
        description=_l("The victim reads this, in plain words."),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Enter what information is being asked for")), _text_length()],
    )
    purpose = TextAreaField(
        _l("Why is it needed?"),
        description=_l("The victim reads this, in plain words."),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Enter why the information is needed")), _text_length()],
    )
    handling = TextAreaField(
        _l("How will it be handled?"),
        description=_l("The victim reads this. Change it if this request is handled differently."),
        widget=GovTextArea(),
        default=STANDARD_HANDLING,
        validators=[InputRequired(_l("Enter how the information will be handled")), _text_length()],
    )
    date = GovDateField(
        _l("When is the request made?"),
        description=_l("Today, or the day it was made. For example, 27 3 2026"),
        default=_today,
        validators=[DataRequired(_l("Enter the date of the request"))],
        invalid_message=_l("The date of the request must be a real date"),
    )
    guardian_name = StringField(
        _l("Parent or guardian to tell (if the victim is under 18)"),
        description=_l("The notice goes to them, not to the victim."),
        widget=GovTextInput(),
        validators=[Optional(), _name_length()],
    )
    guardian_relationship = RadioField(
        _l("Their relationship to the victim"),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=choices(GUARDIAN_RELATIONSHIPS.items()),
    )
    safe_route = RadioField(
        _l("Safe way to give the notice"),
        description=_l(
            "Needed when it is not safe to contact the victim. Nothing is then sent automatically."
        ),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=choices(SAFE_ROUTES.items()),
    )
    safe_route_detail = StringField(
        _l("Details of the safe way (optional)"),
        description=_l("For example, the intermediary’s name. For police staff only."),
        widget=GovTextInput(),
        validators=[Optional(), _name_length()],
    )
    submit = SubmitField(_l("Record request"), widget=GovSubmitInput())
