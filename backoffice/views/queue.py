from flask import render_template
from flask_login import current_user

from backoffice import bp
from backoffice.views.presenters import entitlement_label
from shared.domain.permissions import requires
from shared.services import contact_preferences, victims_code_queries


def _render(queue, team: bool):
    return render_template(
        "backoffice/queue.html",
        queue=queue,
        team=team,
        # The victims' own changes to how they are contacted, until the officer opens them.
        changed_plans=[]
        if team
        else contact_preferences.unseen_for(current_user, victims_code_queries.QUEUE_LIMIT),
        limit=victims_code_queries.QUEUE_LIMIT,
        label=entitlement_label,
    )


@bp.get("/tasks")
@requires("cases.view", audit="victims_code.queue")
def queue():
    return _render(victims_code_queries.queue(current_user), team=False)


@bp.get("/tasks/team")
@requires("team.view", audit="victims_code.team_queue")
def team_queue():
    return _render(victims_code_queries.queue(current_user, team=True), team=True)
