from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.common import ConfirmForm
from backoffice.forms.victims import VictimForm
from backoffice.views.common import crime_or_404, link_or_404, show_service_error
from shared.domain.permissions import requires
from shared.services import victim_accounts, victims
from shared.services.errors import ServiceError
from shared.translation import gettext as _


@bp.route("/crimes/<int:crime_id>/victims/new", methods=["GET", "POST"])
@requires("victims.manage")
def add_victim(crime_id):
    crime = crime_or_404(crime_id)
    form = VictimForm()
    if form.validate_on_submit():
        details = victims.VictimDetails(
            name=form.name.data,
            date_of_birth=form.date_of_birth.data,
            email=form.email.data,
            phone=form.phone.data,
            preferred_language=form.preferred_language.data,
            contact_channel=form.contact_channel.data,
            interpreter_language=form.interpreter_language.data,
            communication_needs=form.communication_needs.data,
        )
        try:
            victims.add_victim(crime, details, by=current_user)
        except victims.Throttled as error:
            show_service_error(form, error)
            return render_template("backoffice/add_victim.html", form=form, crime=crime), 429
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Victim added"))
            return redirect(url_for("backoffice.crime", crime_id=crime.id))
    return render_template("backoffice/add_victim.html", form=form, crime=crime)


@bp.post("/crimes/<int:crime_id>/victims/<int:link_id>/invite")
@requires("victims.manage")
def invite_victim(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        victim_accounts.invite(link, by=current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("Invitation sent to %(name)s", name=link.victim.name))
    return redirect(url_for("backoffice.crime", crime_id=crime.id))
