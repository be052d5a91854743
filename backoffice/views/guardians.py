from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.common import ConfirmForm
from backoffice.forms.guardians import GuardianForm
from backoffice.views.common import crime_or_404, link_or_404, show_service_error
from shared.domain.children import GUARDIAN_ONLY
from shared.domain.permissions import requires
from shared.services import guardians, victim_accounts
from shared.services.errors import ServiceError
from shared.translation import gettext as _


@bp.route("/crimes/<int:crime_id>/victims/<int:link_id>/guardian", methods=["GET", "POST"])
@requires("victims.manage")
def guardian(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    recorded = guardians.guardian_of(link)
    form = GuardianForm(obj=recorded)
    if recorded is not None and not form.is_submitted():
        form.holds_account.data = "yes" if recorded.account_id else "no"
    direct_contact = guardians.direct_contact_open(link)
    status = 200
    if form.validate_on_submit():
        details = guardians.GuardianDetails(
            name=form.name.data,
            relationship=form.relationship.data,
            email=form.email.data,
            phone=form.phone.data,
            holds_account=form.holds_account.data == "yes",
            contact=form.contact.data or GUARDIAN_ONLY,
        )
        try:
            guardians.record(link, details, by=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Parent or guardian saved"))
            return redirect(url_for("backoffice.crime", crime_id=crime.id, _anchor="victims"))
    if form.errors or form.form_errors:
        status = 400
    return render_template(
        "backoffice/guardian.html",
        form=form,
        crime=crime,
        link=link,
        guardian=recorded,
        direct_contact=direct_contact,
    ), status


@bp.post("/crimes/<int:crime_id>/victims/<int:link_id>/guardian/invite")
@requires("victims.manage")
def invite_guardian(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        account = victim_accounts.invite_guardian(link, by=current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("Invitation sent to %(name)s", name=account.name))
    return redirect(url_for("backoffice.crime", crime_id=crime.id))
