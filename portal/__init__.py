"""The victims' blueprint: sign in, see your own cases, follow their progress."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from shared.auth import endpoint_is_public

bp = Blueprint("portal", __name__, template_folder="templates")


@bp.before_request
def require_victim():
    """Every portal page needs a signed-in victim unless it is marked public."""
    if endpoint_is_public():
        return None
    if current_user.is_authenticated and current_user.kind == "victim":
        return None
    return redirect(url_for("portal.sign_in", next=request.full_path.rstrip("?")))


from portal.views import account, cases  # noqa: E402,F401  (registers the routes)
