from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import bp
from portal.forms.cases import CaseAnswerForm
from portal.forms.feedback import FeedbackDismissForm
from portal.views.common import refuse_case
from shared.domain import court
from shared.domain.permissions import requires
from shared.domain.reference_data import ALL_UPDATE_KINDS, FINAL_STAGES, OFFENCES, OUTCOMES, STAGES
from shared.domain.victims_code_rules import CANCELLATION_REASONS
from shared.models.types import utcnow
from shared.services import (
    calendar,
    decision_factors,
    entitlements,
    feedback,
    secure_messages,
    updates,
    victim_cases,
    victims,
)
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web.page_links import pagination_params, requested_page


@bp.get("/cases")
@requires("victim.self")
def cases():
    page = victim_cases.cases_of(current_user, requested_page(), current_app.config["CASES_PER_PAGE"])
    unread = secure_messages.unread_by_link([link.id for link in page.items], "staff")
    return render_template(
        "portal/cases.html",
        page=page,
        pagination=pagination_params(page, "portal.cases"),
        unread=unread,
        stages=STAGES,
        offences=OFFENCES,
        to_confirm=victims.cases_to_confirm(current_user),
        answer_form=CaseAnswerForm(),
    )


@bp.post("/cases/<public_id>/answer")
@requires("victim.self")
def answer_case(public_id):
    """The victim says whether a case an officer added with her email address is hers:
    only then does it join her list (shared.services.victims.confirm_case)."""
    form = CaseAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.confirm.data:
            victims.confirm_case(current_user, public_id)
            flash(_("The case has been added to your crimes"))
        elif form.decline.data:
            victims.decline_case(current_user, public_id)
            flash(_("Thank you. The case will not be added to your crimes"))
        else:
            abort(400)
    except victims.NotWaiting:
        refuse_case(public_id)
    except ServiceError as error:
        flash(error.message)
    return redirect(url_for("portal.cases"))


@bp.get("/cases/<public_id>")
@requires("victim.self")
def case(public_id):
    case = victim_cases.case_view(current_user, public_id)
    if case is None:
        refuse_case(public_id)
    cancellation = CANCELLATION_REASONS.get(case.cancellation_reason) if case.cancelled_at else None
    point = feedback.latest_point(case.victim_updates, case.outcome)
    survey = feedback.offered(
        case.victim_updates, case.outcome, point is not None and case._mapping[f"feedback_closed_{point}"]
    )
    # A decision not to investigate further stands while nothing but general updates
    # followed it: then the victim reads why, and what they can do.
    decision = None
    if case.latest_event_id and decision_factors.is_decision(
        case.latest_event_kind, case.latest_event_outcome
    ):
        decision = (case.latest_event_at, decision_factors.victim_factors(case.latest_event_id))
    timeline = updates.victim_timeline(
        case.crime_id, requested_page(), current_app.config["TIMELINE_PER_PAGE"], total=case.victim_updates
    )
    return render_template(
        "portal/case.html",
        case=case,
        stage=STAGES[case.stage],
        offence=OFFENCES[case.offence],
        outcome=OUTCOMES.get(case.outcome),
        # Only the plain words for the victim: the evidence staff recorded stays with staff.
        cancelled_because=cancellation[1] if cancellation else None,
        timeline=timeline,
        pagination=pagination_params(timeline, "portal.case", anchor="updates", public_id=case.public_id),
        kinds=ALL_UPDATE_KINDS,
        stages=STAGES,
        outcomes=OUTCOMES,
        court=COURT_WORDS,
        survey=survey,
        dismiss_form=FeedbackDismissForm() if survey else None,
        decision=decision,
        # Before the crime is closed, the decision is its status and what happens next.
        not_investigated_now=decision is not None and case.stage not in FINAL_STAGES,
        # Where the Right to Review applies to the decision and its window is open.
        review_by=_review_window(case.public_id) if decision else None,
    )


# What the case page says of a case at court: the hearing, the events on the timeline.
COURT_WORDS = {
    "event_kinds": court.COURT_EVENT_KINDS,
    "hearing_kinds": court.HEARING_KINDS,
    "adjournment_reasons": court.ADJOURNMENT_REASONS,
    "verdicts": court.VERDICTS,
    "sentence_kinds": court.SENTENCE_KINDS,
}


def _review_window(public_id: str):
    """The last day the victim may still ask for a review of the decision, or None when
    the right does not apply or the window has closed."""
    link = victim_cases.case_of(current_user, public_id)
    last_day = entitlements.review_request_by(link.crime) if link else None
    if last_day is None or calendar.local_date(utcnow()) > last_day:
        return None
    return last_day
