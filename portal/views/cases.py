from flask import abort, render_template
from flask_login import current_user

from portal import bp
from shared.codes import ALL_UPDATE_KINDS, OFFENCES, OUTCOMES, STAGES
from shared.extensions import db
from shared.permissions import requires
from shared.services import audit, updates, victims


@bp.get("/cases")
@requires("victim.self")
def cases():
    links = victims.cases_of(current_user)
    return render_template("portal/cases.html", links=links, stages=STAGES, offences=OFFENCES)


@bp.get("/cases/<public_id>")
@requires("victim.self")
def case(public_id):
    link = victims.case_of(current_user, public_id)
    if link is None:
        # Not theirs, or no such case: the same answer either way, and kept on record.
        audit.record("victim.case_denied", "crime_victim", public_id[:60])
        db.session.commit()
        abort(404)
    crime = link.crime
    return render_template(
        "portal/case.html",
        crime=crime,
        stage=STAGES[crime.stage],
        offence=OFFENCES[crime.offence],
        outcome=OUTCOMES.get(crime.outcome),
        timeline=updates.victim_timeline(crime.id),
        kinds=ALL_UPDATE_KINDS,
        stages=STAGES,
        outcomes=OUTCOMES,
    )
