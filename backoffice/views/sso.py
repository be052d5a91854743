"""Staff sign-in through the force's identity provider."""

from flask import abort, current_app, redirect, render_template, url_for

from backoffice import bp
from shared.clients import oidc
from shared.services import audit, staff_sso
from shared.web import metrics, sessions, single_sign_on
from shared.web.login import public


def _callback_url() -> str:
    # Built from the configured public address, never from the request's Host header.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("backoffice.sso_callback")


@bp.get("/sso/start")
@public
def sso_start():
    if not oidc.staff_sso_enabled():
        abort(404)
    return single_sign_on.start_staff_sign_in(_callback_url())


@bp.get("/sso/callback")
@public
def sso_callback():
    if not oidc.staff_sso_enabled():
        abort(404)
    try:
        identity = single_sign_on.finish_staff_sign_in()
        member = staff_sso.account_for(identity)
    except oidc.SignInRefused:
        metrics.SIGN_IN_FAILURES.labels("staff", "single_sign_on").inc()
        audit.record_alone("staff.sso_refused", None, None, detail="the provider's answer failed its checks")
        return render_template("backoffice/sso_refused.html", reason="refused"), 400
    except staff_sso.NoAccess as refusal:
        metrics.SIGN_IN_FAILURES.labels("staff", "single_sign_on").inc()
        audit.record_alone("staff.sso_refused", None, None, detail=refusal.reason)
        return render_template("backoffice/sso_refused.html", reason=refusal.reason), 403
    sessions.start(member, "sso")
    return redirect(url_for("backoffice.index"))
