"""The audit trail's filter form: read from the query string, so that a search can be
bookmarked, shared with the export link, and repeated."""

import re

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from backoffice.forms.common import choices
from shared.domain.numbers import MAX_ID, whole_number
from shared.services.audit_log import AuditFilters
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _strip_lower(value):
    return value.strip().lower() if isinstance(value, str) else value


class AuditFilterForm(Form):
    actor = StringField(
        _l("Staff member"),
        description=_l("Their staff ID number or email address"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=320, message=_l("The staff member must be 320 characters or fewer")),
        ],
    )
    actor_type = SelectField(
        _l("Done by"),
        widget=GovSelect(),
        choices=choices(
            [
                ("", _l("Anyone")),
                ("staff", _l("Staff")),
                ("victim", _l("Victims")),
                ("api", _l("Records systems (API)")),
                ("system", _l("The system")),
            ]
        ),
        default="",
    )
    action = StringField(
        _l("Action"),
        description=_l(
            "For example, crime.view. End with * for every action that starts with it, like crime.*"
        ),
        widget=GovTextInput(),
        filters=[_strip_lower],
        validators=[
            Optional(),
            Regexp(
                r"^[a-z0-9_.]{1,60}\*?$",
                message=_l(
                    "Action must be 60 letters, numbers, dots or underscores or fewer, with an optional * at the end"
                ),
            ),
        ],
    )
    record_type = StringField(
        _l("Record type"),
        description=_l("For example, crime, crime_victim, victim or staff_member"),
        widget=GovTextInput(),
        filters=[_strip_lower],
        validators=[
            Optional(),
            Regexp(r"^[a-z_]{1,40}$", message=_l("Record type must be 40 letters or underscores or fewer")),
        ],
    )
    record_id = StringField(
        _l("Record ID"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=60, message=_l("Record ID must be 60 characters or fewer"))],
    )
    from_date = GovDateField(
        _l("From"),
        description=_l("UK time. For example, 27 3 2026"),
        invalid_message=_l("The ‘from’ date must be a real date"),
    )
    to_date = GovDateField(
        _l("To"),
        description=_l("UK time, including the whole day"),
        invalid_message=_l("The ‘to’ date must be a real date"),
    )
    request_id = StringField(
        _l("Request ID"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(
                r"^[A-Za-z0-9-]{1,40}$",
                message=_l("Request ID must be 40 letters, numbers or hyphens or fewer"),
            ),
        ],
    )

    def __init__(self, formdata, **kwargs):
        # A search changes nothing, so it needs no CSRF token.
        super().__init__(formdata=formdata, meta={"csrf": False}, **kwargs)

    def validate_actor(self, field):
        value = field.data or ""
        if value.isascii() and value.isdigit():
            if whole_number(value, low=1, high=MAX_ID) is None:
                raise ValidationError(_l("Enter a staff ID number that exists"))
        elif value and not _EMAIL.match(value):
            raise ValidationError(_l("Enter the staff member’s ID number or email address"))

    def validate_to_date(self, field):
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError(_l("The ‘to’ date must be the same as or after the ‘from’ date"))

    def filters(self) -> AuditFilters:
        """The search the valid form describes."""
        return AuditFilters(
            actor=self.actor.data or None,
            actor_type=self.actor_type.data or None,
            action=self.action.data or None,
            record_type=self.record_type.data or None,
            record_id=self.record_id.data or None,
            from_date=self.from_date.data,
            to_date=self.to_date.data,
            request_id=self.request_id.data or None,
        )
