from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp

from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


def _new_password(label) -> PasswordField:
    """A password being chosen. The service checks the rest of the rules (common and
    breached passwords); there are no composition rules."""
    return PasswordField(
        label,
        description=_l("Use at least 8 characters. A few words you will remember work well."),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Enter a password")),
            Length(min=8, message=_l("Your password must be at least 8 characters")),
            Length(max=256, message=_l("Your password must be 256 characters or fewer")),
        ],
    )


def _confirm_password(label) -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Enter your password again")),
            EqualTo("password", _l("The passwords do not match")),
        ],
    )


class ChoosePasswordForm(Form):
    password = _new_password(_l("Create a password"))
    confirm = _confirm_password(_l("Confirm your password"))
    submit = SubmitField(_l("Set up account"), widget=GovSubmitInput())


class ResetPasswordForm(ChoosePasswordForm):
    # Fields in page order: WTForms orders them by when each was created.
    password = _new_password(_l("Create a new password"))
    confirm = _confirm_password(_l("Confirm your new password"))
    submit = SubmitField(_l("Reset password"), widget=GovSubmitInput())


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Enter your current password")), Length(max=256)],
    )
    password = _new_password(_l("New password"))
    confirm = _confirm_password(_l("Confirm your new password"))
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class ForgotPasswordForm(Form):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter your email address")),
            Length(max=320, message=_l("Your email address must be 320 characters or fewer")),
            Regexp(
                r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$",
                message=_l("Enter an email address in the correct format, like name@example.com"),
            ),
        ],
    )
    submit = SubmitField(_l("Send link"), widget=GovSubmitInput())
