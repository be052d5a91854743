"""The victims' feedback survey: three questions on the 5-point scale, each with
"prefer not to say", and an optional comment; and the button that turns it down."""

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from shared.domain.feedback import MAX_COMMENT, PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL, QUESTIONS, SCALE
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form

_CHOICES = [
    SelectChoice(value, label)
    for value, label in [*SCALE.items(), (PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL)]
]


def _question(code: str, error) -> RadioField:
    return RadioField(
        QUESTIONS[code], widget=GovRadioInput(), choices=_CHOICES, validators=[InputRequired(error)]
    )


class FeedbackForm(Form):
    informed = _question("informed", _l("Select how satisfied you are with how you have been kept informed"))
    respect = _question("respect", _l("Select how satisfied you are that you have been treated with respect"))
    rights = _question(
        "rights", _l("Select how satisfied you are with how you have been told about your rights")
    )
    comment = TextAreaField(
        _l("Is there anything else you would like to tell us? (optional)"),
        description=_l("Do not include your name, anyone else’s name or your crime reference."),
        widget=GovCharacterCount(),
    )
    submit = SubmitField(_l("Send your answers"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.comment.echo_limit = MAX_COMMENT

    def answers(self) -> dict[str, int | None]:
        """Each question's answer: 1 to 5, or None for "prefer not to say"."""
        return {
            code: None if self[code].data == PREFER_NOT_TO_SAY else int(self[code].data) for code in QUESTIONS
        }


class FeedbackDismissForm(Form):
    """Only the CSRF token and the button."""

    dismiss = SubmitField(_l("No thanks"), widget=GovSubmitInput())
