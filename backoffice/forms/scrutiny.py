"""Forms of out-of-court disposal scrutiny: drawing a sample, the panel's grade, and the
force's response."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, SubmitField, TextAreaField

from backoffice.forms.common import choices
from shared.domain.scrutiny import CRITERIA, FINDINGS, GRADES
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField


class DrawSampleForm(Form):
    period_start = GovDateField(
        _l("First day of the period"),
        description=_l("Disposals recorded from this day. For example, 1 4 2026"),
        invalid_message=_l("The first day must be a real date"),
    )
    period_end = GovDateField(
        _l("Last day of the period"),
        description=_l("Including the whole day"),
        invalid_message=_l("The last day must be a real date"),
    )
    size = IntegerField(
        _l("Number of cases to draw"),
        widget=GovTextInput(),
        render_kw={"params": {"classes": "govuk-input--width-5", "inputmode": "numeric"}},
    )
    seed = IntegerField(
        _l("Seed"),
        description=_l("Any whole number: the same seed draws the same cases from the same disposals"),
        widget=GovTextInput(),
        render_kw={"params": {"classes": "govuk-input--width-10", "inputmode": "numeric"}},
    )
    submit = SubmitField(_l("Draw the sample"), widget=GovSubmitInput())

    def validate_size(self, field):
        _whole_number(field, _l("The number of cases must be a whole number"))

    def validate_seed(self, field):
        _whole_number(field, _l("The seed must be a whole number"))


def _whole_number(field, message) -> None:
    """An empty box is for the service to ask for; anything else that is not a whole
    number gets `message`."""
    typed = (field.raw_data or [""])[0].strip()
    field.errors = [message] if typed and field.data is None else []


class GradeForm(Form):
    grade = RadioField(
        _l("Grade"),
        widget=GovRadioInput(),
        choices=choices((str(code), label) for code, label in GRADES.items()),
        validate_choice=False,
    )
    comments = TextAreaField(
        _l("Comments"),
        description=_l("Needed for grade 2: the panel’s observations"),
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Save the grade"), widget=GovSubmitInput())


def _finding_field(label):
    return RadioField(label, widget=GovRadioInput(), choices=choices(FINDINGS.items()), validate_choice=False)


for _criterion, _label in CRITERIA.items():
    setattr(GradeForm, _criterion, _finding_field(_label))


class ResponseForm(Form):
    response = TextAreaField(_l("The force’s response"), widget=GovTextArea())
    responded_on = GovDateField(
        _l("Date of the response"),
        description=_l("For example, 1 4 2026"),
        invalid_message=_l("The date of the response must be a real date"),
    )
    submit = SubmitField(_l("Record the response"), widget=GovSubmitInput())
