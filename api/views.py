"""The operations of `/api/v1`. Each parses and checks its input, calls the shared
services (shared.services.records), and answers with JSON built from the pydantic models
in shared.services.records_input."""

import json
import re
from urllib.parse import quote

from flask import Response, current_app, g, request
from flask_babel import force_locale
from pydantic import BaseModel, ValidationError

from api.auth import has_scope
from api.errors import validation_problem
from api.openapi import document
from api.operations import AUTH_ERRORS, WRITE_ERRORS, operation
from api.schemas import ComplianceReportOut, ReportQuery
from shared.services import idempotency, incident_records, records, report_export, reports, victims
from shared.services.errors import ServiceError
from shared.services.incident_input import IncidentIn, IncidentOut, IncidentWritten
from shared.services.records_input import (
    CrimeIn,
    CrimeOut,
    CrimeWritten,
    EventIn,
    EventWritten,
    InvitationIn,
    InvitationOut,
    VictimIn,
    VictimWritten,
)
from shared.web.input_guard import MAX_JSON_DEPTH, json_problem
from shared.web.problems import Problem

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# Form fields of the back office's services, as the API names them.
FIELD_NAMES = {"reported_date": "reported_at", "occurred_date": "occurred_at", "date": "occurred_at"}


# ------------------------------------------------------------------------- plumbing


def _json_body(model: type[BaseModel], payload: dict) -> str:
    return model.model_validate(payload).model_dump_json(by_alias=True)


def _json(model: type[BaseModel], payload: dict, status: int) -> Response:
    return Response(_json_body(model, payload), status=status, mimetype="application/json")


def _body(model: type[BaseModel]):
    """The request body as `model`: 415 unless JSON, 400 unless it parses (nested no
    deeper than MAX_JSON_DEPTH, with no text the database cannot store), 422 unless it
    fits (unknown fields included)."""
    if request.mimetype != "application/json":
        raise Problem(415, "Send the body as application/json.")
    raw = request.get_data(cache=True)
    try:
        parsed = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "The body is not valid JSON.") from None
    except RecursionError:
        raise Problem(400, f"The body is nested more than {MAX_JSON_DEPTH} levels deep.") from None
    wrong = json_problem(parsed)
    if wrong:
        raise Problem(400, wrong)
    try:
        return model.model_validate_json(raw, strict=True), parsed
    except ValidationError as error:
        raise validation_problem(error) from None


def _service_problem(error: ServiceError) -> Problem:
    if isinstance(error, victims.Throttled):
        return Problem(
            429,
            str(error.message),
            headers={"Retry-After": str(error.minutes * 60)},
        )
    status = (
        409 if isinstance(error, records.Conflict) else 404 if isinstance(error, records.NotFound) else 422
    )
    message = str(error.message)
    errors = None
    if error.field and status == 422:
        errors = [{"pointer": "/" + FIELD_NAMES.get(error.field, error.field), "detail": message}]
    return Problem(status, message, errors=errors)


def _key() -> str:
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        raise Problem(
            400,
            "Send an Idempotency-Key header with every POST: a new random value for each new "
            "request, the same value when the request is sent again.",
            slug="idempotency-key-required",
            title="Idempotency key required",
        )
    if not IDEMPOTENCY_KEY.match(key):
        raise Problem(
            400,
            "The Idempotency-Key must be 1 to 255 visible ASCII characters.",
            slug="idempotency-key-invalid",
            title="Idempotency key not valid",
        )
    return key


def _write(model: type[BaseModel], handler) -> Response:
    """Run a write once per idempotency key: the body is checked, then `handler(data)`
    returns (status, out model, payload, location), all in the one unit of work of
    records.answer_once. A replay gets the stored answer; a write that loses a race to
    another request for the same record is tried again there."""
    key = _key()
    data, parsed = _body(model)
    print_ = idempotency.fingerprint(request.method, request.path, parsed)

    def respond() -> idempotency.Answer:
        status, out_model, payload, location = handler(data)
        return idempotency.Answer(status, _json_body(out_model, payload), location)

    try:
        answer = records.answer_once(g.api_client, key, print_, respond)
    except idempotency.KeyReused:
        raise Problem(
            422,
            "This Idempotency-Key was used with a different request.",
            slug="idempotency-key-reused",
            title="Idempotency key reused",
        ) from None
    except idempotency.InProgress:
        raise Problem(
            409,
            "A request with this Idempotency-Key is still being answered. Try again shortly.",
            slug="idempotency-key-in-progress",
            headers={"Retry-After": "1"},
        ) from None
    except records.RaceLost:
        raise Problem(
            409,
            "The record changed while it was being written. Send the request again.",
            headers={"Retry-After": "1"},
        ) from None
    except ServiceError as error:
        raise _service_problem(error) from None
    response = Response(answer.body, status=answer.status_code, mimetype="application/json")
    if isinstance(answer, idempotency.Replay):
        response.headers["Idempotent-Replayed"] = "true"
    if answer.location:
        response.headers["Location"] = answer.location
    return response


