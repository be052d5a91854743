"""What a victim asks for online about their case: an update, a review of a decision not
to charge, or a complaint. Each has only an optional short box: the case, the victim and
when they asked come from the signed-in victim's own case and the clock, never the form."""

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField

from shared.services.victims_code_actions import MAX_VICTIM_DETAIL
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form


class _ShortBox(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field.widget, GovCharacterCount):
                field.echo_limit = MAX_VICTIM_DETAIL


class UpdateRequestForm(_ShortBox):
    note = TextAreaField(
        _l("What would you like to know? (optional)"),
        description=_l(
            "For example, whether anyone has been arrested. Do not use this to report a new crime."
        ),
        widget=GovCharacterCount(),
    )
    submit = SubmitField(_l("Ask for an update"), widget=GovSubmitInput())


class ReviewRequestForm(_ShortBox):
    reason = TextAreaField(
        _l("Why do you think the decision should be looked at again? (optional)"),
        description=_l("You can tell us more when we contact you about your request."),
        widget=GovCharacterCount(),
    )
    submit = SubmitField(_l("Ask for a review"), widget=GovSubmitInput())


class ComplaintForm(_ShortBox):
    summary = TextAreaField(
        _l("What went wrong? (optional)"),
        description=_l("You can tell us more when we contact you about your complaint."),
        widget=GovCharacterCount(),
    )
    submit = SubmitField(_l("Send your complaint"), widget=GovSubmitInput())
