"""Incidents in the back office: the list (filtered, a page at a time) and one incident
with its crimes, its decision not to record and the supervisor's sign-off of an
exclusion. Supervisors see their team's incidents; the roles that see every crime see
the whole force's."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.common import ConfirmForm
from backoffice.forms.incidents import NotRecordedForm
from backoffice.views.common import show_service_error
from shared.domain.incident_reference import (
    CLOSING_CODES,
    INCIDENT_ROUTES,
    N100_RESOLUTIONS,
    NOT_RECORDED_REASONS,
)
from shared.domain.permissions import can, requires, sees_whole_force
from shared.domain.reference_data import OFFENCE_GROUPS, OFFENCES
from shared.services import incidents
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web.page_links import pagination_params, requested_page


@bp.get("/incidents")
@requires("incidents.read", audit="incidents.list")
def incident_list():
    wanted = incidents.IncidentFilter.read(request.args.get("route"), request.args.get("show"))
    page = incidents.list_incidents(
        current_user, wanted, requested_page(), current_app.config["CASES_PER_PAGE"]
    )
    args = {key: value for key, value in (("route", wanted.route), ("show", wanted.show)) if value}
    return render_template(
        "backoffice/incidents.html",
        page=page,
        wanted=wanted,
        whole_force=sees_whole_force(current_user),
        pagination=pagination_params(page, "backoffice.incident_list", **args),
        routes=INCIDENT_ROUTES,
        reasons=NOT_RECORDED_REASONS,
    )


def _incident_or_404(reference: str):
    incident = incidents.get_incident(reference, current_user)
    if incident is None:
        abort(404)
    return incident


def _page(incident, form: ConfirmForm, status: int = 200):
    crimes = incidents.crimes_of(incident)
    return render_template(
        "backoffice/incident.html",
        incident=incident,
        crimes=crimes,
        late=incidents.recorded_late(incident, crimes),
        form=form,
        may_sign_off=incidents.may_sign_off(incident, current_user),
        may_decide=can(current_user, "incidents.decide") and incidents.why_no_decision(incident) is None,
        routes=INCIDENT_ROUTES,
        closing_codes=CLOSING_CODES,
        reasons=NOT_RECORDED_REASONS,
        resolutions=N100_RESOLUTIONS,
        groups=OFFENCE_GROUPS,
        offences=OFFENCES,
    ), status


@bp.get("/incidents/<path:incident_reference>")
@requires("incidents.read", audit="incident.view")
def incident(incident_reference):
    return _page(_incident_or_404(incident_reference), ConfirmForm())


@bp.post("/incidents/<path:incident_reference>/sign-off")
@requires("incidents.sign_off")
def sign_off_incident(incident_reference):
    incident = _incident_or_404(incident_reference)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            incidents.sign_off(incident, current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Decision not to record signed off"))
            return redirect(url_for("backoffice.incident", incident_reference=incident.reference))
    return _page(incident, form, 400)


@bp.route("/incidents/<path:incident_reference>/not-recorded", methods=["GET", "POST"])
@requires("incidents.decide")
def decide_not_to_record(incident_reference):
    """Enter the decision not to record a crime the incident disclosed: once, with the
    written reason, the signed-in member as its decider."""
    incident = _incident_or_404(incident_reference)
    form = NotRecordedForm()
    # Why no decision can be entered now: said on the page; a form sent anyway is
    # refused by the service with the same words (400, nothing changed).
    refused = incidents.why_no_decision(incident)
    if form.validate_on_submit():
        try:
            incidents.enter_decision(incident, form.reason.data, form.note.data, current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Decision not to record entered"))
            return redirect(url_for("backoffice.incident", incident_reference=incident.reference))
    return render_template(
        "backoffice/incident_not_recorded.html", form=form, incident=incident, refused=refused
    ), (400 if request.method == "POST" else 200)