def _crime(reference: str):
    try:
        return records.crime_by_reference(reference)
    except records.NotFound as error:
        raise Problem(404, str(error.message)) from None


def _status(crime) -> dict:
    return records.crime_status(crime, with_entitlements=has_scope("entitlements:read"))


def _address(collection: str, reference: str) -> str:
    """A record's address: its reference as one path segment, a slash in it sent as %2F
    (RFC 3986), so a client following `Location` cannot take part of it for the whole."""
    return f"/api/v1/{collection}/{quote(reference, safe='')}"


def _crime_url(crime) -> str:
    return _address("crimes", crime.reference)


def _status_code(result: str) -> int:
    return 201 if result == "created" else 200


# ----------------------------------------------------------------------- operations


@operation(
    "/crimes",
    "POST",
    summary="Create or update a crime",
    scope="crimes:write",
    body=CrimeIn,
    responses={
        201: ("Created", CrimeWritten),
        200: ("Updated, unchanged, or an older version ignored", CrimeWritten),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
)
def put_crime():
    """Created the first time the reference is seen, brought up to date after that. A
    version older than the one held (`updated_at`) is ignored and logged."""

    def handle(data: CrimeIn):
        written = records.upsert_crime(data, g.api_client)
        crime = written.record
        payload = {"result": written.result, "crime": _status(crime)}
        return _status_code(written.result), CrimeWritten, payload, _crime_url(crime)

    return _write(CrimeIn, handle)


@operation(
    "/crimes/<path:reference>",
    "GET",
    summary="Read a crime, its victims' status and what the Code owes them",
    scope="crimes:read",
    responses={200: ("The crime", CrimeOut)},
    errors=(*AUTH_ERRORS, 404),
)
def get_crime(reference: str):
    """Each victim's entitlements (trigger, due, status, met) are included when the token
    has the entitlements:read scope."""
    crime = _crime(reference)
    return _json(CrimeOut, _status(crime), 200)


@operation(
    "/crimes/<path:reference>/victims",
    "POST",
    summary="Add or update a victim of a crime",
    scope="crimes:write",
    body=VictimIn,
    responses={
        201: ("Added", VictimWritten),
        200: ("Updated, unchanged, or an older version ignored", VictimWritten),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
)
def put_victim(reference: str):
    """Added the first time `victim_ref` is seen on the crime, brought up to date after
    that: contact details, date of birth, language, assessed enhanced rights, contact plan.
    A victim whose email address another victim already has is added like any other, with
    the same answer, and linked to nobody: the case joins her account only when she
    confirms it, signed in to the portal. A records system adding more victims than
    `API_VICTIM_ADD_LIMIT` allows in its window gets 429 with `Retry-After`."""
    crime = _crime(reference)

    def handle(data: VictimIn):
        written = records.upsert_victim(crime, data, g.api_client)
        victim = next(v for v in _status(crime)["victims"] if v["victim_ref"] == data.victim_ref)
        return _status_code(written.result), VictimWritten, {"result": written.result, "victim": victim}, None

    return _write(VictimIn, handle)


@operation(
    "/crimes/<path:reference>/events",
    "POST",
    summary="Record a key event",
    scope="crimes:write",
    body=EventIn,
    responses={201: ("Recorded", EventWritten), 200: ("Already recorded with this event_id", EventWritten)},
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
)
def post_event(reference: str):
    """A key event (arrest, interview, charge, bail...) at the time it happened: each
    victim is owed being told of it within 5 working days, or 1 with enhanced rights,
    exactly as when an officer records it in the back office."""
    crime = _crime(reference)

    def handle(data: EventIn):
        written = records.post_event(crime, data, g.api_client)
        update = written.record
        event = {
            "event_id": update.source_ref,
            "kind": update.kind,
            "occurred_at": update.occurred_at or update.created_at,
            "victims_to_tell": records.victims_to_tell(update),
        }
        return _status_code(written.result), EventWritten, {"result": written.result, "event": event}, None

    return _write(EventIn, handle)


@operation(
    "/crimes/<path:reference>/victims/<victim_ref>/invitation",
    "POST",
    summary="Invite a victim to the service",
    scope="victims:invite",
    body=InvitationIn,
    responses={
        201: ("Invitation sent", InvitationOut),
        200: ("An invitation is already live: nothing sent", InvitationOut),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
)
def invite_victim(reference: str, victim_ref: str):
    """Emails the victim a single-use link to set up their account. While a link is
    live, asking again sends nothing more."""
    crime = _crime(reference)

    def handle(_data):
        link = records.victim_by_ref(crime, victim_ref)
        result, live = records.invite(link, g.api_client)
        return (
            (201 if result == "invited" else 200),
            InvitationOut,
            {"result": result, "expires_at": live.expires_at},
            None,
        )

    return _write(InvitationIn, handle)


@operation(
    "/incidents",
    "POST",
    summary="Create or update an incident",
    scope="incidents:write",
    body=IncidentIn,
    responses={
        201: ("Created", IncidentWritten),
        200: ("Updated, unchanged, or an older version ignored", IncidentWritten),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
    tag="incidents",
)
def put_incident():
    """What was reported, before any crime is recorded: created the first time the
    incident reference is seen, brought up to date after that. `crimes` are the crimes
    recorded from it, each already sent to `/crimes`, grouped under `principal_crime`
    (May 2023 rules: the others are still investigated but not counted again); an
    unknown crime is refused with 422 and nothing changes. `not_recorded` is the
    decision not to record, with its written reason and who made it; the two May 2023
    exclusions wait for a supervisor's sign-off. A version older than the one held
    (`updated_at`) is ignored and logged."""

    def handle(data: IncidentIn):
        written = incident_records.upsert_incident(data, g.api_client)
        incident = written.record
        payload = {"result": written.result, "incident": incident_records.incident_status(incident)}
        return (
            _status_code(written.result),
            IncidentWritten,
            payload,
            _address("incidents", incident.reference),
        )

    return _write(IncidentIn, handle)


@operation(
    "/incidents/<path:incident_reference>",
    "GET",
    summary="Read an incident, its crimes and any decision not to record",
    scope="incidents:read",
    responses={200: ("The incident", IncidentOut)},
    errors=(*AUTH_ERRORS, 404),
    tag="incidents",
)
def get_incident(incident_reference: str):
    """The incident with its crimes (principal crime first), the decision not to record
    and whether it awaits a supervisor's sign-off, and an N100's resolution."""
    try:
        incident = incident_records.incident_by_reference(incident_reference)
    except records.NotFound as error:
        raise Problem(404, str(error.message)) from None
    return _json(IncidentOut, incident_records.incident_status(incident), 200)


@operation(
    "/reports/compliance",
    "GET",
    summary="The Victims' Code compliance report",
    scope="reports:read",
    query=ReportQuery,
    responses={200: ("The report, with the figures month by month", ComplianceReportOut)},
    errors=(*AUTH_ERRORS, 422),
    tag="reports",
)
def compliance_report():
    """The whole force's figures for a period of local dates (both included): the same
    numbers the back office shows."""
    try:
        query = ReportQuery.model_validate(request.args.to_dict(flat=True), strict=False)
    except ValidationError as error:
        raise validation_problem(error) from None
    with force_locale("en"):
        try:
            report = reports.compliance(None, query.start, query.end, query.split)
        except ServiceError as error:
            raise Problem(
                422, str(error.message), errors=[{"pointer": "/to", "detail": str(error.message)}]
            ) from None
        trend = reports.trend(None, query.start, query.end, now=report.now)
        payload = report_export.to_dict(report, trend)
    return _json(ComplianceReportOut, payload, 200)


@operation(
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3.1 document",
    scope=None,
    responses={200: ("The document", None)},
    tag="documentation",
)
def openapi_document():
    """The document the operations are declared in, with their schemas."""
    return current_app.response_class(json.dumps(document(), indent=2), mimetype="application/json")
