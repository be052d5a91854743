"""The administrators' form to set the date a later version of the Victims' Code comes
into force."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import ValidationError

from backoffice.forms.common import choices
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField


class ScheduleVersionForm(Form):
    version = RadioField(_l("Version"), widget=GovRadioInput(), validate_choice=False)
    starts_on = GovDateField(
        _l("Date it comes into force"),
        description=_l("Crimes reported on or after this day follow this version. For example, 1 4 2027"),
        invalid_message=_l("The date it comes into force must be a real date"),
    )
    submit = SubmitField(_l("Save the date"), widget=GovSubmitInput())

    def __init__(self, versions: list[tuple[str, object]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version.choices = choices(versions)

    def validate_version(self, field):
        if field.data not in {choice.value for choice in self.version.choices}:
            raise ValidationError(_l("Select a version of the Victims’ Code"))
