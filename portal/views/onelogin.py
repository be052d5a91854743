"""Victims' sign-in through GOV.UK One Login, when the force turns it on.

A One Login identity is linked to a victim only through their invitation link, never by
matching an email address; after that it signs them in.
"""

from flask import abort, current_app, redirect, render_template, url_for

from portal import bp
from shared.clients import oidc
from shared.services import audit, victim_accounts
from shared.services.errors import ServiceError
from shared.services.links import LinkProblem
from shared.web import metrics, sessions, single_sign_on
from shared.web.login import public


def _callback_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("portal.onelogin_callback")


@bp.get("/onelogin/start")
@public
def onelogin_start():
    if not oidc.onelogin_enabled():
        abort(404)
    return single_sign_on.start_onelogin(_callback_url())


@bp.get("/activate/<token>/onelogin")
@public
def onelogin_link(token):
    """Set up the account with One Login instead of a password, from the invitation."""
    if not oidc.onelogin_enabled():
        abort(404)
    try:
        victim_accounts.check_activation(token)
    except LinkProblem as problem:
        return render_template("portal/activation_problem.html", reason=problem.reason), problem.status
    return single_sign_on.start_onelogin(_callback_url(), {"invitation": token})


@bp.get("/onelogin/callback")
@public
def onelogin_callback():
    if not oidc.onelogin_enabled():
        abort(404)
    try:
        identity = single_sign_on.finish_onelogin()
    except oidc.SignInRefused:
        metrics.SIGN_IN_FAILURES.labels("victim", "single_sign_on").inc()
        audit.record_alone("victim.onelogin_refused", None, None, detail="the answer failed its checks")
        return render_template("portal/onelogin_problem.html", reason="refused"), 400
    invitation = (identity.purpose or {}).get("invitation") if isinstance(identity.purpose, dict) else None
    if invitation:
        try:
            victim = victim_accounts.link_onelogin(invitation, identity.subject)
        except LinkProblem as problem:
            return render_template("portal/activation_problem.html", reason=problem.reason), problem.status
        except ServiceError:
            return render_template("portal/onelogin_problem.html", reason="taken"), 409
    else:
        victim = victim_accounts.by_onelogin(identity.subject)
        if victim is None:
            audit.record_alone("victim.onelogin_unlinked", None, None)
            return render_template("portal/onelogin_problem.html", reason="not_linked"), 403
    sessions.start(victim, "onelogin")
    return redirect(url_for("portal.cases"))
