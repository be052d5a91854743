"""Administrators' screens: staff accounts, their roles, and disabling them."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.common import ConfirmForm
from backoffice.forms.staff import NewStaffForm, RolesForm
from backoffice.views.common import saved, show_service_error
from shared.domain.permissions import ROLE_LABELS, requires
from shared.services import staff, totp
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web.page_links import pagination_params, requested_page


def _member_or_404(staff_id: int):
    member = staff.get_member(staff_id)
    if member is None:
        abort(404)
    return member


def _me():
    return current_user._get_current_object()


def _member_page(member, roles_form):
    return render_template(
        "backoffice/staff_member.html",
        member=member,
        roles_form=roles_form,
        role_labels=ROLE_LABELS,
        set_up_link_live=staff.live_set_up_link(member),
        recovery_codes_left=totp.recovery_codes_left(member) if member.totp_secret else 0,
    )


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.get("/staff")
@requires("staff.manage", audit="staff.list")
def staff_list():
    page = staff.list_staff(requested_page(), current_app.config["ADMIN_PER_PAGE"])
    return render_template(
        "backoffice/staff_list.html",
        page=page,
        pagination=pagination_params(page, "backoffice.staff_list"),
        role_labels=ROLE_LABELS,
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@requires("staff.manage", audit="staff.new")
def new_staff():
    form = NewStaffForm(staff.teams())
    if form.validate_on_submit():
        details = staff.StaffDetails(
            name=form.name.data,
            collar_number=form.collar_number.data,
            email=form.email.data,
            team_id=form.team_id(),
            roles=form.roles.data,
        )
        try:
            member = staff.create_member(details, by=_me())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(
                _("Account created for %(name)s. We have emailed them a link to set it up.", name=member.name)
            )
            return redirect(url_for("backoffice.staff_member", staff_id=member.id))
    return render_template("backoffice/new_staff.html", form=form)


@bp.get("/staff/<int:staff_id>")
@requires("staff.manage", audit="staff.view")
def staff_member(staff_id):
    member = _member_or_404(staff_id)
    return _member_page(member, RolesForm(roles=sorted(member.roles)))


@bp.post("/staff/<int:staff_id>/roles")
@requires("staff.manage")
def staff_roles(staff_id):
    member = _member_or_404(staff_id)
    form = RolesForm()
    if form.validate_on_submit() and saved(form, staff.set_roles, member, form.roles.data, by=_me()):
        flash(_("Roles saved for %(name)s", name=member.name))
        return redirect(url_for("backoffice.staff_member", staff_id=member.id))
    return _member_page(member, form)


def _act_on(staff_id: int, action, done_message):
    """Run a confirmed administrator action on a member of staff, then go back to their
    page saying what happened, or why it could not be done."""
    member = _member_or_404(staff_id)
    _confirmed()
    try:
        action(member, by=_me())
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(done_message(member.name))
    return redirect(url_for("backoffice.staff_member", staff_id=member.id))


@bp.post("/staff/<int:staff_id>/disable")
@requires("staff.manage")
def disable_staff(staff_id):
    return _act_on(
        staff_id,
        staff.disable,
        lambda name: _("%(name)s’s account is disabled and they have been signed out", name=name),
    )


@bp.post("/staff/<int:staff_id>/enable")
@requires("staff.manage")
def enable_staff(staff_id):
    return _act_on(staff_id, staff.enable, lambda name: _("%(name)s’s account is enabled", name=name))


@bp.post("/staff/<int:staff_id>/reset-authenticator")
@requires("staff.manage")
def reset_authenticator(staff_id):
    return _act_on(
        staff_id,
        staff.reset_authenticator,
        lambda name: _("%(name)s will set up a new authenticator app when they next sign in", name=name),
    )


@bp.post("/staff/<int:staff_id>/resend-set-up")
@requires("staff.manage")
def resend_set_up(staff_id):
    return _act_on(
        staff_id,
        staff.send_set_up_link,
        lambda name: _(
            "We have emailed %(name)s a new set-up link. Any older link no longer works.", name=name
        ),
    )
