"""The back office's own accessibility statement, and staying signed in when the warning
before a session ends is answered (shared/static/timeout_warning.js)."""

from datetime import timedelta

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from shared.domain.permissions import requires
from shared.web import public_pages, sessions
from shared.web.login import public


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("backoffice/accessibility.html", prepared=public_pages.STATEMENTS_PREPARED)


@bp.post("/session/stay-signed-in")
@requires("account")
def stay_signed_in():
    # The permission check loaded the live session, so there is one to extend.
    left = sessions.stay_signed_in() or timedelta(0)
    return jsonify(seconds_left=int(left.total_seconds()))


@bp.get("/session/timed-out")
@public
def timed_out():
    if current_user.is_authenticated and current_user.kind == "staff":
        # Still signed in: the session was used in another tab since this one's page
        # was loaded, so it did not end.
        return redirect(url_for("backoffice.index"))
    return render_template(
        "backoffice/timed_out.html", minutes=public_pages.minutes(current_app.config["STAFF_SESSION_IDLE"])
    )
