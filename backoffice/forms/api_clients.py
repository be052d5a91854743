"""The administrators' form to register a records system, and the words for what each
API scope lets a records system do."""

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from backoffice.forms.common import choices
from shared.models import API_SCOPES
from shared.services.api_clients import MAX_NAME
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form

# Short names for the scopes, shown with the scope's code, which the records system's
# supplier needs to ask for a token.
SCOPE_LABELS = {
    "crimes:write": _l("Create and update crimes"),
    "crimes:read": _l("Read crimes"),
    "entitlements:read": _l("Read Victims’ Code entitlements"),
    "reports:read": _l("Read the compliance report"),
    "victims:invite": _l("Invite victims"),
    "incidents:write": _l("Create and update incidents"),
    "incidents:read": _l("Read incidents"),
    "court:write": _l("Record court events"),
    "court:read": _l("Read hearings"),
}

# What each scope allows, in full.
SCOPE_HINTS = {
    "crimes:write": _l("Create and update crimes, their victims and key events."),
    "crimes:read": _l("Read crimes and their victims’ status."),
    "entitlements:read": _l("Read what the Victims’ Code owes each victim."),
    "reports:read": _l("Read the Victims’ Code compliance report."),
    "victims:invite": _l("Invite victims to follow their case online."),
    "incidents:write": _l(
        "Create and update incidents, the crimes recorded from them and decisions not to record."
    ),
    "incidents:read": _l("Read incidents and the crimes recorded from them."),
    "court:write": _l(
        "For a Witness Care Unit: record hearings listed and adjourned, trials, verdicts and sentences."
    ),
    "court:read": _l("For a Witness Care Unit: read a crime’s hearings and its outcome at court."),
}


def scope_label(scope: str) -> str:
    """A scope in words with its code, e.g. "Create and update crimes (crimes:write)"."""
    label = SCOPE_LABELS.get(scope)
    if label is None:
        return scope
    return _("%(label)s (%(scope)s)", label=label, scope=scope)


class ApiClientForm(Form):
    name = StringField(
        _l("Name of the records system"),
        description=_l(
            "For example, Niche RMS. Staff see this name in the audit trail and in crime histories."
        ),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the name of the records system")),
            Length(max=MAX_NAME, message=_l("The name must be %(max)d characters or fewer", max=MAX_NAME)),
        ],
    )
    # The choices are checked by the service, which says what is wrong in words.
    scopes = SelectMultipleField(
        _l("What may the records system do?"),
        description=_l("Select all that apply. Give it only what it needs."),
        widget=GovCheckboxesInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Select what the records system may do"))],
    )
    submit = SubmitField(_l("Register records system"), widget=GovSubmitInput())

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scopes.choices = choices((scope, scope_label(scope)) for scope in API_SCOPES)

    def scope_items(self) -> list[dict]:
        """Per-checkbox parameters for the GOV.UK macro: each scope's hint."""
        return [{"hint": {"text": str(SCOPE_HINTS.get(scope, ""))}} for scope in API_SCOPES]
