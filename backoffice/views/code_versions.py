"""Administrators' page for the versions of the Victims' Code: each with the day it
comes into force, and the form that sets that day for a later version."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.code_versions import ScheduleVersionForm
from backoffice.views.common import saved
from shared.domain.permissions import requires
from shared.models.types import utcnow
from shared.services import calendar
from shared.services import code_versions as code_in_force
from shared.translation import gettext as _


@bp.route("/code-versions", methods=["GET", "POST"])
@requires("code_versions.manage", audit="code_versions.list")
def code_versions():
    rows = code_in_force.overview(calendar.local_date(utcnow()))
    open_to_schedule = [(row.code.version, row.code.title) for row in rows if row.may_schedule]
    form = ScheduleVersionForm(open_to_schedule)
    # With no version to schedule the form is not shown, and a form sent anyway is
    # refused by its version field.
    if form.validate_on_submit() and saved(
        form,
        code_in_force.schedule,
        form.version.data,
        form.starts_on.data,
        current_user._get_current_object(),
    ):
        flash(_("The date the version comes into force is saved"))
        return redirect(url_for("backoffice.code_versions"))
    return render_template(
        "backoffice/code_versions.html", rows=rows, form=form, may_schedule=bool(open_to_schedule)
    )
