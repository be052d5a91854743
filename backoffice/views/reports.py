from flask import render_template

from backoffice import bp
from shared.permissions import requires


@bp.get("/reports")
@requires("reports.view", audit="reports.compliance")
def reports():
    return render_template("backoffice/reports.html")
