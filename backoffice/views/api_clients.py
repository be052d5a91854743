"""Administrators' screens for the records systems that use the API: the list, registering
one (its secret is shown once, on the page that answers the form), and revoking one."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.api_clients import ApiClientForm, scope_label
from backoffice.forms.common import ConfirmForm
from backoffice.views.common import show_service_error
from shared.domain.permissions import requires
from shared.services import api_clients as registry
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web.page_links import pagination_params, requested_page


@bp.get("/api-clients")
@requires("api_clients.manage", audit="api_clients.list")
def api_clients():
    page = registry.list_clients(requested_page(), current_app.config["ADMIN_PER_PAGE"])
    return render_template(
        "backoffice/api_clients.html",
        page=page,
        pagination=pagination_params(page, "backoffice.api_clients"),
        scope_label=scope_label,
    )


@bp.route("/api-clients/new", methods=["GET", "POST"])
@requires("api_clients.manage", audit="api_clients.new")
def new_api_client():
    form = ApiClientForm()
    if form.validate_on_submit():
        try:
            client, secret = registry.register(
                form.name.data, form.scopes.data, by=current_user._get_current_object()
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            # The secret is in this response only: never in a redirect, the session or
            # the database (which keeps its SHA-256). Signed-in pages are sent with
            # Cache-Control: no-store, so the browser keeps no copy either.
            return render_template(
                "backoffice/api_clients_registered.html",
                client=client,
                secret=secret,
                token_url=url_for("api.token", _external=True),
                scope_label=scope_label,
            )
    return render_template("backoffice/api_clients_new.html", form=form)


@bp.post("/api-clients/<int:client_pk>/revoke")
@requires("api_clients.manage")
def revoke_api_client(client_pk):
    client = registry.get(client_pk)
    if client is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        registry.revoke(client, by=current_user._get_current_object())
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s’s access is revoked. Its tokens no longer work.", name=client.name))
    return redirect(url_for("backoffice.api_clients"))
