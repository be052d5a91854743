import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from portal import bp
from portal.forms.accounts import (
    ChangePasswordForm,
    ChoosePasswordForm,
    ForgotPasswordForm,
    ResetPasswordForm,
)
from shared.domain.permissions import requires
from shared.services import victim_accounts
from shared.services.errors import ServiceError
from shared.services.links import LinkProblem
from shared.translation import gettext as _
from shared.web import metrics, sessions, throttle
from shared.web.forms import SignInForm
from shared.web.login import public, safe_next

logger = logging.getLogger("trackmycrime.auth")


@bp.get("/")
@public
def index():
    if current_user.is_authenticated and current_user.kind == "victim":
        return redirect(url_for("portal.cases"))
    return render_template("portal/start.html")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@throttle.guarded("victim-sign-in", throttle.typed_email)
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        victim = victim_accounts.authenticate(form.email.data, form.password.data)
        if victim is not None:
            sessions.start(victim, "password")
            return redirect(safe_next(request.args.get("next"), url_for("portal.cases")))
        # Said the same way whether or not the account exists.
        logger.info("Victim sign-in refused: wrong email address or password, or account not activated")
        metrics.SIGN_IN_FAILURES.labels("victim", "password").inc()
        form.email.errors.append(_("Enter a correct email address and password"))
    return render_template(
        "portal/sign_in.html",
        form=form,
        activated=request.args.get("activated") == "1",
        password_reset=request.args.get("reset") == "1",
    )


@bp.post("/sign-out")
@public
def sign_out():
    sessions.end()
    return redirect(url_for("portal.signed_out"))


@bp.get("/signed-out")
@public
def signed_out():
    return render_template("portal/signed_out.html")


@bp.route("/activate/<token>", methods=["GET", "POST"])
@public
def activate(token):
    try:
        link = victim_accounts.check_activation(token)
    except LinkProblem as problem:
        return _link_problem("portal/activation_problem.html", problem)
    if victim_accounts.has_account_already(link):
        # A case added with the address of someone who has an account: she signs in
        # and says whether it is hers, on her list of crimes.
        return render_template("portal/activate_existing.html")
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            victim_accounts.activate(token, form.password.data)
        except ServiceError as error:
            form.password.errors.append(error.message)
        else:
            logout_user()
            session.clear()
            return redirect(url_for("portal.sign_in", activated="1"))
    return render_template("portal/activate.html", form=form, token=token)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@throttle.guarded("password-reset", throttle.typed_email)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same page whether or not the address has an account.
        victim_accounts.request_reset(form.email.data)
        minutes = int(current_app.config["RESET_LINK_TTL"].total_seconds() // 60)
        return render_template("portal/reset_sent.html", minutes=minutes)
    return render_template("portal/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        victim_accounts.check_reset(token)
    except LinkProblem as problem:
        return _link_problem("portal/reset_problem.html", problem)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            victim_accounts.reset_password(token, form.password.data)
        except LinkProblem as problem:
            return _link_problem("portal/reset_problem.html", problem)
        except ServiceError as error:
            form.password.errors.append(error.message)
        else:
            # Every session of the victim has ended on the server, this one included.
            logout_user()
            session.clear()
            return redirect(url_for("portal.sign_in", reset="1"))
    return render_template("portal/reset_password.html", form=form)


def _link_problem(template: str, problem: LinkProblem):
    return render_template(template, reason=problem.reason), problem.status


@bp.route("/account/password", methods=["GET", "POST"])
@requires("victim.self")
@throttle.guarded("change-password", throttle.signed_in_user)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            victim_accounts.change_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.password.data,
                keep_session_id=sessions.current_id(),
            )
        except ServiceError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(_("Your password has been changed. You have been signed out everywhere else."))
            return redirect(url_for("portal.cases"))
    return render_template("portal/change_password.html", form=form)
