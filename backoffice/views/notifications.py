"""Notifications to victims that the outbox could not send. The crime's page warns of
each (presenters.failed_notifications); the duty to tell the victim remains, so staff
mark one as dealt with once they have told the victim another way."""

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.common import ConfirmForm
from backoffice.views.common import crime_or_404
from shared.domain.permissions import requires
from shared.services import outbox_failures
from shared.translation import gettext as _


@bp.post("/crimes/<int:crime_id>/messages-not-sent/<int:notification_id>/dealt-with")
@requires("crimes.update")
def failed_notification_dealt_with(crime_id, notification_id):
    crime = crime_or_404(crime_id)
    notification = outbox_failures.failed_message(crime, notification_id)
    if notification is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outbox_failures.mark_dealt_with(notification, current_user)
    flash(_("Marked as dealt with"))
    return redirect(url_for("backoffice.crime", crime_id=crime.id))
