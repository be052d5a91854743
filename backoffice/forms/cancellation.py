"""The form a Designated Decision Maker or the Force Crime Registrar fills in to cancel
a crime record."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from backoffice.forms.common import choices
from shared.domain.victims_code_rules import CANCELLATION_REASONS
from shared.services.victims_code_actions import MAX_REASON
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


class CancelCrimeForm(Form):
    reason = RadioField(
        _l("Why is the crime record being cancelled?"),
        widget=GovRadioInput(),
        choices=choices((code, labels[0]) for code, labels in CANCELLATION_REASONS.items()),
        validators=[InputRequired(_l("Select the reason for cancelling"))],
    )
    evidence = TextAreaField(
        _l("What information or evidence justifies the cancellation?"),
        description=_l(
            "Say what the decision rests on and where it is recorded. Staff only: the victim does not see this."
        ),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter the information that justifies the cancellation")),
            Length(
                max=MAX_REASON,
                message=_l("The information must be %(max)d characters or fewer", max=MAX_REASON),
            ),
        ],
    )
    submit = SubmitField(
        _l("Cancel crime record"),
        widget=GovSubmitInput(),
        render_kw={"params": {"classes": "govuk-button--warning"}},
    )
