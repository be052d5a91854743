"""A victim's own property on one of her cases: what the crime took or damaged and what
the police hold of hers, where each is now, how to get it back, and the letter for her
insurer (shared.services.property, shared.services.insurer_letter). Only her own items:
never another victim's on the same crime, nor one that belongs to nobody."""

from flask import Response, current_app, render_template
from flask_login import current_user

from portal import bp
from portal.views.common import own_case_or_404
from shared.domain.permissions import requires
from shared.domain.property import KINDS, RETURNABLE_STATUSES, STATUSES
from shared.models.types import utcnow
from shared.services import audit, calendar, insurer_letter
from shared.services import property as property_service
from shared.translation import gettext as _
from shared.web.locale import current_locale


@bp.get("/cases/<public_id>/property")
@requires("victim.self")
def property_page(public_id):
    link = own_case_or_404(public_id)
    items = property_service.items_of_victim(link)
    return render_template(
        "portal/property.html",
        link=link,
        items=items,
        losses=property_service.losses(items),
        returnable=[item for item in items if item.status in RETURNABLE_STATUSES],
        kinds=KINDS,
        statuses=STATUSES,
    )


@bp.get("/cases/<public_id>/property/letter-for-your-insurer.pdf")
@requires("victim.self")
def insurer_letter_pdf(public_id):
    """The letter as a PDF download, in her language first and then the other; kept
    nowhere (no-store, as every page)."""
    link = own_case_or_404(public_id)
    letter = insurer_letter.letter_of(
        link,
        link.crime,
        property_service.items_of_victim(link),
        calendar.local_date(utcnow()),
        current_app.config["FORCE_NAME"],
    )
    pdf = insurer_letter.render(letter, current_app.config["LETTER_FONT_DIR"], current_locale())
    audit.record_alone(
        "victim.insurer_letter", "crime_victim", link.id, actor=current_user._get_current_object()
    )
    response = Response(pdf, mimetype="application/pdf")
    filename = _("letter-for-your-insurer") + ".pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
