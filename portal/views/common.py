"""Helpers the portal's views share."""

from flask import abort
from flask_login import current_user

from shared.services import audit, victim_cases


def refuse_case(public_id: str):
    """A case that is not the signed-in victim's, or no such case: 404 either way, so
    nothing tells the two apart, and the attempt is kept on record."""
    audit.record_alone("victim.case_denied", "crime_victim", public_id[:60])
    abort(404)


def own_case_or_404(public_id: str):
    """The signed-in victim's link to the crime `public_id`, or 404 (`refuse_case`)."""
    link = victim_cases.case_of(current_user, public_id)
    if link is None:
        refuse_case(public_id)
    return link
