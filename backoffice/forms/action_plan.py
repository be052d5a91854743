"""The forms of the force's action plan: a recommendation, an action, a theme of the
force's own, the changes to an action (each with its comment), and the board's filters."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from backoffice.forms.common import choices
from shared.domain import action_plan as rules
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _comment(label=None):
    return TextAreaField(
        label or _l("Comment"),
        description=_l("Say why. The comment is kept, dated, in the action’s history."),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter a comment that says why")),
            Length(
                max=rules.MAX_COMMENT,
                message=_l("The comment must be %(max)d characters or fewer", max=rules.MAX_COMMENT),
            ),
        ],
    )


def _owner(label=None):
    return StringField(
        label or _l("Owner"),
        description=_l("Their staff ID number or email address"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the owner’s staff ID number or email address")),
            Length(max=320, message=_l("The owner must be 320 characters or fewer")),
        ],
    )


def _due_on(label=None):
    return GovDateField(
        label or _l("Due date"),
        description=_l("For example, 31 3 2027"),
        validators=[DataRequired(_l("Enter the due date"))],
        invalid_message=_l("The due date must be a real date"),
    )


class RecommendationForm(Form):
    source = RadioField(
        _l("Where does the recommendation come from?"),
        widget=GovRadioInput(),
        choices=choices(rules.SOURCES.items()),
        validators=[InputRequired(_l("Select where the recommendation comes from"))],
    )
    source_title = StringField(
        _l("Report"),
        description=_l("For example, Crime data integrity inspection 2014"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the name of the report")),
            Length(max=200, message=_l("The report’s name must be 200 characters or fewer")),
        ],
    )
    source_date = GovDateField(
        _l("Date of the report"),
        description=_l("For example, 27 3 2015"),
        validators=[DataRequired(_l("Enter the date of the report"))],
        invalid_message=_l("The date of the report must be a real date"),
    )
    reference = StringField(
        _l("Reference (optional)"),
        description=_l("For example, Recommendation 3"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=60, message=_l("The reference must be 60 characters or fewer"))],
    )
    text = TextAreaField(
        _l("Recommendation"),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the recommendation")),
            Length(
                max=rules.MAX_TEXT,
                message=_l("The recommendation must be %(max)d characters or fewer", max=rules.MAX_TEXT),
            ),
        ],
    )
    submit = SubmitField(_l("Add recommendation"), widget=GovSubmitInput())


class ActionForm(Form):
    recommendation = SelectField(
        _l("Recommendation it answers"),
        widget=GovSelect(),
        validators=[InputRequired(_l("Select the recommendation the action answers"))],
    )
    title = StringField(
        _l("Action"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter what the action is")),
            Length(
                max=rules.MAX_TITLE,
                message=_l("The action must be %(max)d characters or fewer", max=rules.MAX_TITLE),
            ),
        ],
    )
    description = TextAreaField(
        _l("Description (optional)"),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=rules.MAX_TEXT,
                message=_l("The description must be %(max)d characters or fewer", max=rules.MAX_TEXT),
            ),
        ],
    )
    theme = SelectField(
        _l("Theme"), widget=GovSelect(), validators=[InputRequired(_l("Select the theme of the action"))]
    )
    owner = _owner()
    due_on = _due_on()
    comment = _comment()
    submit = SubmitField(_l("Add action"), widget=GovSubmitInput())

    def __init__(self, *args, recommendations, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation.choices = choices(
            [("", _l("Select a recommendation"))]
            + [(str(r.id), f"{r.source_title}: {r.reference or r.text[:60]}") for r in recommendations]
        )
        self.theme.choices = choices([("", _l("Select a theme")), *themes])


class ThemeForm(Form):
    name = StringField(
        _l("Name of the theme"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the name of the theme")),
            Length(
                max=rules.MAX_THEME,
                message=_l("The theme’s name must be %(max)d characters or fewer", max=rules.MAX_THEME),
            ),
        ],
    )
    submit = SubmitField(_l("Add theme"), widget=GovSubmitInput())


class StatusForm(Form):
    status = RadioField(
        _l("New status"),
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select the new status"))],
    )
    comment = _comment()
    submit = SubmitField(_l("Change status"), widget=GovSubmitInput())

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices(statuses)


class OwnerForm(Form):
    owner = _owner(_l("New owner"))
    comment = _comment()
    submit = SubmitField(_l("Change owner"), widget=GovSubmitInput())


class DueDateForm(Form):
    due_on = _due_on(_l("New due date"))
    comment = _comment()
    submit = SubmitField(_l("Change due date"), widget=GovSubmitInput())


class BoardFilterForm(Form):
    """Read from the query string, so that a view of the board can be bookmarked and
    shared with the export link."""

    theme = SelectField(_l("Theme"), widget=GovSelect(), default="")
    status = SelectField(
        _l("Status"),
        widget=GovSelect(),
        choices=choices([("", _l("Any status")), *rules.STATUSES.items()]),
        default="",
    )
    owner = StringField(
        _l("Owner"),
        description=_l("Their staff ID number or email address"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=320, message=_l("The owner must be 320 characters or fewer"))],
    )

    def __init__(self, formdata, *, themes, **kwargs):
        # A filter changes nothing, so it needs no CSRF token.
        super().__init__(formdata=formdata, meta={"csrf": False}, **kwargs)
        self.theme.choices = choices([("", _l("Any theme")), *themes])
