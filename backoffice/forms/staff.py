"""Forms for staff accounts: the second sign-in step, setting up an account, and the
administrators' screens."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from backoffice.forms.common import choices
from shared.domain.numbers import MAX_ID, whole_number
from shared.domain.permissions import ROLE_LABELS
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


class CodeForm(Form):
    code = StringField(
        _l("Code from your authenticator app"),
        description=_l(
            "The 6-digit code the app shows now. If you do not have your phone, enter one of your recovery codes."
        ),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the 6-digit code from your authenticator app")),
            Length(
                max=40, message=_l("Enter the 6-digit code from your authenticator app, or a recovery code")
            ),
        ],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class EnrolForm(Form):
    code = StringField(
        _l("Code from your authenticator app"),
        description=_l("After you add the account, the app shows a 6-digit code. Enter it here."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the 6-digit code from your authenticator app")),
            Length(max=40, message=_l("Enter the 6-digit code from your authenticator app")),
        ],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class SetUpPasswordForm(Form):
    password = PasswordField(
        _l("Create a password"),
        description=_l("Use at least 8 characters. A few words you will remember work well."),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Enter a password")),
            Length(min=8, message=_l("Your password must be at least 8 characters")),
            Length(max=256, message=_l("Your password must be 256 characters or fewer")),
        ],
    )
    confirm = PasswordField(
        _l("Confirm your password"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Enter your password again")),
            EqualTo("password", _l("The passwords do not match")),
        ],
    )
    submit = SubmitField(_l("Set password"), widget=GovSubmitInput())


def _roles_field(label):
    # The choices are checked by the service, which says which role is wrong in words.
    return SelectMultipleField(
        label,
        widget=GovCheckboxesInput(),
        choices=choices(ROLE_LABELS.items()),
        validate_choice=False,
        validators=[InputRequired(_l("Select at least one role"))],
    )


class NewStaffForm(Form):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the full name")),
            Length(max=200, message=_l("The name must be 200 characters or fewer")),
        ],
    )
    collar_number = StringField(
        _l("Collar number"),
        description=_l("Or staff number, for police staff"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the collar number")),
            Length(max=20, message=_l("The collar number must be 20 characters or fewer")),
        ],
    )
    email = StringField(
        _l("Email address"),
        description=_l("Their work email address. They sign in with it and we send the set-up link to it."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the email address")),
            Email(_l("Enter an email address in the correct format, like name@police.example")),
            Length(max=320, message=_l("The email address must be 320 characters or fewer")),
        ],
    )
    team = SelectField(
        _l("Team"),
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(_l("Select the team"))],
    )
    roles = _roles_field(_l("Roles"))
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())

    def __init__(self, teams, **kwargs):
        super().__init__(**kwargs)
        self.team.choices = choices([("", _l("Select the team"))] + [(str(t.id), t.name) for t in teams])

    def team_id(self) -> int:
        """The chosen team's id, or 0 when what was posted is not a number."""
        return whole_number(self.team.data, high=MAX_ID) or 0


class RolesForm(Form):
    roles = _roles_field(_l("Roles"))
    submit = SubmitField(_l("Save roles"), widget=GovSubmitInput())
