"""The victims' blueprint: sign in, see your own cases, follow their progress."""

import logging

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from shared.domain.permissions import can
from shared.web.login import endpoint_is_public
from shared.web.templating import use_layout

bp = Blueprint("portal", __name__, template_folder="templates")
# Its pages extend this layout, and so do the error pages of its requests.
use_layout(bp, "portal/layout.html")
logger = logging.getLogger("trackmycrime.auth")


@bp.before_request
def require_victim():
    """Every portal page needs a signed-in victim unless it is marked public; a view
    that declares no permission is refused."""
    if endpoint_is_public():
        return None
    if not (current_user.is_authenticated and current_user.kind == "victim"):
        return redirect(url_for("portal.sign_in", next=request.full_path.rstrip("?")))
    permission = getattr(current_app.view_functions[request.endpoint], "permission", None)
    if permission is None or not can(current_user, permission):
        logger.warning("Refused %s %s to a victim", request.method, request.endpoint)
        abort(403)
    return None


from portal.views import (  # noqa: E402,F401  (registers the routes)
    account,
    cases,
    contact_preferences,
    feedback,
    information_requests,
    messages,
    onelogin,
    property,
    public_pages,
    requests,
    rights,
    session_timeout,
)
