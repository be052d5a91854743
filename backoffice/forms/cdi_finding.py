"""Forms of crime data integrity audit findings: disputing one, and putting it right.
The registrar's ruling uses the judgement form (backoffice.forms.cdi_audit)."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField

from backoffice.forms.cdi_audit import JudgementForm
from backoffice.forms.common import choices
from shared.domain.cdi_findings import PUT_RIGHT_STATUSES
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


class DisputeForm(Form):
    reason = TextAreaField(
        _l("Why do you dispute the finding?"),
        description=_l(
            "What the record shows that the auditor missed. The Force Crime Registrar rules on it, finally."
        ),
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Send the dispute to the Force Crime Registrar"), widget=GovSubmitInput())


class PutRightForm(Form):
    status = RadioField(
        _l("Status"),
        widget=GovRadioInput(),
        choices=choices(PUT_RIGHT_STATUSES.items()),
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("Comment"),
        description=_l("What was done, or why it cannot be put right"),
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class RulingForm(JudgementForm):
    """The registrar's ruling on a dispute: a judgement, the record's last."""

    submit = SubmitField(_l("Save the ruling, which is final"), widget=GovSubmitInput())
