"""The form staff write a secure message to a victim with."""

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired

from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


class ReplyForm(Form):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Sent back with an error, no more is shown than a message may hold.
        self.body.echo_limit = current_app.config["SECURE_MESSAGE_MAX_LENGTH"]
