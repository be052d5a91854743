"""The staff blueprint: record crimes, keep victims up to date, run the force's
Victims' Code work."""

import logging

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from shared.domain.permissions import can
from shared.services import audit
from shared.web.login import endpoint_is_public
from shared.web.templating import use_layout

bp = Blueprint("backoffice", __name__, template_folder="templates")
# Its pages extend this layout, and so do the error pages of its requests.
use_layout(bp, "backoffice/layout.html")
logger = logging.getLogger("trackmycrime.auth")


@bp.before_request
def require_permission():
    """Every back-office view needs signed-in staff holding the permission it declares,
    unless it is marked public. A view that declares nothing is refused. Every page
    read is written to the audit trail, and committed, before the view runs."""
    if endpoint_is_public():
        return None
    if not (current_user.is_authenticated and current_user.kind == "staff"):
        return redirect(url_for("backoffice.sign_in", next=request.full_path.rstrip("?")))
    view = current_app.view_functions[request.endpoint]
    permission = getattr(view, "permission", None)
    if permission is None or not can(current_user, permission):
        logger.warning("Refused %s %s to staff %s", request.method, request.endpoint, current_user.id)
        audit.record_alone("access.refused", None, None, detail=f"{request.method} {request.path}"[:500])
        abort(403)
    if request.method == "GET":
        audit.record_read(
            view.audit_action or request.endpoint.removeprefix("backoffice."),
            request.view_args,
            request.query_string.decode("utf-8", "replace"),
        )
    return None


from backoffice.views import (  # noqa: E402,F401  (registers the routes)
    account,
    api_clients,
    audit_log,
    cancellation,
    cases,
    messages,
    notifications,
    queue,
    reports,
    sso,
    staff_admin,
    victims,
    victims_code,
)
