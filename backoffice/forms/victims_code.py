"""Forms for what staff record under the Victims' Code. Choices that come from the rules
(ways, services, reasons) are checked again by shared.services.victims_code_actions, which says
in words what is wrong; these forms catch what is missing or malformed."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from backoffice.forms.common import choices
from shared.domain.numbers import whole_number
from shared.domain.reference_data import INTERMEDIARY_ROLES, LANGUAGE_NAMES, PLAN_CHANNEL_LABELS
from shared.domain.victims_code_rules import ENHANCED_CATEGORIES, ENHANCED_REASONS, SUPPORT_SERVICES
from shared.models.types import utcnow
from shared.services import calendar
from shared.services.victims_code_actions import MAX_INTERMEDIARY, MAX_LANGUAGE, MAX_REASON, Intermediary
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField, TimeField

YES_NO = choices([("yes", _l("Yes")), ("no", _l("No"))])
MAX_COMPLAINT = 200


def _today():
    return calendar.local_date(utcnow())


def _reason_length():
    return Length(
        max=MAX_REASON, message=_l("The reason must be %(max)d characters or fewer", max=MAX_REASON)
    )


class RecordEntitlementForm(Form):
    way = RadioField(
        _l("What was done?"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Select what was done"))],
    )
    service = SelectField(
        _l("Support service"),
        widget=GovSelect(),
        validate_choice=False,
        choices=choices([("", _l("Select the support service")), *SUPPORT_SERVICES.items()]),
    )
    consent = BooleanField(_l("The victim gave explicit consent to the referral"), widget=GovCheckboxInput())
    date = GovDateField(
        _l("When was it done?"),
        description=_l("For example, 27 3 2026"),
        default=_today,
        validators=[DataRequired(_l("Enter the date it was done"))],
        invalid_message=_l("The date it was done must be a real date"),
    )
    time = TimeField(
        _l("Time (optional)"),
        description=_l("24-hour clock, for example 14:30"),
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def __init__(self, ways, **kwargs):
        super().__init__(**kwargs)
        self.way.choices = choices((w.code, w.label) for w in ways)


class NotApplicableForm(Form):
    reason = TextAreaField(
        _l("Why does this not apply?"),
        description=_l("Supervisors read this reason. It is not shown to the victim."),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Enter why this does not apply")), _reason_length()],
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


def _whole_days(form, field):
    if whole_number(field.data, low=1, high=365) is None:
        raise ValidationError(_l("Enter how often, in days, from 1 to 365"))


class ContactPlanForm(Form):
    frequency_days = StringField(
        _l("How often does the victim want an update, in days?"),
        description=_l("For example, 28 for every 4 weeks"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter how often, in days, from 1 to 365")), _whole_days],
    )
    channel = RadioField(
        _l("How does the victim want to be contacted?"),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=choices(PLAN_CHANNEL_LABELS.items()),
        validators=[InputRequired(_l("Select how the victim wants to be contacted"))],
    )
    intermediary_name = StringField(
        _l("Intermediary’s name (optional)"),
        description=_l(
            "Someone the victim can be contacted through, such as an ISVA or IDVA. The victim sees their name and role. Leave empty for none."
        ),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(
                max=MAX_INTERMEDIARY,
                message=_l("The name must be %(max)d characters or fewer", max=MAX_INTERMEDIARY),
            ),
        ],
    )
    intermediary_role = RadioField(
        _l("Intermediary’s role"),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=choices(INTERMEDIARY_ROLES.items()),
    )
    intermediary_contact = StringField(
        _l("How to contact the intermediary (optional)"),
        description=_l("For example, their phone number or email address. For police staff only."),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(
                max=MAX_INTERMEDIARY,
                message=_l("The contact details must be %(max)d characters or fewer", max=MAX_INTERMEDIARY),
            ),
        ],
    )
    language = RadioField(
        _l("Language"),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=choices(LANGUAGE_NAMES.items()),
        validators=[InputRequired(_l("Select the language"))],
    )
    interpreter_language = StringField(
        _l("Another language, through an interpreter (optional)"),
        description=_l("The language the victim reads and speaks, if it is neither English nor Welsh."),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(
                max=MAX_LANGUAGE,
                message=_l("The language must be %(max)d characters or fewer", max=MAX_LANGUAGE),
            ),
        ],
    )
    safe_to_contact = RadioField(
        _l("Is it safe to contact the victim?"),
        description=_l("If not, the service sends them no messages at all."),
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(_l("Select whether it is safe to contact the victim"))],
    )
    opted_out = RadioField(
        _l("Has the victim asked not to receive regular updates?"),
        description=_l(
            "If so, the service sends them no notifications about this crime. They must still be told about important decisions."
        ),
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(_l("Select whether the victim asked not to receive regular updates"))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        description=_l("For police staff only. The victim never sees this."),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(
                max=MAX_REASON, message=_l("The note must be %(max)d characters or fewer", max=MAX_REASON)
            ),
        ],
    )
    submit = SubmitField(_l("Save contact plan"), widget=GovSubmitInput())

    @property
    def frequency(self) -> int:
        # Read only once the form is valid, so always a number from 1 to 365.
        return whole_number(self.frequency_days.data, low=1, high=365) or 1

    def intermediary(self) -> Intermediary | None:
        """The intermediary named, None when the name is left empty (none, or removed)."""
        name = (self.intermediary_name.data or "").strip()
        if not name:
            return None
        return Intermediary(name, self.intermediary_role.data or "", self.intermediary_contact.data)


# Which reason, asked for each category that is ticked.
REASON_MISSING = {
    "most_serious": _l("Select why the victim is a victim of the most serious crime"),
    "persistently_targeted": _l("Select why the victim is persistently targeted"),
    "vulnerable": _l("Select why the victim is vulnerable"),
    "intimidated": _l("Select why the victim is intimidated"),
}


NONE_APPLY = "none"


class EnhancedRightsForm(Form):
    categories = SelectMultipleField(
        _l("Which enhanced rights categories apply?"),
        description=_l(
            "Select all that apply. A victim in any category has enhanced rights, such as being told of key decisions sooner."
        ),
        widget=GovCheckboxesInput(),
        validate_choice=False,
        choices=choices([*ENHANCED_CATEGORIES.items(), (NONE_APPLY, _l("None of these"))]),
    )
    note = TextAreaField(
        _l("Note (optional)"),
        description=_l("What the assessment was based on. For police staff only."),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(
                max=MAX_REASON, message=_l("The note must be %(max)d characters or fewer", max=MAX_REASON)
            ),
        ],
    )
    submit = SubmitField(_l("Save assessment"), widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        ticked = set(self.categories.data or [])
        if not ticked or (NONE_APPLY in ticked and len(ticked) > 1):
            self.categories.errors = [
                *self.categories.errors,
                _l("Select the categories that apply, or ‘None of these’"),
            ]
            valid = False
        for category in self.chosen_categories:
            field = self[category]
            if not field.data:
                field.errors = [
                    *field.errors,
                    REASON_MISSING.get(category, _l("Select a reason for each category that applies")),
                ]
                valid = False
        return valid

    @property
    def chosen_categories(self) -> list[str]:
        return [c for c in ENHANCED_CATEGORIES if c in (self.categories.data or [])]

    def chosen(self) -> dict[str, str]:
        """Each ticked category with its reason, as the service takes them."""
        return {category: self[category].data for category in self.chosen_categories}


# One reason field per category, named as the category so that a service error lands on it.
for _category in ENHANCED_CATEGORIES:
    setattr(
        EnhancedRightsForm,
        _category,
        RadioField(
            _l("Why?"),
            widget=GovRadioInput(),
            validate_choice=False,
            choices=choices(ENHANCED_REASONS[_category].items()),
        ),
    )


class ComplaintForm(Form):
    date = GovDateField(
        _l("When was the complaint received?"),
        description=_l("For example, 27 3 2026"),
        default=_today,
        validators=[DataRequired(_l("Enter the date the complaint was received"))],
        invalid_message=_l("The date the complaint was received must be a real date"),
    )
    reason = StringField(
        _l("What is the complaint about?"),
        description=_l("A short summary for police staff"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter what the complaint is about")),
            Length(
                max=MAX_COMPLAINT,
                message=_l("The summary must be %(max)d characters or fewer", max=MAX_COMPLAINT),
            ),
        ],
    )
    submit = SubmitField(_l("Record complaint"), widget=GovSubmitInput())


class ReviewRequestForm(Form):
    date = GovDateField(
        _l("When did the victim ask for a review?"),
        description=_l("For example, 27 3 2026"),
        default=_today,
        validators=[DataRequired(_l("Enter the date the victim asked for a review"))],
        invalid_message=_l("The date the victim asked for a review must be a real date"),
    )
    submit = SubmitField(_l("Record request for review"), widget=GovSubmitInput())
