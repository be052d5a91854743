from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from backoffice import bp
from shared.auth import public, safe_next
from shared.extensions import db
from shared.forms import SignInForm
from shared.services import audit, staff


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        member = staff.authenticate(form.email.data, form.password.data)
        if member is not None:
            session.clear()  # a new session at sign-in
            login_user(member)
            audit.record("staff.sign_in", "staff_member", member.id, actor=member)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("backoffice.cases")))
        form.email.errors.append(_("Enter a correct email address and password"))
    return render_template("backoffice/sign_in.html", form=form)


@bp.post("/sign-out")
@public
def sign_out():
    logout_user()
    session.clear()
    return redirect(url_for("backoffice.sign_in"))


@bp.get("/")
def index():
    return redirect(url_for("backoffice.cases"))
