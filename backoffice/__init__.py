"""The staff blueprint: record crimes, keep victims up to date."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from shared.auth import endpoint_is_public

bp = Blueprint("backoffice", __name__, template_folder="templates")


@bp.before_request
def require_staff():
    """Every back-office page needs signed-in, active staff unless marked public."""
    if endpoint_is_public():
        return None
    if current_user.is_authenticated and current_user.kind == "staff":
        return None
    return redirect(url_for("backoffice.sign_in", next=request.full_path.rstrip("?")))


from backoffice.views import account, cases, victims  # noqa: E402,F401  (registers the routes)
