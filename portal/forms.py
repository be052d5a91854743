from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length


class ChoosePasswordForm(FlaskForm):
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
    submit = SubmitField(_l("Set up account"), widget=GovSubmitInput())
