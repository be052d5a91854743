"""Forms of a crime's own pages: recording it, posting an update, its officer, stage and
outcome."""

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from backoffice.forms.common import choices
from shared.domain.investigation_factors import FACTORS
from shared.domain.reference_data import (
    FINAL_STAGES,
    OFFENCES,
    OUTCOMES,
    STAGES,
    UPDATE_KINDS,
)
from shared.domain.scrutiny import ADMISSIONS
from shared.services.updates import MAX_TEXT
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField, TimeField

VISIBLE_CHOICES = choices(
    [
        ("yes", _l("Yes, the victim can read it")),
        ("no", _l("No, staff only")),
    ]
)

YES_NO = choices([("yes", _l("Yes")), ("no", _l("No"))])


class CrimeForm(Form):
    reference = StringField(
        _l("Crime reference"),
        description=_l("As given by the crime recording system, for example 43/12345/26"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the crime reference")),
            Length(max=30, message=_l("The crime reference must be 30 characters or fewer")),
        ],
    )
    offence = SelectField(
        _l("Offence"),
        widget=GovSelect(),
        validators=[InputRequired(_l("Select the offence"))],
    )
    occurred_date = GovDateField(
        _l("When did the crime happen?"),
        description=_l("For example, 27 3 2026. If it happened over a period, give the start."),
        validators=[DataRequired(_l("Enter the date the crime happened"))],
        invalid_message=_l("The date the crime happened must be a real date"),
    )
    occurred_time = TimeField(
        _l("Time it happened (optional)"),
        description=_l("24-hour clock, for example 14:30"),
        widget=GovTextInput(),
    )
    reported_date = GovDateField(
        _l("When was it reported?"),
        validators=[DataRequired(_l("Enter the date the crime was reported"))],
        invalid_message=_l("The date reported must be a real date"),
    )
    reported_time = TimeField(
        _l("Time it was reported (optional)"),
        description=_l("24-hour clock, for example 14:30"),
        widget=GovTextInput(),
    )
    officer_in_charge = SelectField(
        _l("Officer in charge"),
        widget=GovSelect(),
        validators=[InputRequired(_l("Select the officer in charge"))],
    )
    stage = SelectField(_l("Stage"), widget=GovSelect(), validators=[InputRequired(_l("Select the stage"))])
    submit = SubmitField(_l("Record crime"), widget=GovSubmitInput())

    def __init__(self, officers, **kwargs):
        super().__init__(**kwargs)
        self.offence.choices = choices(
            [("", _l("Select the offence"))] + [(o.code, o.label) for o in OFFENCES.values()]
        )
        self.officer_in_charge.choices = choices(
            (str(s.id), f"{s.name} ({s.collar_number})") for s in officers
        )
        self.stage.choices = choices((s.code, s.label) for s in STAGES.values() if s.code not in FINAL_STAGES)


def _factors_field():
    # The choices are the force's (NOT_INVESTIGATED_FACTORS), set when the form is made;
    # the service checks them and says what is wrong in words.
    return SelectMultipleField(
        _l("What does the decision not to investigate further rest on?"),
        description=_l(
            "Only for a decision not to investigate further: select all that apply. The victim reads "
            "each one explained in plain words."
        ),
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )


class FactorsMixin:
    """The force's factors for a decision not to investigate further, on a form."""

    def set_factor_choices(self) -> None:
        codes = current_app.config["NOT_INVESTIGATED_FACTORS"]
        self.factors.choices = choices((code, FACTORS[code].label) for code in codes)  # type: ignore[attr-defined]

    def factor_items(self) -> list[dict]:
        """Per-checkbox parameters for the GOV.UK macro: what the victim will read."""
        codes = current_app.config["NOT_INVESTIGATED_FACTORS"]
        return [{"hint": {"text": str(FACTORS[code].victim_text)}} for code in codes]


def _text_field(label, hint=None, required_message=None):
    validators = [Length(max=MAX_TEXT, message=_l("Text must be %(max)d characters or fewer", max=MAX_TEXT))]
    if required_message:
        validators.insert(0, InputRequired(required_message))
    return TextAreaField(label, description=hint, widget=GovTextArea(), validators=validators)


