"""What the police asked others for about the victim (Victims and Prisoners Act 2024
s.28), in plain words: of whom, what, why and how it will be handled."""

from flask import render_template

from portal import bp
from portal.views.common import own_case_or_404
from shared.domain.information_requests import RECIPIENT_KINDS
from shared.domain.permissions import requires
from shared.domain.reference_data import OFFENCES
from shared.services import information_requests


@bp.get("/cases/<public_id>/information-requests")
@requires("victim.self")
def information_requests_page(public_id):
    link = own_case_or_404(public_id)
    return render_template(
        "portal/information_requests.html",
        link=link,
        offence=OFFENCES[link.crime.offence],
        requests=information_requests.of_victim(link),
        kinds=RECIPIENT_KINDS,
    )
