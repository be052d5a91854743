"""The form a supervisor, a Designated Decision Maker or the Force Crime Registrar fills
in to enter the decision not to record a crime an incident disclosed. The service
(shared.services.incidents.enter_decision) checks it."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField

from backoffice.forms.common import choices
from shared.domain.incident_reference import NOT_RECORDED_REASONS
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


class NotRecordedForm(Form):
    reason = RadioField(
        _l("Why is no crime being recorded?"),
        widget=GovRadioInput(),
        choices=choices(NOT_RECORDED_REASONS.items()),
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Written reason"),
        description=_l(
            "What the decision rests on, as an auditor will read it. A May 2023 exclusion also needs "
            "a supervisor of the incident’s team to sign it off."
        ),
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Enter the decision not to record"), widget=GovSubmitInput())
