"""What a victim asks for online about one of their own cases: an update from the
officer in charge, a review of a decision not to charge (the Victims' Right to Review),
or a complaint about the service under the Victims' Code. Each is recorded as what the
Victims' Code owes them, by the same services the back office records them with; the
case comes from the signed-in victim's own links, never from the form."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal import bp
from portal.forms.requests import ComplaintForm, ReviewRequestForm, UpdateRequestForm
from portal.views.common import own_case_or_404
from shared.domain.permissions import requires
from shared.domain.victims_code_rules import VRR_REQUEST_MONTHS
from shared.models.types import utcnow
from shared.services import calendar, entitlements, update_requests, victims_code_actions
from shared.services.errors import ServiceError
from shared.services.victims_code_actions import MAX_VICTIM_DETAIL
from shared.translation import gettext as _
from shared.web import throttle
from shared.web.templating import character_count


def _refused(form, field: str, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or on the form's one box."""
    (getattr(form, error.field or "", None) or getattr(form, field)).errors.append(error.message)


@bp.route("/cases/<public_id>/update-request", methods=["GET", "POST"])
@requires("victim.self")
@throttle.guarded("victim-request", throttle.signed_in_user)
def request_update(public_id):
    link = own_case_or_404(public_id)
    form = UpdateRequestForm()
    status = 200
    if form.validate_on_submit():
        try:
            update_requests.request_update(link, form.note.data, current_user._get_current_object())
        except update_requests.AlreadyAsked as error:
            _refused(form, "note", error)
            status = 409
        except ServiceError as error:
            _refused(form, "note", error)
        else:
            flash(_("Your request for an update has been sent to the officer in charge"))
            return redirect(url_for("portal.case", public_id=link.public_id))
    return render_template(
        "portal/request_update.html",
        link=link,
        form=form,
        waiting=update_requests.open_request(link),
        days=entitlements.timescale_for(link.crime, "update_request"),
        count_params=character_count(MAX_VICTIM_DETAIL, rows=3),
    ), status


@bp.route("/cases/<public_id>/review", methods=["GET", "POST"])
@requires("victim.self")
@throttle.guarded("victim-request", throttle.signed_in_user)
def ask_for_review(public_id):
    link = own_case_or_404(public_id)
    crime = link.crime
    form = ReviewRequestForm()
    last_day = entitlements.review_request_by(crime)
    status = 200
    if form.validate_on_submit():
        try:
            victims_code_actions.record_review_request(
                link, utcnow(), current_user._get_current_object(), reason=form.reason.data
            )
        except ServiceError as error:
            _refused(form, "reason", error)
            # Outside the right or its window, or already asked: the request itself is refused.
            status = 409 if error.field is None else 200
        else:
            flash(_("Your request for a review has been sent"))
            return redirect(url_for("portal.rights", public_id=link.public_id))
    return render_template(
        "portal/ask_for_review.html",
        link=link,
        form=form,
        last_day=last_day,
        window_open=last_day is not None and calendar.local_date(utcnow()) <= last_day,
        months=VRR_REQUEST_MONTHS,
        acknowledge=entitlements.timescale_for(crime, "vrr_acknowledge"),
        decide=entitlements.timescale_for(crime, "vrr_decide"),
        officer=crime.officer_in_charge,
        count_params=character_count(MAX_VICTIM_DETAIL, rows=3),
    ), status


@bp.route("/cases/<public_id>/complaint", methods=["GET", "POST"])
@requires("victim.self")
@throttle.guarded("victim-request", throttle.signed_in_user)
def complain(public_id):
    link = own_case_or_404(public_id)
    form = ComplaintForm()
    if form.validate_on_submit():
        try:
            victims_code_actions.record_complaint(
                link, utcnow(), form.summary.data, current_user._get_current_object()
            )
        except ServiceError as error:
            _refused(form, "summary", error)
        else:
            flash(_("Your complaint has been sent"))
            return redirect(url_for("portal.rights", public_id=link.public_id))
    return render_template(
        "portal/complain.html",
        link=link,
        form=form,
        days=entitlements.timescale_for(link.crime, "complaint"),
        count_params=character_count(MAX_VICTIM_DETAIL, rows=3),
    )
