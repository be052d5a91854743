"""Property on a crime: staff record an item and keep where it is now up to date, on
forms reached from the crime's page (shared.services.property)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.property import PropertyForm, pence
from backoffice.views.common import crime_or_404, saved
from shared.domain.permissions import requires
from shared.services import calendar, victims
from shared.services import property as property_service
from shared.translation import gettext as _
from shared.web.forms import local_to_utc


def _details(form: PropertyForm, owners) -> property_service.ItemDetails | None:
    """The item the form describes, or None when it names a victim the crime does not
    have (the error is then on the form)."""
    owner = None
    if form.owner.data:
        owner = next((link for link in owners if str(link.id) == form.owner.data), None)
        if owner is None:
            form.owner.errors = [*form.owner.errors, _("Select whose item it is")]
            return None

    def moment(day):
        return local_to_utc(day, None) if day is not None else None

    return property_service.ItemDetails(
        kind=form.kind.data,
        description=form.description.data.strip(),
        status=form.status.data,
        owner=owner,
        value_pence=pence(form.value.data),
        held_at=moment(form.held_at.data),
        returned_at=moment(form.returned_at.data),
        disposed_at=moment(form.disposed_at.data),
        return_details=(form.return_details.data or "").strip() or None,
        officer_note=(form.officer_note.data or "").strip() or None,
    )


@bp.route("/crimes/<int:crime_id>/property/new", methods=["GET", "POST"])
@requires("property.record")
def record_property(crime_id):
    crime = crime_or_404(crime_id)
    owners = victims.victims_of_crime(crime)
    form = PropertyForm(owners)
    if form.validate_on_submit():
        details = _details(form, owners)
        if details is not None and saved(form, property_service.record_item, crime, details, current_user):
            flash(_("Item recorded"))
            return redirect(url_for("backoffice.crime", crime_id=crime.id, _anchor="property"))
    return render_template("backoffice/property_item.html", form=form, crime=crime, item=None)


@bp.route("/crimes/<int:crime_id>/property/<int:item_id>", methods=["GET", "POST"])
@requires("property.record")
def change_property(crime_id, item_id):
    crime = crime_or_404(crime_id)
    item = property_service.get_item(crime, item_id)
    if item is None:
        abort(404)
    owners = victims.victims_of_crime(crime)
    if request.method == "GET":
        form = PropertyForm(owners, **_starting_values(item))
    else:
        form = PropertyForm(owners)
    if form.validate_on_submit():
        details = _details(form, owners)
        if details is not None and saved(form, property_service.change_item, item, details, current_user):
            flash(_("Item saved"))
            return redirect(url_for("backoffice.crime", crime_id=crime.id, _anchor="property"))
    return render_template("backoffice/property_item.html", form=form, crime=crime, item=item)


def _starting_values(item) -> dict:
    def day(moment):
        return calendar.local_date(moment) if moment is not None else None

    value = item.value_pence
    return {
        "kind": item.kind,
        "description": item.description,
        "owner": str(item.crime_victim_id or ""),
        "value": f"{value // 100}.{value % 100:02d}" if value is not None else "",
        "status": item.status,
        "held_at": day(item.held_at),
        "returned_at": day(item.returned_at),
        "disposed_at": day(item.disposed_at),
        "return_details": item.return_details or "",
        "officer_note": property_service.note_of(item) or "",
    }
