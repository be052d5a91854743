from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.cancellation import CancelCrimeForm
from backoffice.views.common import crime_or_404, show_service_error
from shared.domain import cancellation_authority
from shared.domain.permissions import requires
from shared.domain.reference_data import GRAVITY_BANDS, OFFENCES, gravity_of
from shared.domain.victims_code_rules import CANCELLATION_REASONS
from shared.services import victims_code_actions
from shared.services.errors import NotPermitted, ServiceError
from shared.translation import gettext as _


@bp.route("/crimes/<int:crime_id>/cancel", methods=["GET", "POST"])
@requires("crimes.cancel")
def cancel_crime(crime_id):
    crime = crime_or_404(crime_id)
    if crime.cancelled_at is not None:
        flash(_("This crime record has already been cancelled"), "error")
        return redirect(url_for("backoffice.crime", crime_id=crime.id))
    form = CancelCrimeForm()
    status = 200
    if form.validate_on_submit():
        try:
            victims_code_actions.cancel_crime(crime, form.reason.data, form.evidence.data, current_user)
        except NotPermitted as error:
            # Refused to this authoriser: 403, so the refusal is audited as a refused change.
            show_service_error(form, error)
            status = 403
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Crime record %(reference)s cancelled", reference=crime.reference))
            return redirect(url_for("backoffice.crime", crime_id=crime.id))
    band = gravity_of(crime.offence)
    matrix = current_app.config["CANCELLATION_AUTHORISERS"]
    authority = [
        (
            CANCELLATION_REASONS[reason][0],
            victims_code_actions.authorisers_text(band, reason),
            cancellation_authority.authorising_role(matrix, band, reason, current_user.roles) is not None,
        )
        for reason in CANCELLATION_REASONS
    ]
    return render_template(
        "backoffice/cancel_crime.html",
        form=form,
        crime=crime,
        band=band,
        authority=authority,
        offences=OFFENCES,
        gravity_bands=GRAVITY_BANDS,
    ), status
