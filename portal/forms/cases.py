"""A victim's answer about a case added with her email address: hers, or not."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from shared.translation import lazy_gettext as _l


class CaseAnswerForm(FlaskForm):
    """Only the CSRF token: which answer is in the address the form posts to."""

    confirm = SubmitField(_l("Yes, this is my case"), widget=GovSubmitInput())
    decline = SubmitField(_l("No, this is not my case"), widget=GovSubmitInput())
