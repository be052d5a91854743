"""Helpers the back-office views share."""

from flask import abort
from flask_login import current_user

from shared.services import crimes, victims
from shared.services.errors import ServiceError


def crime_or_404(crime_id: int):
    crime = crimes.get_crime(crime_id, current_user)
    if crime is None:
        abort(404)
    return crime


def link_or_404(crime, link_id: int):
    """The crime's victim with this link id, or 404 (a victim of another crime too)."""
    link = victims.get_crime_victim(crime, link_id)
    if link is None:
        abort(404)
    return link


def show_service_error(form, error: ServiceError) -> None:
    """Put a service's refusal on the form field it names (or the form as a whole)."""
    field = getattr(form, error.field or "", None)
    (field.errors if field is not None else form.form_errors).append(error.message)


def saved(form, call, *args, **kwargs) -> bool:
    """Run the service call a form asks for. True when it went through; when the service
    refuses (it has rolled back its own unit of work), put its message on the form and
    give False."""
    try:
        call(*args, **kwargs)
    except ServiceError as error:
        show_service_error(form, error)
        return False
    return True
