from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal import bp
from portal.forms import ChoosePasswordForm
from shared import sessions
from shared.auth import public, safe_next
from shared.forms import SignInForm
from shared.services import victims
from shared.services.errors import ServiceError


@bp.get("/")
@public
def index():
    if current_user.is_authenticated and current_user.kind == "victim":
        return redirect(url_for("portal.cases"))
    return render_template("portal/start.html")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        victim = victims.authenticate(form.email.data, form.password.data)
        if victim is not None:
            sessions.start(victim, "password")
            return redirect(safe_next(request.args.get("next"), url_for("portal.cases")))
        form.email.errors.append(_("Enter a correct email address and password"))
    return render_template("portal/sign_in.html", form=form, activated=request.args.get("activated") == "1")


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
        victims.check_activation(token)
    except victims.ActivationProblem as problem:
        status = 404 if problem.reason == "invalid" else 410
        return render_template("portal/activation_problem.html", reason=problem.reason), status
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            victims.activate(token, form.password.data)
        except ServiceError as error:
            form.password.errors.append(error.message)
        else:
            logout_user()
            session.clear()
            return redirect(url_for("portal.sign_in", activated="1"))
    return render_template("portal/activate.html", form=form)
