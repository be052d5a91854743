"""The form staff record what happened at court with: a hearing listed, adjourned, a
trial started, the verdict, the sentence. Which fields each kind needs is checked by
shared.services.court, as for a Witness Care Unit's system."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from backoffice.forms.common import choices
from shared.domain.court import (
    ADJOURNMENT_REASONS,
    COURT_EVENT_KINDS,
    HEARING_KINDS,
    HEARING_STATUSES,
    SENTENCE_KINDS,
    VERDICTS,
)
from shared.models.court import MAX_COURT_NAME
from shared.services.court import MAX_TEXT
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField, TimeField
from shared.web.locale import datetime_local

NOT_CHOSEN = ("", _l("Not needed for this event"))


def _optional_select(label, hint, pairs):
    return SelectField(
        label,
        description=hint,
        widget=GovSelect(),
        choices=choices([NOT_CHOSEN, *pairs]),
        validators=[Optional()],
    )


class CourtEventForm(Form):
    kind = SelectField(
        _l("What happened at court?"),
        description=_l("Each is a key event: the victim is told of it, and reads it on their case."),
        widget=GovSelect(),
        choices=choices((code, kind.label) for code, kind in COURT_EVENT_KINDS.items()),
        validators=[InputRequired(_l("Select what happened at court"))],
    )
    occurred_date = GovDateField(
        _l("When did it happen? (optional)"),
        description=_l(
            "For a listing, when it was listed. Leave blank if it happened today. For example, 27 3 2026."
        ),
        validators=[Optional()],
        invalid_message=_l("The date it happened must be a real date"),
    )
    occurred_time = TimeField(
        _l("Time it happened (optional)"),
        description=_l("24-hour clock, for example 14:30. Leave blank if it happened just now."),
        widget=GovTextInput(),
    )
    hearing = _optional_select(
        _l("Which hearing?"),
        _l("For an adjournment, the start of a trial, the verdict (its trial) or a sentence (optional)."),
        [],
    )
    court = StringField(
        _l("Court (for a listing)"),
        description=_l("For example, Cardiff Crown Court"),
        widget=GovTextInput(),
        validators=[
            Length(
                max=MAX_COURT_NAME,
                message=_l("The name of the court must be %(max)d characters or fewer", max=MAX_COURT_NAME),
            )
        ],
    )
    starts_date = GovDateField(
        _l("Date of the hearing (for a listing)"),
        description=_l("For example, 12 1 2027"),
        validators=[Optional()],
        invalid_message=_l("The date of the hearing must be a real date"),
    )
    starts_time = TimeField(
        _l("Time the hearing starts (for a listing)"),
        description=_l("24-hour clock, for example 10:00"),
        widget=GovTextInput(),
    )
    reason = _optional_select(
        _l("Why was the hearing adjourned?"),
        _l("The victim is told the reason in plain words."),
        [(code, staff) for code, (staff, _victim) in ADJOURNMENT_REASONS.items()],
    )
    verdict = _optional_select(
        _l("Verdict"), None, [(code, staff) for code, (staff, _victim) in VERDICTS.items()]
    )
    sentence_kind = _optional_select(
        _l("Sentence"), None, [(code, kind.label) for code, kind in SENTENCE_KINDS.items()]
    )
    sentence_months = StringField(
        _l("Length of the sentence in months"),
        description=_l("For custody, a suspended sentence or a community order, for example 18"),
        widget=GovTextInput(),
        validators=[
            Length(max=4, message=_l("Enter the length as a whole number of months, for example 18"))
        ],
    )
    victim_text = TextAreaField(
        _l("More for the victim (optional)"),
        description=_l(
            "The victim is told what happened in plain words. Add anything else they should know. "
            "Do not include details about the defendant."
        ),
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_TEXT, message=_l("Text must be %(max)d characters or fewer", max=MAX_TEXT))
        ],
    )
    submit = SubmitField(_l("Record court event"), widget=GovSubmitInput())

    def __init__(self, hearings=(), **kwargs):
        super().__init__(**kwargs)
        self.hearing.choices = choices([NOT_CHOSEN, *((str(h.id), hearing_label(h)) for h in hearings)])


def hearing_label(hearing) -> str:
    """A hearing in words for staff: what, where, when and its status."""
    return _(
        "%(kind)s at %(court)s, %(when)s (%(status)s)",
        kind=HEARING_KINDS[hearing.kind][0],
        court=hearing.court_name,
        when=datetime_local(hearing.starts_at),
        status=HEARING_STATUSES[hearing.status],
    )
