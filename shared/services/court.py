"""A crime at court: recording the events a Witness Care Unit reports (through the API) or
staff enter (in the back office), and reading the hearings back.

Each event is checked against what the crime already holds (a hearing must exist to be
adjourned, a verdict needs a trial that started, a sentence a guilty verdict), then kept
as a court event beside an update on the crime's timeline that tells the victim of it in
plain words. It is a key event under the Victims' Code (`court_told`: the Witness Care
Unit tells the victim within 1 working day), it moves the crime to the "at court" stage,
and a sentence that opens the Victim Contact Scheme owes each victim a referral to it.
Either way in, the same function runs, so the same is owed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from shared.domain.court import (
    ADJOURNMENT_REASONS,
    COURT_EVENT_KINDS,
    GUILTY_VERDICTS,
    LISTING_HORIZON_DAYS,
    MAX_SENTENCE_MONTHS,
    MONTHS_NEEDED,
    SENTENCE_KINDS,
    VERDICTS,
)
from shared.domain.reference_data import FINAL_STAGES
from shared.domain.victims_code_rules import COURT_TOLD_RULE, VCS_RULE
from shared.extensions import db
from shared.models import CourtEvent, CourtHearing, Crime, CrimeVictim, Entitlement, InvestigationUpdate
from shared.models.court import MAX_COURT_NAME
from shared.models.types import utcnow
from shared.services import actors, audit, crimes, entitlements, outbox, victims_code_actions
from shared.services.actors import Actor
from shared.services.errors import Conflict, ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

AT_COURT = "at_court"
MAX_TEXT = 5000


@dataclass(frozen=True)
class CourtEventDetails:
    """An event as reported. `hearing` is the hearing it is about (adjourned, trial
    started, verdict; a sentence may name its hearing); `court` and `starts_at` list a
    new one, which `hearing_ref` names when the reporting system has its own id."""

    kind: str
    occurred_at: datetime
    hearing: CourtHearing | None = None
    hearing_ref: str | None = None
    court: str | None = None
    starts_at: datetime | None = None
    reason: str | None = None
    verdict: str | None = None
    sentence_kind: str | None = None
    sentence_months: int | None = None
    victim_text: str | None = None


# ------------------------------------------------------------------------------ reads


def hearings_of(crime: Crime) -> list[CourtHearing]:
    """The crime's hearings, in the order they start."""
    return list(
        db.session.scalars(
            select(CourtHearing)
            .where(CourtHearing.crime_id == crime.id)
            .order_by(CourtHearing.starts_at, CourtHearing.id)
        )
    )


def events_of(crime: Crime) -> list[CourtEvent]:
    """The crime's court events, in the order they were reported."""
    return list(
        db.session.scalars(select(CourtEvent).where(CourtEvent.crime_id == crime.id).order_by(CourtEvent.id))
    )


def hearing_by_ref(crime: Crime, hearing_ref: str) -> CourtHearing | None:
    return db.session.scalar(
        select(CourtHearing).where(CourtHearing.crime_id == crime.id, CourtHearing.hearing_ref == hearing_ref)
    )


def event_by_ref(crime: Crime, source_ref: str) -> CourtEvent | None:
    return db.session.scalar(
        select(CourtEvent).where(CourtEvent.crime_id == crime.id, CourtEvent.source_ref == source_ref)
    )


def next_hearing(crime: Crime, now: datetime | None = None) -> CourtHearing | None:
    """The first hearing still listed from now on, or None."""
    return db.session.scalar(
        select(CourtHearing)
        .where(
            CourtHearing.crime_id == crime.id,
            CourtHearing.status == "listed",
            CourtHearing.starts_at >= (now or utcnow()),
        )
        .order_by(CourtHearing.starts_at, CourtHearing.id)
        .limit(1)
    )


def _verdict(crime: Crime) -> str | None:
    return db.session.scalar(
        select(CourtEvent.verdict)
        .where(CourtEvent.crime_id == crime.id, CourtEvent.kind == "verdict")
        .order_by(CourtEvent.id.desc())
        .limit(1)
    )


def _count(crime: Crime, kind: str) -> int:
    return (
        db.session.scalar(
            select(func.count(CourtEvent.id)).where(CourtEvent.crime_id == crime.id, CourtEvent.kind == kind)
        )
        or 0
    )


# ----------------------------------------------------------------------------- checks


