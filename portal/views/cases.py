from flask import current_app, render_template
from flask_login import current_user

from portal import bp
from portal.views.common import refuse_case
from shared.domain.permissions import requires
from shared.domain.reference_data import ALL_UPDATE_KINDS, OFFENCES, OUTCOMES, STAGES
from shared.domain.victims_code_rules import CANCELLATION_REASONS
from shared.services import secure_messages, updates, victim_cases
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
    )


@bp.get("/cases/<public_id>")
@requires("victim.self")
def case(public_id):
    case = victim_cases.case_view(current_user, public_id)
    if case is None:
        refuse_case(public_id)
    cancellation = CANCELLATION_REASONS.get(case.cancellation_reason) if case.cancelled_at else None
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
    )
