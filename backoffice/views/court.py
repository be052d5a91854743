"""Staff record what happened at court on a crime's page, as a Witness Care Unit's system
does through the API (shared.services.court)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.court import CourtEventForm
from backoffice.views.common import crime_or_404, saved, show_service_error
from shared.domain.numbers import whole_number
from shared.domain.permissions import requires
from shared.models.types import utcnow
from shared.services import calendar, court
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web.forms import local_to_utc


@bp.route("/crimes/<int:crime_id>/court/new", methods=["GET", "POST"])
@requires("crimes.update")
def record_court_event(crime_id):
    crime = crime_or_404(crime_id)
    hearings = court.hearings_of(crime)
    form = CourtEventForm(hearings)
    if form.validate_on_submit():
        try:
            details = _details(form, hearings)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if saved(form, court.record_event, crime, details, current_user):
                flash(_("Court event recorded"))
                return redirect(url_for("backoffice.crime", crime_id=crime.id, _anchor="court"))
    return render_template("backoffice/court_event.html", form=form, crime=crime)


def _details(form: CourtEventForm, hearings) -> court.CourtEventDetails:
    """The form's answers as the service takes them. Raises ServiceError for a length
    that is not a whole number, or a hearing's date without its time."""
    months_text = (form.sentence_months.data or "").strip()
    months = whole_number(months_text, low=1, high=court.MAX_SENTENCE_MONTHS) if months_text else None
    if months_text and months is None:
        raise ServiceError(
            _("Enter the length as a whole number of months, for example 18"), "sentence_months"
        )
    starts_at = None
    if form.starts_date.data is not None:
        if form.starts_time.time_value is None:
            raise ServiceError(_("Enter the time the hearing starts"), "starts_time")
        starts_at = local_to_utc(form.starts_date.data, form.starts_time.time_value)
    day, at = form.occurred_date.data, form.occurred_time.time_value
    occurred_at = (
        utcnow() if day is None and at is None else local_to_utc(day or calendar.local_date(utcnow()), at)
    )
    return court.CourtEventDetails(
        kind=form.kind.data,
        occurred_at=occurred_at,
        hearing=next((h for h in hearings if str(h.id) == form.hearing.data), None),
        court=form.court.data,
        starts_at=starts_at,
        reason=form.reason.data or None,
        verdict=form.verdict.data or None,
        sentence_kind=form.sentence_kind.data or None,
        sentence_months=months,
        victim_text=form.victim_text.data,
    )
