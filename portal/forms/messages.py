"""The form a victim writes a secure message to the officer in charge with, and the
words of its character count."""

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField

from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


class MessageForm(Form):
    # Only the text: who it goes to, the crime and the sender come from the signed-in
    # victim's own case, never from the form. The service checks that it is not empty
    # and not too long, counting a line break as one character as the browser's
    # character count does.
    body = TextAreaField(
        _l("Your message"),
        description=_l(
            "Do not use this to report a new crime or anything that needs an answer straight away."
        ),
        widget=GovCharacterCount(),
    )
    submit = SubmitField(_l("Send message"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Sent back with an error, no more is shown than a message may hold.
        self.body.echo_limit = current_app.config["SECURE_MESSAGE_MAX_LENGTH"]
