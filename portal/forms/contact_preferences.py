"""The victim's choices of how she is kept up to date about a case. The choices on offer
(the force's frequencies, the intermediary the officer named) are set by the view; the
service checks every answer again and says in words what is wrong."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired

from shared.domain.numbers import whole_number
from shared.domain.reference_data import CONTACT_CHANNEL_LABELS, INTERMEDIARY, LANGUAGE_NAMES
from shared.services.contact_preferences import OTHER_LANGUAGE
from shared.services.victims_code_actions import MAX_LANGUAGE, Intermediary
from shared.translation import lazy_gettext as _l
from shared.translation import lazy_ngettext
from shared.web.forms import Form

# The frequency answer for "no regular updates".
NO_UPDATES = "none"


class ContactPreferencesForm(Form):
    frequency = RadioField(
        _l("How often do you want an update?"),
        description=_l("We will still tell you about important decisions, such as an arrest or a charge."),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Select how often you want an update"))],
    )
    channel = RadioField(
        _l("How do you want us to contact you?"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Select how you want us to contact you"))],
    )
    language = RadioField(
        _l("Which language do you want us to use?"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Select the language you want us to use"))],
    )
    interpreter_language = StringField(
        _l("Which language?"),
        description=_l("We will write to you in English and arrange an interpreter when we speak to you."),
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Save your choices"), widget=GovSubmitInput())

    def __init__(
        self, frequencies: tuple[int, ...], intermediary: Intermediary | None, roles: dict, **kwargs
    ):
        super().__init__(**kwargs)
        self.interpreter_language.echo_limit = MAX_LANGUAGE
        self.frequency.choices = [
            *(
                (str(days), lazy_ngettext("Every %(num)d day", "Every %(num)d days", days))
                for days in frequencies
            ),
            (NO_UPDATES, _l("I do not want regular updates")),
        ]
        channels = list(CONTACT_CHANNEL_LABELS.items())
        if intermediary is not None:
            channels.append(
                (
                    INTERMEDIARY,
                    _l("Through %(name)s, %(role)s", name=intermediary.name, role=roles[intermediary.role]),
                )
            )
        self.channel.choices = channels
        self.language.choices = [
            *LANGUAGE_NAMES.items(),
            (OTHER_LANGUAGE, _l("Another language, with an interpreter")),
        ]

    @property
    def frequency_days(self) -> int | None:
        """The days chosen, None for no regular updates, 0 for an answer that is neither
        (the service refuses it)."""
        if self.frequency.data == NO_UPDATES:
            return None
        return whole_number(self.frequency.data, low=1, high=365) or 0