def _check_crime(crime: Crime) -> None:
    if crime.cancelled_at is not None:
        raise Conflict(_l("This crime record has been cancelled"))
    if crime.outcome not in (None, 1) or (crime.stage in FINAL_STAGES):
        raise Conflict(_l("Only a crime where someone was charged goes to court"))
    if entitlements.charged_at(crime) is None:
        raise Conflict(_l("Record the charge before anything at court"))


def _check_when(crime: Crime, details: CourtEventDetails, now: datetime) -> None:
    if details.occurred_at > now:
        raise ServiceError(_l("The date it happened must be today or in the past"), "occurred_date")
    if details.occurred_at < crime.reported_at:
        raise ServiceError(_l("The date it happened must be after the crime was reported"), "occurred_date")


def _check_listing(crime: Crime, details: CourtEventDetails, now: datetime) -> str:
    court = " ".join((details.court or "").split())
    if not court:
        raise ServiceError(_l("Enter the name of the court"), "court")
    if len(court) > MAX_COURT_NAME:
        raise ServiceError(
            _l("The name of the court must be %(max)d characters or fewer", max=MAX_COURT_NAME), "court"
        )
    if details.starts_at is None:
        raise ServiceError(_l("Enter the date and time of the hearing"), "starts_date")
    if details.starts_at < crime.reported_at:
        raise ServiceError(_l("The hearing must be after the crime was reported"), "starts_date")
    if details.starts_at > now + timedelta(days=LISTING_HORIZON_DAYS):
        raise ServiceError(_l("The hearing must be within 3 years"), "starts_date")
    if details.hearing_ref is not None and hearing_by_ref(crime, details.hearing_ref) is not None:
        raise Conflict(_l("A hearing with this reference is already listed"), "hearing")
    return court


def _check_sequence(crime: Crime, details: CourtEventDetails) -> None:
    """The order a case goes through court in."""
    kind, hearing = details.kind, details.hearing
    if kind == "trial_listed" and _count(crime, "first_hearing_listed") == 0:
        raise Conflict(_l("List the first hearing before the trial"), "kind")
    if kind in ("hearing_adjourned", "trial_started") and hearing is not None and hearing.status != "listed":
        raise Conflict(_l("This hearing was already adjourned or held"), "hearing")
    if kind == "hearing_adjourned" and details.reason not in ADJOURNMENT_REASONS:
        raise ServiceError(_l("Select why the hearing was adjourned"), "reason")
    if kind == "trial_started" and hearing is not None and hearing.kind != "trial":
        raise ServiceError(_l("Select the trial"), "hearing")
    if kind == "verdict":
        if details.verdict not in VERDICTS:
            raise ServiceError(_l("Select the verdict"), "verdict")
        if hearing is not None and (hearing.kind != "trial" or hearing.status != "held"):
            raise Conflict(_l("A verdict is given at a trial that has started"), "hearing")
        if _verdict(crime) is not None:
            raise Conflict(_l("A verdict is already recorded"), "kind")
    if kind in ("sentencing_listed", "sentence") and _verdict(crime) not in GUILTY_VERDICTS:
        raise Conflict(_l("A sentence follows a guilty verdict: record the verdict first"), "kind")
    if kind == "sentence":
        if _count(crime, "sentence"):
            raise Conflict(_l("A sentence is already recorded"), "kind")
        if details.sentence_kind not in SENTENCE_KINDS:
            raise ServiceError(_l("Select the sentence"), "sentence_kind")
        months = details.sentence_months
        if details.sentence_kind in MONTHS_NEEDED and months is None:
            raise ServiceError(_l("Enter the length of the sentence in months"), "sentence_months")
        if months is not None and not 1 <= months <= MAX_SENTENCE_MONTHS:
            raise ServiceError(
                _l("The length must be a whole number of months from 1 to %(max)d", max=MAX_SENTENCE_MONTHS),
                "sentence_months",
            )
        if hearing is not None and hearing.status == "adjourned":
            raise Conflict(_l("This hearing was adjourned"), "hearing")


def check(crime: Crime, details: CourtEventDetails) -> None:
    """Everything an event must keep, before anything is written. Raises ServiceError (a
    field to correct) or Conflict (the crime's state refuses it)."""
    kind = COURT_EVENT_KINDS.get(details.kind)
    if kind is None:
        raise ServiceError(_l("Select what happened at court"), "kind")
    _check_crime(crime)
    now = utcnow()
    _check_when(crime, details, now)
    if kind.needs_hearing and details.hearing is None:
        raise ServiceError(_l("Select the hearing"), "hearing")
    if details.hearing is not None and details.hearing.crime_id != crime.id:
        raise ServiceError(_l("Select the hearing"), "hearing")
    if kind.hearing_kind is not None:
        _check_listing(crime, details, now)
    text = (details.victim_text or "").strip()
    if len(text) > MAX_TEXT:
        raise ServiceError(_l("Text must be %(max)d characters or fewer", max=MAX_TEXT), "victim_text")
    _check_sequence(crime, details)


