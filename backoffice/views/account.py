from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from backoffice import bp
from shared import sessions
from shared.auth import public, safe_next
from shared.forms import SignInForm
from shared.permissions import requires
from shared.services import staff


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        member = staff.authenticate(form.email.data, form.password.data)
        if member is not None:
            sessions.start(member, "password")
            return redirect(safe_next(request.args.get("next"), url_for("backoffice.cases")))
        form.email.errors.append(_("Enter a correct email address and password"))
    return render_template("backoffice/sign_in.html", form=form)


@bp.post("/sign-out")
@public
def sign_out():
    sessions.end()
    return redirect(url_for("backoffice.sign_in"))


@bp.get("/")
@requires("account")
def index():
    return redirect(url_for("backoffice.cases"))