class UpdateForm(FactorsMixin, Form):
    kind = SelectField(
        _l("What kind of update is this?"),
        description=_l("Key events start a duty under the Victims’ Code to tell the victim."),
        widget=GovSelect(),
        choices=choices(UPDATE_KINDS.items()),
        validators=[InputRequired(_l("Select what kind of update this is"))],
    )
    occurred_date = GovDateField(
        _l("When did it happen? (optional)"),
        description=_l(
            "For a key event, such as an arrest. Leave blank if it happened today. "
            "Leave the date and time blank for a general update. For example, 27 3 2026."
        ),
        validators=[Optional()],
        invalid_message=_l("The date it happened must be a real date"),
    )
    occurred_time = TimeField(
        _l("Time it happened (optional)"),
        description=_l("24-hour clock, for example 14:30. Leave blank if it happened just now."),
        widget=GovTextInput(),
    )
    factors = _factors_field()
    victim_text = _text_field(
        _l("Update for the victim"),
        _l("Write in plain words. Do not include details about the suspect or intelligence."),
    )
    visible = RadioField(
        _l("Can the victim read this update?"),
        widget=GovRadioInput(),
        choices=VISIBLE_CHOICES,
        validators=[InputRequired(_l("Select whether the victim can read this update"))],
    )
    internal_note = _text_field(
        _l("Internal note (optional)"),
        _l("For police staff only. The victim never sees this."),
    )
    submit = SubmitField(_l("Post update"), widget=GovSubmitInput())

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.set_factor_choices()

    # Only a key event starts a duty counted from when it happened: a general update
    # with a date is refused rather than the date silently dropped.
    def validate_occurred_date(self, field):
        if field.data is not None and self.kind.data == "general":
            raise ValidationError(
                _l("Leave the date and time blank for a general update: they are only for a key event")
            )

    def validate_occurred_time(self, field):
        if (
            getattr(field, "time_value", None) is not None
            and self.occurred_date.data is None
            and self.kind.data == "general"
        ):
            raise ValidationError(
                _l("Leave the date and time blank for a general update: they are only for a key event")
            )


class OfficerForm(Form):
    officer = SelectField(
        _l("Who is the new officer in charge?"),
        description=_l("The victim sees their name, and the victim’s new messages go to them."),
        widget=GovSelect(),
        validators=[InputRequired(_l("Select an officer from the crime’s team"))],
    )
    submit = SubmitField(_l("Change officer in charge"), widget=GovSubmitInput())

    def __init__(self, officers, **kwargs):
        super().__init__(**kwargs)
        self.officer.choices = choices(
            [("", _l("Select an officer"))] + [(str(s.id), f"{s.name} ({s.collar_number})") for s in officers]
        )


class StageForm(Form):
    stage = RadioField(
        _l("What stage has the investigation reached?"),
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select the stage"))],
    )
    victim_text = _text_field(_l("Explain the change to the victim (optional)"))
    visible = RadioField(
        _l("Can the victim see this change?"),
        widget=GovRadioInput(),
        choices=VISIBLE_CHOICES,
        validators=[InputRequired(_l("Select whether the victim can see this change"))],
    )
    submit = SubmitField(_l("Change stage"), widget=GovSubmitInput())

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stage.choices = choices((s.code, s.label) for s in STAGES.values() if s.code not in FINAL_STAGES)


class OutcomeForm(FactorsMixin, Form):
    outcome = SelectField(
        _l("Outcome"),
        description=_l("The Home Office outcome type"),
        widget=GovSelect(),
        validators=[InputRequired(_l("Select the outcome"))],
    )
    factors = _factors_field()
    victim_text = _text_field(
        _l("Explain the outcome to the victim (optional)"),
        _l("The victim sees the outcome explained in plain words, then anything you add here."),
    )
    visible = RadioField(
        _l("Can the victim see this outcome?"),
        widget=GovRadioInput(),
        choices=VISIBLE_CHOICES,
        validators=[InputRequired(_l("Select whether the victim can see this outcome"))],
    )
    # For an out-of-court disposal (shared.services.out_of_court checks them then).
    views_sought = RadioField(
        _l("Were the victim’s views sought?"),
        widget=GovRadioInput(),
        choices=YES_NO,
        validate_choice=False,
    )
    victim_views = _text_field(_l("What were the victim’s views?"))
    views_not_sought_reason = _text_field(_l("If not, why were they not sought?"))
    history_checked = RadioField(
        _l("Was the offender’s history checked?"),
        widget=GovRadioInput(),
        choices=YES_NO,
        validate_choice=False,
    )
    history_summary = _text_field(
        _l("What did the history check find?"),
        _l("Previous disposals and convictions that bear on the decision."),
    )
    admission = RadioField(
        _l("Was an admission made?"),
        widget=GovRadioInput(),
        choices=choices(ADMISSIONS.items()),
        validate_choice=False,
    )
    approved_by_id = SelectField(
        _l("Sergeant who approved the disposal"),
        description=_l("A supervisor other than you"),
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField(_l("Record outcome"), widget=GovSubmitInput())

    def __init__(self, approvers=(), **kwargs):
        super().__init__(**kwargs)
        self.set_factor_choices()
        self.outcome.choices = choices(
            [("", _l("Select the outcome"))]
            + [(str(o.code), f"{o.code}: {o.label}") for o in OUTCOMES.values()]
        )
        self.approved_by_id.choices = choices(
            [("", _l("Select the sergeant"))]
            + [(str(m.id), f"{m.name} ({m.collar_number})") for m in approvers]
        )
