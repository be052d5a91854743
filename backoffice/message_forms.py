"""Forms for secure messages staff write to a victim, and the words for messages the
service could not send."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired

# What a message that could not be sent was, as the officer reads it on the crime page:
# "<victim> was not sent <this>".
FAILED_KINDS = {
    "invitation": _l("their invitation to follow the case online"),
    "password_reset": _l("a link to reset their password"),
    "staff_setup": _l("a link to set up their account"),
    "new_update": _l("a notice of a new update"),
    "new_message": _l("a notice of a new message"),
}


class ReplyForm(FlaskForm):
    # The length is checked by the service, which counts a line break as one character,
    # as the browser's character count does.
    body = TextAreaField(
        _l("Your message"),
        description=_l(
            "The victim reads this when they sign in. They are told there is a new message, "
            "but not what it says. Do not include details about the suspect or intelligence."
        ),
        widget=GovCharacterCount(),
        validators=[InputRequired(_l("Enter your message"))],
    )
    submit = SubmitField(_l("Send message"), widget=GovSubmitInput())
