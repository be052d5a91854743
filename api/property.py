"""`/api/v1/crimes/{reference}/property`: the items a crime took or damaged and the items
the police hold, pushed by the records system and read back (shared.services.
property_records), with the scopes of the crime they are on."""

from flask import g

from api.operations import AUTH_ERRORS, WRITE_ERRORS, operation
from api.views import _crime, _json, _status_code, _write
from shared.services import property_records
from shared.services.errors import ServiceError
from shared.services.property_input import PropertyIn, PropertyListOut, PropertyWritten

# The back office's names for the fields, as the API names them.
API_FIELDS = {"owner": "victim_ref", "value": "value_pence"}


@operation(
    "/crimes/<path:reference>/property",
    "POST",
    summary="Add or update an item of property",
    scope="crimes:write",
    body=PropertyIn,
    responses={
        201: ("Added", PropertyWritten),
        200: ("Updated, unchanged, or an older version ignored", PropertyWritten),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
)
def put_property(reference: str):
    """Added the first time `item_ref` is seen on the crime, brought up to date after
    that, exactly as staff record it in the back office. The victim it belongs to sees it
    in the portal, with how to get it back, and in her letter for her insurer (stolen and
    damaged items); `officer_note` never reaches her. Dates that cannot be (given back
    before the police had it, taken in before the crime, in the future) are refused with
    422 and nothing is saved."""
    crime = _crime(reference)

    def handle(data: PropertyIn):
        try:
            written = property_records.upsert_item(crime, data, g.api_client)
        except ServiceError as error:
            error.field = API_FIELDS.get(error.field or "", error.field)
            raise
        payload = {"result": written.result, "item": property_records.item_status(written.record)}
        return _status_code(written.result), PropertyWritten, payload, None

    return _write(PropertyIn, handle)


@operation(
    "/crimes/<path:reference>/property",
    "GET",
    summary="Read the property on a crime",
    scope="crimes:read",
    responses={200: ("The crime's items", PropertyListOut)},
    errors=(*AUTH_ERRORS, 404),
)
def get_property(reference: str):
    """Every item on the crime, whoever it belongs to, with the officers' notes."""
    crime = _crime(reference)
    return _json(PropertyListOut, property_records.items_status(crime), 200)
