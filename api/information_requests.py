"""`POST /api/v1/crimes/{reference}/victims/{victim_ref}/information-requests`: a request
to a third party for information about a victim, pushed by the records system, opening
the written notice the victim is owed exactly as the back office does
(shared.services.information_requests)."""

from flask import g

from api.operations import AUTH_ERRORS, WRITE_ERRORS, operation
from api.views import _crime, _write
from shared.services import information_requests, records
from shared.services.errors import Conflict, ServiceError
from shared.services.information_request_input import InformationRequestIn, InformationRequestWritten

# The service's field names, as the body names them.
FIELDS = {
    "recipient_kind": "recipient/kind",
    "recipient_name": "recipient/name",
    "guardian_name": "guardian",
    "guardian_relationship": "guardian/relationship",
    "safe_route": "safe_route",
    "safe_route_detail": "safe_route/detail",
}


@operation(
    "/crimes/<path:reference>/victims/<victim_ref>/information-requests",
    "POST",
    summary="Record a request to a third party for information about a victim",
    scope="crimes:write",
    body=InformationRequestIn,
    responses={
        201: ("Recorded", InformationRequestWritten),
        200: ("Already recorded with this request_id", InformationRequestWritten),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
)
def post_information_request(reference: str, victim_ref: str):
    """Victims and Prisoners Act 2024 s.28: the victim (a parent or guardian for a victim
    under 18 on the day of the request) is owed being told in writing what is sought, why
    and how it will be handled, by the end of the day of the request unless the force
    allows more. A victim who is not safe to contact needs `safe_route`, and is sent
    nothing automatically. A request in the future, before the crime happened, without
    its recipient, or without the parent or guardian of a child, is refused with 422 and
    nothing is kept; the same `request_id` again changes nothing."""
    crime = _crime(reference)

    def handle(data: InformationRequestIn):
        link = records.victim_by_ref(crime, victim_ref)
        try:
            result, request = information_requests.from_records_system(link, data, g.api_client)
        except ServiceError as error:
            field = FIELDS.get(error.field or "", error.field)
            kind = Conflict if isinstance(error, Conflict) else ServiceError
            raise kind(error.message, field) from None
        payload = {"result": result, "information_request": information_requests.status_of(request)}
        return (201 if result == "created" else 200), InformationRequestWritten, payload, None

    return _write(InformationRequestIn, handle)
