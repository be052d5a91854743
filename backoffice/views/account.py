"""Staff sign-in with a local account (password, then a code from an authenticator app),
setting up an account through its link, and signing out."""

import logging
import time
from datetime import timedelta

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from backoffice import bp
from backoffice.forms.staff import CodeForm, EnrolForm, SetUpPasswordForm
from shared.clients import oidc
from shared.domain.permissions import can, requires
from shared.services import staff, totp
from shared.services.errors import ServiceError
from shared.services.links import LinkProblem
from shared.translation import gettext as _
from shared.web import metrics, sessions, throttle
from shared.web.forms import SignInForm
from shared.web.login import public, safe_next

logger = logging.getLogger("trackmycrime.auth")
# How long after the password the second step may be completed.
PENDING_FOR = timedelta(minutes=5)
_PENDING_KEYS = ("pending_staff_id", "pending_since", "pending_enrolment")


def _landing(member) -> str:
    """The first page for a member of staff: their cases; the staff list for
    administrators who do no casework; the compliance report for the Commissioner's office;
    the samples to grade for a scrutiny panel member."""
    if not can(member, "cases.view") and can(member, "staff.manage"):
        return url_for("backoffice.staff_list")
    if not can(member, "cases.view") and can(member, "reports.view"):
        return url_for("backoffice.reports")
    if not can(member, "cases.view") and can(member, "scrutiny.grade"):
        return url_for("backoffice.panel_samples")
    return url_for("backoffice.cases")


def _after_sign_in(member) -> str:
    return safe_next(request.args.get("next"), _landing(member))


def _pending_member():
    """The member of staff who gave their password less than PENDING_FOR ago in this
    browser, and may still sign in; else None."""
    since = session.get("pending_since")
    if not isinstance(since, int) or not 0 <= time.time() - since <= PENDING_FOR.total_seconds():
        return None
    return staff.signing_in(session.get("pending_staff_id"))


def _local_accounts() -> bool:
    """Whether staff may sign in with a password and an authenticator app: always,
    unless the force has single sign-on and has turned local accounts off."""
    return current_app.config["STAFF_LOCAL_ACCOUNTS"] or not oidc.staff_sso_enabled()


def _private(template: str, **context):
    """A page that shows a secret, a code or a password form: never kept in a cache."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_again():
    logger.info("Staff sign-in second step refused: no password given in this browser in the last 5 minutes")
    if "pending_staff_id" in session:
        flash(_("Your sign-in timed out. Enter your email address and password again."), "error")
    for key in _PENDING_KEYS:
        session.pop(key, None)
    return redirect(url_for("backoffice.sign_in", next=request.args.get("next")))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@throttle.guarded("staff-sign-in", throttle.typed_email)
def sign_in():
    form = SignInForm()
    local = _local_accounts()
    if local and form.validate_on_submit():
        member = staff.authenticate(form.email.data, form.password.data)
        if member is not None:
            for key in _PENDING_KEYS:
                session.pop(key, None)
            session["pending_staff_id"] = member.id
            session["pending_since"] = int(time.time())
            step = "backoffice.sign_in_code" if member.totp_secret else "backoffice.set_up_authenticator"
            return redirect(url_for(step, next=request.args.get("next")))
        # Said the same way whether or not the account exists.
        logger.info("Staff sign-in refused: wrong email address or password, or account disabled")
        metrics.SIGN_IN_FAILURES.labels("staff", "password").inc()
        form.email.errors.append(_("Enter a correct email address and password"))
    return render_template(
        "backoffice/sign_in.html", form=form, local_accounts=local, single_sign_on=oidc.staff_sso_enabled()
    )


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@throttle.guarded("staff-code", throttle.pending_sign_in)
def sign_in_code():
    if not _local_accounts():
        abort(404)
    member = _pending_member()
    if member is None:
        return _start_again()
    if not member.totp_secret:
        return redirect(url_for("backoffice.set_up_authenticator", next=request.args.get("next")))
    form = CodeForm()
    if form.validate_on_submit():
        if totp.check_code(member, form.code.data):
            sessions.start(member, "password+totp")
            return redirect(_after_sign_in(member))
        metrics.SIGN_IN_FAILURES.labels("staff", "code").inc()
        form.code.errors.append(
            _("Enter the code your authenticator app shows now, or a recovery code you have not used")
        )
    return _private("backoffice/sign_in_code.html", form=form)


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
@public
@throttle.guarded("staff-code", throttle.pending_sign_in)
def set_up_authenticator():
    if not _local_accounts():
        abort(404)
    member = _pending_member()
    if member is None:
        return _start_again()
    if member.totp_secret:
        return redirect(url_for("backoffice.sign_in_code", next=request.args.get("next")))
    nonce = session.get("pending_enrolment")
    if not isinstance(nonce, str):
        nonce = session["pending_enrolment"] = totp.enrolment_nonce()
    secret = totp.enrolment_secret(member.id, nonce)
    form = EnrolForm()
    if form.validate_on_submit():
        codes = totp.enrol(member, secret, form.code.data)
        if codes is not None:
            next_url = _after_sign_in(member)
            sessions.start(member, "password+totp")
            # Shown in this response only: the codes are kept nowhere but as hashes.
            return _private("backoffice/recovery_codes.html", codes=codes, next_url=next_url)
        form.code.errors.append(_("Enter the 6-digit code your authenticator app shows now"))
    return _private(
        "backoffice/set_up_authenticator.html",
        form=form,
        qr_code=totp.qr_code_data_uri(totp.provisioning_uri(secret, member.email)),
        secret=totp.grouped(secret),
    )


@bp.route("/set-up/<token>", methods=["GET", "POST"])
@public
def set_up(token):
    if not _local_accounts():
        abort(404)
    try:
        member = staff.check_set_up(token)
    except LinkProblem as problem:
        return _set_up_problem(problem)
    form = SetUpPasswordForm()
    if form.validate_on_submit():
        try:
            staff.set_password(token, form.password.data)
        except LinkProblem as problem:
            return _set_up_problem(problem)
        except ServiceError as error:
            form.password.errors.append(error.message)
        else:
            logout_user()
            session.clear()
            flash(_("Your password is set. Sign in to finish setting up your account."))
            return redirect(url_for("backoffice.sign_in"))
    return _private("backoffice/set_up.html", form=form, email=member.email)


def _set_up_problem(problem):
    logger.info("Staff set-up link refused: %s", problem.reason)
    return render_template("backoffice/set_up_problem.html", reason=problem.reason), problem.status


@bp.post("/sign-out")
@public
def sign_out():
    sessions.end()
    return redirect(url_for("backoffice.sign_in"))


@bp.get("/")
@requires("account")
def index():
    return redirect(_landing(current_user))
