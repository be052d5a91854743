"""The parent or guardian of a victim under 18 on a crime."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional

from backoffice.forms.common import choices
from shared.domain.children import CONTACTED, GUARDIAN_ONLY, RELATIONSHIPS
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form

YES_NO = (("yes", _l("Yes")), ("no", _l("No")))


class GuardianForm(Form):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the parent or guardian’s full name")),
            Length(max=200, message=_l("The name must be 200 characters or fewer")),
        ],
    )
    relationship = RadioField(
        _l("How are they related to the victim?"),
        widget=GovRadioInput(),
        choices=choices(RELATIONSHIPS.items()),
        validators=[InputRequired(_l("Select how they are related to the victim"))],
    )
    email = StringField(
        _l("Email address (optional)"),
        description=_l("Needed for the online account to be theirs: they sign in with it."),
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
    holds_account = RadioField(
        _l("Is the online account theirs?"),
        description=_l("They follow the child’s case online until the child turns 18."),
        widget=GovRadioInput(),
        choices=choices(YES_NO),
        default="yes",
        validators=[InputRequired(_l("Select whether the online account is theirs"))],
    )
    # Offered only when the force allows direct contact and the child is 12 or over; left
    # out, the parent or guardian is contacted.
    contact = RadioField(
        _l("Who do the police contact?"),
        widget=GovRadioInput(),
        choices=choices(CONTACTED.items()),
        default=GUARDIAN_ONLY,
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())
