"""The staff blueprint: record crimes, keep victims up to date, run the force's
Victims' Code work."""

import logging

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from shared.domain.permissions import can
from shared.services import audit
from shared.web.login import endpoint_is_public
from shared.web.templating import use_layout

bp = Blueprint("backoffice", __name__, template_folder="templates")
# Its pages extend this layout, and so do the error pages of its requests.
use_layout(bp, "backoffice/layout.html")
logger = logging.getLogger("trackmycrime.auth")


# What a view answers when it refuses what was asked: a record outside the user's scope
# (404, so that it cannot be told from one that does not exist), an action the rules
# forbid them on it (403), or a change the record's state refuses whoever asks (409: a
# judgement the Force Crime Registrar has ruled on).
REFUSED = (403, 404, 409)
# Methods that only read; any other method refused is recorded as a refused change.
READS = ("GET", "HEAD")


@bp.before_request
def require_permission():
    """Every back-office view needs signed-in staff holding the permission it declares,
    unless it is marked public. A view that declares nothing is refused (and recorded
    as `access.refused`). What the view then does is recorded once it has answered
    (`record_outcome`)."""
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
    g.audit_action = view.audit_action or request.endpoint.removeprefix("backoffice.")
    return None


@bp.after_request
def record_outcome(response):
    """Write what the view did to the audit trail, and commit it before the answer
    leaves: a page read (`GET`) the view answered is recorded as a read of the record its
    address names, with the query it was asked with; a read or a change the view refused
    (403, 404 or 409: a crime of another team, a judgement already ruled on) is recorded as
    `read.refused` or `change.refused`, never as a consultation. A read that failed (5xx)
    showed nothing and is not recorded. Should the event not be written, the answer is an
    error page instead of the page, so no page is shown that the trail does not name."""
    action = g.pop("audit_action", None)
    if action is None:
        return response
    status = response.status_code
    if status in REFUSED:
        audit.record_refusal(
            "read.refused" if request.method in READS else "change.refused",
            request.view_args,
            f"{request.method} {request.path} {status}",
        )
    elif request.method in READS and status < 500:
        audit.record_read(action, request.view_args, request.query_string.decode("utf-8", "replace"))
    return response


from backoffice.views import (  # noqa: E402,F401  (registers the routes)
    account,
    action_plan,
    api_clients,
    audit_log,
    cancellation,
    cases,
    cdi_audit_results,
    cdi_audits,
    cdi_findings,
    code_versions,
    court,
    guardians,
    incidents,
    information_requests,
    messages,
    notifications,
    property,
    public_pages,
    queue,
    reports,
    scrutiny,
    sso,
    staff_admin,
    victims,
    victims_code,
)
