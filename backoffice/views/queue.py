from flask import render_template
from flask_login import current_user

from backoffice import bp
from shared.permissions import requires
from shared.services import code_queries


@bp.get("/tasks")
@requires("cases.view", audit="victims_code.queue")
def queue():
    return render_template("backoffice/queue.html", queue=code_queries.queue(current_user))
