"""The victims' feedback survey on the portal, at the point of their case the force
offers it at (shared.services.feedback): answered once, or turned down, per point. The
case comes from the signed-in victim's own links; the point from the case, never the form."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import bp
from portal.forms.feedback import FeedbackDismissForm, FeedbackForm
from portal.views.common import own_case_or_404
from shared.domain.feedback import MAX_COMMENT
from shared.domain.permissions import requires
from shared.services import feedback
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web import throttle
from shared.web.templating import character_count


@bp.route("/cases/<public_id>/feedback", methods=["GET", "POST"])
@requires("victim.self")
@throttle.guarded("victim-request", throttle.signed_in_user)
def give_feedback(public_id):
    link = own_case_or_404(public_id)
    point = feedback.current_point(link)
    if point is None:
        abort(404)
    done = feedback.closed(link, point)
    form = FeedbackForm()
    status = 200
    if form.is_submitted() and done:
        # Answered or turned down already: refused whatever was sent, and nothing changes.
        form.informed.errors = [_("You have already answered or turned down this survey. Thank you.")]
        status = 409
    elif form.validate_on_submit():
        try:
            feedback.answer(link, form.answers(), form.comment.data, current_user._get_current_object())
        except feedback.AlreadyClosed as error:
            form.informed.errors = [error.message]
            status = 409
        except ServiceError as error:
            (getattr(form, error.field or "", None) or form.comment).errors.append(error.message)
        else:
            flash(_("Thank you for your feedback"))
            return redirect(url_for("portal.case", public_id=link.public_id))
    return render_template(
        "portal/feedback.html",
        link=link,
        form=form,
        done=done and status == 200,
        count_params=character_count(MAX_COMMENT, rows=4),
    ), status


@bp.post("/cases/<public_id>/feedback/dismiss")
@requires("victim.self")
def dismiss_feedback(public_id):
    link = own_case_or_404(public_id)
    form = FeedbackDismissForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        feedback.dismiss(link, current_user._get_current_object())
    except feedback.NotOffered:
        abort(404)
    except feedback.AlreadyClosed:
        abort(409)
    flash(_("You will not be asked these questions again at this stage of your case"))
    return redirect(url_for("portal.case", public_id=link.public_id))
