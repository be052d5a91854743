"""Staying signed in when the warning before the session ends is answered, and the page
a victim is sent to when it ended (shared/static/timeout_warning.js)."""

from datetime import timedelta

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from portal import bp
from shared.domain.permissions import requires
from shared.web import public_pages, sessions
from shared.web.login import public


@bp.post("/session/stay-signed-in")
@requires("victim.self")
def stay_signed_in():
    # The permission check loaded the live session, so there is one to extend.
    left = sessions.stay_signed_in() or timedelta(0)
    return jsonify(seconds_left=int(left.total_seconds()))


@bp.get("/session/timed-out")
@public
def timed_out():
    if current_user.is_authenticated and current_user.kind == "victim":
        # Still signed in: the session was used in another tab since this one's page
        # was loaded, so it did not end.
        return redirect(url_for("portal.cases"))
    return render_template(
        "portal/timed_out.html", minutes=public_pages.minutes(current_app.config["VICTIM_SESSION_IDLE"])
    )