# ----------------------------------------------------------------------------- writes


@transactional
def record_event(
    crime: Crime, details: CourtEventDetails, by: Actor, source_ref: str | None = None
) -> CourtEvent:
    """Record what happened at court, and commit: the hearing listed or its new status,
    the event with the update that tells the victims, what the Victims' Code then owes
    them, and the crime at court. Raises ServiceError, Conflict; then nothing is kept."""
    check(crime, details)
    kind = COURT_EVENT_KINDS[details.kind]
    hearing = details.hearing
    now = utcnow()
    court = None
    if kind.hearing_kind is not None:
        court = " ".join((details.court or "").split())
        hearing = CourtHearing(
            crime_id=crime.id,
            hearing_ref=details.hearing_ref,
            kind=kind.hearing_kind,
            court_name=court,
            starts_at=details.starts_at,
            status="listed",
            created_at=now,
        )
        db.session.add(hearing)
        db.session.flush()
    elif hearing is not None and details.kind == "hearing_adjourned":
        hearing.status, hearing.adjournment_reason = "adjourned", details.reason
    elif hearing is not None and details.kind in ("trial_started", "sentence"):
        hearing.status = "held"
    if crime.stage != AT_COURT:
        crimes.change_stage(crime, AT_COURT, None, False, by)
    update = InvestigationUpdate(
        crime_id=crime.id,
        kind=details.kind,
        victim_text=(details.victim_text or "").strip() or None,
        visible_to_victim=True,
        occurred_at=details.occurred_at,
        **actors.written_by(by),
        created_at=now,
    )
    db.session.add(update)
    db.session.flush()
    event = CourtEvent(
        crime_id=crime.id,
        hearing_id=hearing.id if hearing is not None else None,
        update_id=update.id,
        kind=details.kind,
        occurred_at=details.occurred_at,
        court_name=court,
        starts_at=details.starts_at if kind.hearing_kind else None,
        adjournment_reason=details.reason if details.kind == "hearing_adjourned" else None,
        verdict=details.verdict if details.kind == "verdict" else None,
        sentence_kind=details.sentence_kind if details.kind == "sentence" else None,
        sentence_months=details.sentence_months if details.kind == "sentence" else None,
        source_ref=source_ref,
        created_at=now,
    )
    db.session.add(event)
    db.session.flush()
    entitlements.on_visible_update(crime, update)
    outbox.notify_victims(crime)
    entitlements.on_key_event(crime, details.kind, update, by, rule_code=COURT_TOLD_RULE)
    if details.kind == "sentence" and details.sentence_kind is not None:
        entitlements.on_sentence(crime, update, details.sentence_kind, details.sentence_months, by)
    audit.record("court.event", "crime", crime.id, detail=f"{details.kind} {event.id}", actor=by)
    return event


# ------------------------------------------------------------ Victim Contact Scheme


def referral_owed(link: CrimeVictim) -> Entitlement | None:
    """The victim's referral to the Victim Contact Scheme, newest first, if one is owed."""
    return db.session.scalar(
        select(Entitlement)
        .where(Entitlement.crime_victim_id == link.id, Entitlement.rule == VCS_RULE)
        .order_by(Entitlement.id.desc())
        .limit(1)
    )


@transactional
def record_referral(link: CrimeVictim, way: str, at: datetime, by: Actor) -> str:
    """How the victim's referral to the Victim Contact Scheme was met (`referred`, or the
    victim declined), as staff record it on the Victims' Code panel; "unchanged" when it
    is already recorded that way. Raises Conflict when none is owed or it was recorded
    another way, ServiceError for a way or date the rule refuses."""
    ent = referral_owed(link)
    if ent is None:
        raise Conflict(_l("No referral to the Victim Contact Scheme is owed to this victim"))
    if ent.state != "open":
        if ent.way == way:
            return "unchanged"
        raise Conflict(_l("The referral is already recorded another way"), "way")
    victims_code_actions.record_action(ent, way, at, by)
    return "recorded"
