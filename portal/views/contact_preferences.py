"""How the victim is kept up to date about one of her cases: she sees her choices and
changes them (shared.services.contact_preferences). The case comes from the signed-in
victim's own links, never from the form; whether it is safe to contact her is never
shown here."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import bp
from portal.forms.contact_preferences import NO_UPDATES, ContactPreferencesForm
from portal.views.common import own_case_or_404
from shared.domain.permissions import requires
from shared.domain.reference_data import INTERMEDIARY_ROLES
from shared.services import contact_preferences
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web import throttle


@bp.route("/cases/<public_id>/contact-preferences", methods=["GET", "POST"])
@requires("victim.self")
@throttle.guarded("victim-request", throttle.signed_in_user)
def contact_preferences_page(public_id):
    link = own_case_or_404(public_id)
    current = contact_preferences.preferences(link)
    prefill = {}
    if request.method == "GET":
        prefill = {
            "frequency": NO_UPDATES if current.opted_out else str(current.frequency_days),
            "channel": current.channel,
            "language": current.language_choice,
            "interpreter_language": current.interpreter_language or "",
        }
    form = ContactPreferencesForm(
        contact_preferences.frequency_choices(current), current.intermediary, INTERMEDIARY_ROLES, data=prefill
    )
    if form.validate_on_submit():
        try:
            contact_preferences.change(
                link,
                current_user._get_current_object(),
                frequency_days=form.frequency_days,
                channel=form.channel.data,
                language=form.language.data,
                interpreter_language=form.interpreter_language.data,
            )
        except ServiceError as error:
            (getattr(form, error.field or "", None) or form.channel).errors.append(error.message)
        else:
            flash(_("Your choices have been saved. The officer in charge has been told."))
            return redirect(url_for("portal.case", public_id=link.public_id))
    return render_template(
        "portal/contact_preferences.html",
        link=link,
        form=form,
        intermediary=current.intermediary,
        roles=INTERMEDIARY_ROLES,
    ), (400 if form.is_submitted() else 200)
