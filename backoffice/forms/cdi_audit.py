"""Forms of crime data integrity audits: planning an audit (with the sample-size helper),
and judging a record against its checklist."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, StringField, SubmitField, TextAreaField

from backoffice.forms.common import choices
from backoffice.forms.scrutiny import _whole_number
from shared.domain.cdi_audit import ANSWERS, CANCELLATION_CHECKLIST, INCIDENT_CHECKLIST, STRATA
from shared.domain.scrutiny import CRITERIA as DISPOSAL_CRITERIA
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField

_NUMBER = {"params": {"classes": "govuk-input--width-5", "inputmode": "numeric"}}


class AuditForm(Form):
    title = StringField(
        _l("Title"), description=_l("For example, Violence audit, spring 2026"), widget=GovTextInput()
    )
    period_start = GovDateField(
        _l("First day of the period"),
        description=_l("Records received, cancelled or disposed of from this day. For example, 1 4 2026"),
        invalid_message=_l("The first day must be a real date"),
    )
    period_end = GovDateField(
        _l("Last day of the period"),
        description=_l("Including the whole day"),
        invalid_message=_l("The last day must be a real date"),
    )
    seed = IntegerField(
        _l("Seed"),
        description=_l("Any whole number: the same seed draws the same records from the same frame"),
        widget=GovTextInput(),
        render_kw={"params": {"classes": "govuk-input--width-10", "inputmode": "numeric"}},
    )
    expected_rate = IntegerField(
        _l("Expected compliance, per cent"), default=90, widget=GovTextInput(), render_kw=_NUMBER
    )
    margin = IntegerField(_l("Target margin, points"), default=3, widget=GovTextInput(), render_kw=_NUMBER)
    calculate = SubmitField(_l("Work out the sample sizes"), widget=GovSubmitInput())
    submit = SubmitField(_l("Draw the sample"), widget=GovSubmitInput())

    def validate_seed(self, field):
        _whole_number(field, _l("The seed must be a whole number"))

    def validate_expected_rate(self, field):
        _whole_number(field, _l("The expected compliance must be a whole number"))

    def validate_margin(self, field):
        _whole_number(field, _l("The margin must be a whole number"))

    def sizes(self) -> dict[str, int]:
        """The size asked of each stratum given one; a stratum left empty is not audited."""
        return {
            stratum: self[f"size_{stratum}"].data
            for stratum in STRATA
            if self[f"size_{stratum}"].data is not None
        }


def _size_field(label):
    return IntegerField(label, widget=GovTextInput(), render_kw=_NUMBER)


def _validate_size(self, field):
    _whole_number(field, _l("The number of records must be a whole number"))


for _stratum, _label in STRATA.items():
    setattr(AuditForm, f"size_{_stratum}", _size_field(_label))
    setattr(AuditForm, f"validate_size_{_stratum}", _validate_size)


class JudgementForm(Form):
    compliant = RadioField(
        _l("Is the record compliant?"),
        widget=GovRadioInput(),
        choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
        validate_choice=False,
    )
    note = TextAreaField(_l("Note"), description=_l("Why: what the record shows"), widget=GovTextArea())
    submit = SubmitField(_l("Save the judgement"), widget=GovSubmitInput())


def _answer_field(label):
    return RadioField(label, widget=GovRadioInput(), choices=choices(ANSWERS.items()), validate_choice=False)


for _question, _label in {**INCIDENT_CHECKLIST, **CANCELLATION_CHECKLIST, **DISPOSAL_CRITERIA}.items():
    setattr(JudgementForm, _question, _answer_field(_label))
