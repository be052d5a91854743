"""Requests to a third party for information about a victim: the victim's requests on a
crime, and the form that records a new one with the written notice it owes."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.information_requests import InformationRequestForm
from backoffice.views.common import crime_or_404, link_or_404, saved
from backoffice.views.presenters import STATUS_COLOURS, how_met
from shared.domain.information_requests import GUARDIAN_RELATIONSHIPS, RECIPIENT_KINDS, SAFE_ROUTES
from shared.domain.permissions import requires
from shared.domain.victims_code_rules import STATUSES
from shared.services import information_requests
from shared.services.information_requests import RequestDetails
from shared.translation import gettext as _
from shared.web.forms import local_to_utc


@bp.route("/crimes/<int:crime_id>/victims/<int:link_id>/information-requests", methods=["GET", "POST"])
@requires("crimes.update", audit="information_request.record")
def information_requests_page(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    form = InformationRequestForm()
    if form.validate_on_submit() and saved(
        form,
        information_requests.record_request,
        link,
        RequestDetails(
            recipient_kind=form.recipient_kind.data,
            recipient_name=form.recipient_name.data,
            information_sought=form.information_sought.data,
            purpose=form.purpose.data,
            handling=form.handling.data,
            requested_at=local_to_utc(form.date.data, None),
            guardian_name=form.guardian_name.data,
            guardian_relationship=form.guardian_relationship.data,
            safe_route=form.safe_route.data,
            safe_route_detail=form.safe_route_detail.data,
        ),
        current_user,
    ):
        flash(_("Request for information recorded for %(name)s", name=link.victim.name))
        return redirect(url_for("backoffice.crime", crime_id=crime.id))
    requests = information_requests.of_victim(link)
    notices = information_requests.notices(requests)
    return render_template(
        "backoffice/information_requests.html",
        crime=crime,
        link=link,
        form=form,
        requests=requests,
        notices=notices,
        not_safe=information_requests.not_safe_to_contact(link),
        kinds=RECIPIENT_KINDS,
        routes=SAFE_ROUTES,
        relationships=GUARDIAN_RELATIONSHIPS,
        statuses=STATUSES,
        colours=STATUS_COLOURS,
        how_met=how_met,
    )
