"""A crime at court, for a Witness Care Unit's system (scopes `court:write`, `court:read`)
or the records system: court events in, hearings and the outcome read back. Nothing
about the victims or the investigation is read or written here."""

from flask import g
from sqlalchemy import func, select

from api.operations import AUTH_ERRORS, WRITE_ERRORS, operation
from api.views import _crime, _json, _status_code, _write
from shared.domain.court import COURT_EVENT_KINDS
from shared.domain.victims_code_rules import COURT_TOLD_RULE, VCS_RULE
from shared.extensions import db
from shared.models import CourtHearing, Entitlement
from shared.models.types import utcnow
from shared.services import court, entitlements, records
from shared.services.court_input import CourtEventIn, CourtEventWritten, CourtOut, ReferralIn, ReferralOut
from shared.services.errors import Conflict, ServiceError
from shared.services.records import Written
from shared.services.unit_of_work import transactional

# The service's fields (the back office's form), as the body names them.
FIELDS = {
    "hearing": "hearing_ref",
    "starts_date": "starts_at",
    "occurred_date": "occurred_at",
    "sentence_kind": "sentence/kind",
    "sentence_months": "sentence/months",
}


@transactional
def _record(crime, data: CourtEventIn, client) -> Written:
    """The event once per `event_id`: sent again (the same kind), it changes nothing."""
    held = court.event_by_ref(crime, data.event_id)
    if held is not None:
        if held.kind != data.kind:
            raise Conflict("This event_id is already recorded for a different kind of event", "event_id")
        return Written("unchanged", held)
    hearing = None
    listing = COURT_EVENT_KINDS[data.kind].hearing_kind is not None
    if data.hearing_ref is not None and not listing:
        hearing = court.hearing_by_ref(crime, data.hearing_ref)
        if hearing is None:
            raise ServiceError("No hearing of this crime has this hearing_ref", "hearing_ref")
    details = court.CourtEventDetails(
        kind=data.kind,
        occurred_at=data.occurred_at,
        hearing=hearing,
        hearing_ref=data.hearing_ref if listing else None,
        court=data.court,
        starts_at=data.starts_at,
        reason=data.reason,
        verdict=data.verdict,
        sentence_kind=data.sentence.kind if data.sentence else None,
        sentence_months=data.sentence.months if data.sentence else None,
        victim_text=data.victim_text,
    )
    try:
        return Written("created", court.record_event(crime, details, client, source_ref=data.event_id))
    except ServiceError as error:
        raise type(error)(error.message, FIELDS.get(error.field or "", error.field)) from None


def _hearing(hearing: CourtHearing | None) -> dict | None:
    if hearing is None:
        return None
    return {
        "hearing_ref": hearing.hearing_ref,
        "kind": hearing.kind,
        "court": hearing.court_name,
        "starts_at": hearing.starts_at,
        "status": hearing.status,
        "adjournment_reason": hearing.adjournment_reason,
    }


def _owed(update_id: int, rule: str) -> int:
    return (
        db.session.scalar(
            select(func.count(Entitlement.id)).where(
                Entitlement.update_id == update_id, Entitlement.rule == rule
            )
        )
        or 0
    )


@operation(
    "/crimes/<path:reference>/court-events",
    "POST",
    summary="Record what happened at court",
    scope="court:write",
    body=CourtEventIn,
    responses={
        201: ("Recorded", CourtEventWritten),
        200: ("Already recorded with this event_id", CourtEventWritten),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
    tag="court",
)
def post_court_event(reference: str):
    """A hearing listed (first hearing, trial, sentencing hearing: the court and when),
    adjourned (with the reason), a trial started, the verdict, the sentence (its kind and
    length in months). Each victim is owed being told of it within 1 working day (the
    Witness Care Unit's duty), and reads it on their case in plain words; the crime moves
    to the "at court" stage. A sentence of 12 months or more in custody (or a hospital
    order) for a violent or sexual offence owes each victim a referral to the Victim
    Contact Scheme. Refused with nothing kept: a hearing_ref the crime does not have
    (422), a verdict without a trial that started, a sentence without a guilty verdict, a
    crime not charged (409), impossible dates (422)."""
    crime = _crime(reference)

    def handle(data: CourtEventIn):
        written = _record(crime, data, g.api_client)
        event = written.record
        hearing = db.session.get(CourtHearing, event.hearing_id) if event.hearing_id else None
        payload = {
            "result": written.result,
            "event": {
                "event_id": event.source_ref,
                "kind": event.kind,
                "occurred_at": event.occurred_at,
                "hearing_ref": hearing.hearing_ref if hearing else None,
                "victims_to_tell": _owed(event.update_id, COURT_TOLD_RULE),
                "victim_contact_scheme": _owed(event.update_id, VCS_RULE),
            },
        }
        return _status_code(written.result), CourtEventWritten, payload, None

    return _write(CourtEventIn, handle)


@operation(
    "/crimes/<path:reference>/court",
    "GET",
    summary="Read a crime's hearings and its outcome at court",
    scope="court:read",
    responses={200: ("The crime at court", CourtOut)},
    errors=(*AUTH_ERRORS, 404),
    tag="court",
)
def get_court(reference: str):
    """The hearings (listed, adjourned with the reason, held), the next one, the verdict
    and the sentence. No victim's details and nothing of the investigation."""
    crime = _crime(reference)
    events = court.events_of(crime)
    verdict = next((e for e in reversed(events) if e.kind == "verdict"), None)
    sentence = next((e for e in reversed(events) if e.kind == "sentence"), None)
    payload = {
        "reference": crime.reference,
        "stage": crime.stage,
        "hearings": [_hearing(h) for h in court.hearings_of(crime)],
        "next_hearing": _hearing(court.next_hearing(crime)),
        "outcome": {
            "verdict": verdict.verdict if verdict else None,
            "sentence_kind": sentence.sentence_kind if sentence else None,
            "sentence_months": sentence.sentence_months if sentence else None,
        },
    }
    return _json(CourtOut, payload, 200)


@operation(
    "/crimes/<path:reference>/victims/<victim_ref>/victim-contact-scheme",
    "POST",
    summary="Record the referral to the Victim Contact Scheme",
    scope="court:write",
    body=ReferralIn,
    responses={
        201: ("Recorded", ReferralOut),
        200: ("Already recorded this way: nothing changed", ReferralOut),
    },
    errors=(*AUTH_ERRORS, *WRITE_ERRORS),
    tag="court",
)
def record_referral(reference: str, victim_ref: str):
    """After a sentence that opens the probation service's Victim Contact Scheme (12
    months or more in custody, or a hospital order, for a violent or sexual offence), each
    victim is owed a referral to it (right 11): this records how it was met, as staff
    record it on the crime's Victims' Code panel. No referral owed: 409."""
    crime = _crime(reference)

    def handle(data: ReferralIn):
        link = records.victim_by_ref(crime, victim_ref)
        try:
            result = court.record_referral(link, data.way, data.at, g.api_client)
        except ServiceError as error:
            raise type(error)(error.message, "at" if error.field == "date" else error.field) from None
        ent = court.referral_owed(link)
        status = db.session.scalar(
            select(entitlements.status_expression(utcnow())).where(Entitlement.id == ent.id)
        )
        payload = {
            "result": result,
            "way": ent.way,
            "at": ent.met_at or data.at,
            "due_at": ent.due_at,
            "status": status,
        }
        return (201 if result == "recorded" else 200), ReferralOut, payload, None

    return _write(ReferralIn, handle)
