from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.cancellation import CancelCrimeForm
from backoffice.views.common import crime_or_404, saved
from shared.domain.permissions import requires
from shared.services import victims_code_actions
from shared.translation import gettext as _


@bp.route("/crimes/<int:crime_id>/cancel", methods=["GET", "POST"])
@requires("crimes.cancel")
def cancel_crime(crime_id):
    crime = crime_or_404(crime_id)
    if crime.cancelled_at is not None:
        flash(_("This crime record has already been cancelled"), "error")
        return redirect(url_for("backoffice.crime", crime_id=crime.id))
    form = CancelCrimeForm()
    if form.validate_on_submit() and saved(
        form, victims_code_actions.cancel_crime, crime, form.reason.data, form.evidence.data, current_user
    ):
        flash(_("Crime record %(reference)s cancelled", reference=crime.reference))
        return redirect(url_for("backoffice.crime", crime_id=crime.id))
    return render_template("backoffice/cancel_crime.html", form=form, crime=crime)
