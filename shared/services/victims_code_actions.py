"""What staff record under the Victims' Code: what was done to meet an entitlement, that
one does not apply, complaints and requests for review, contact plans, enhanced rights,
and the cancellation of a crime record. Each function checks, writes the change with its
history and audit event as one unit of work, and commits; it raises ServiceError for a
person to fix, and then nothing is kept.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_date
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from shared.domain import cancellation_authority, code_versions, reference_data
from shared.domain.information_requests import NOTICE_RULE
from shared.domain.permissions import ROLE_LABELS
from shared.domain.reference_data import INTERMEDIARY, INTERMEDIARY_ROLES, LANGUAGE_NAMES, PLAN_CHANNEL_LABELS
from shared.domain.victims_code_rules import (
    CANCELLATION_REASONS,
    ENHANCED_REASONS,
    MET_BEFORE_TRIGGER,
    SUPPORT_SERVICES,
)
from shared.extensions import db
from shared.models import (
    ApiClient,
    ContactPlan,
    Crime,
    CrimeVictim,
    EnhancedRight,
    Entitlement,
    InvestigationUpdate,
    StaffMember,
    Victim,
)
from shared.models.types import utcnow
from shared.services import actors, audit, calendar, entitlements, information_requests, outbox
from shared.services.actors import Actor
from shared.services.errors import NotPermitted, ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

MAX_REASON = 2000
# What a victim may write in the short optional boxes of their online requests: it is
# kept beside the entitlement, as a one-line subject for staff.
MAX_VICTIM_DETAIL = 200
# An intermediary's name and contact details, and another language a victim speaks.
MAX_INTERMEDIARY = 200
MAX_LANGUAGE = 100
CANCEL_ROLES = cancellation_authority.CANCELLING_ROLES
# The authorisers as a sentence names them.
ROLE_ARTICLES = {
    "ddm": _l("a designated decision maker"),
    "fcr": _l("the force crime registrar"),
}


def _check_when(at: datetime, not_before: datetime, field: str = "date") -> None:
    """When something was done: not after today on the London calendar, and not later than
    now (a minute's grace for a time typed in the current minute, so that midnight
    tomorrow, a minute away at 23:59, is still tomorrow), nor before it started."""
    now = utcnow()
    if calendar.local_date(at) > calendar.local_date(now) or at > now + timedelta(minutes=1):
        raise ServiceError(_l("The date must be today or in the past"), field)
    if calendar.local_date(at) < calendar.local_date(not_before):
        raise ServiceError(
            _l(
                "The date must be on or after %(day)s, when this started",
                day=format_date(calendar.local_date(not_before), "d MMMM yyyy"),
            ),
            field,
        )


def _reason_text(reason: str | None, message: str | LazyString, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(message, field)
    if len(reason) > MAX_REASON:
        raise ServiceError(_l("The reason must be %(max)d characters or fewer", max=MAX_REASON), field)
    return reason


@transactional
def record_action(
    ent: Entitlement,
    way: str,
    at: datetime,
    by: Actor,
    *,
    service: str | None = None,
    consent: bool = False,
) -> None:
    """Record what was done to meet (or what the victim declined of) an open entitlement,
    and commit. A met agreed update opens the next one. A referral that needs consent is
    refused without it."""
    if ent.state != "open":
        raise ServiceError(_l("This has already been recorded"))
    rule = code_versions.rule(ent.code_version, ent.rule)
    chosen = next((w for w in rule.ways if w.code == way), None)
    if chosen is None:
        raise ServiceError(_l("Select what was done"), "way")
    if ent.rule == NOTICE_RULE:
        information_requests.check_notice_way(ent, chosen.code)
    # A notice may be given before what it is about (an information request).
    not_before = (
        db.session.get_one(Crime, ent.crime_id).reported_at
        if ent.rule in MET_BEFORE_TRIGGER
        else ent.triggered_at
    )
    _check_when(at, not_before)
    if chosen.needs_detail:
        if service not in SUPPORT_SERVICES:
            raise ServiceError(_l("Select the support service"), "service")
        link = db.session.get_one(CrimeVictim, ent.crime_victim_id)
        rights = entitlements.current_rights([link.id])[link.id]
        if entitlements.consent_required(link.crime, rights) and not consent:
            raise ServiceError(_l("Confirm the victim gave explicit consent to the referral"), "consent")
    entitlements.close(
        ent, chosen.result, at=at, way=chosen.code, detail=service if chosen.needs_detail else None, by=by
    )
    if ent.rule == "contact_update" and chosen.result == "met":
        link = db.session.get_one(CrimeVictim, ent.crime_victim_id)
        entitlements.next_update(
            link, entitlements.current_plans([link.id]).get(link.id), at, ent.enhanced, by
        )
    audit.record(
        "entitlement.recorded", "crime", ent.crime_id, detail=f"{ent.rule} {ent.id} {chosen.code}", actor=by
    )


@transactional
def mark_not_applicable(ent: Entitlement, reason: str, by: StaffMember) -> None:
    """Record that an open entitlement does not apply, with the reason, and commit. It
    then leaves the compliance rate; the reason stays on record for supervisors."""
    if ent.state != "open":
        raise ServiceError(_l("This has already been recorded"))
    reason = _reason_text(reason, _l("Enter why this does not apply"))
    entitlements.close(ent, "not_applicable", reason=reason, by=by)
    audit.record("entitlement.not_applicable", "crime", ent.crime_id, detail=f"{ent.rule} {ent.id}", actor=by)


def victim_words(text: str | None, field: str) -> str | None:
    """What a victim wrote in a short optional box on the portal, or None: at most
    MAX_VICTIM_DETAIL characters, kept as one line (CleanLine) beside the entitlement."""
    text = " ".join((text or "").split())
    if len(text) > MAX_VICTIM_DETAIL:
        raise ServiceError(_l("Enter %(max)d characters or fewer", max=MAX_VICTIM_DETAIL), field)
    return text or None


def _from_victim(by: StaffMember | Victim) -> bool:
    return isinstance(by, Victim)


def _staff(by: StaffMember | Victim) -> StaffMember | None:
    """Who to name in the entitlement's history: staff, or no one when the victim asked."""
    return by if isinstance(by, StaffMember) else None


@transactional
def record_complaint(
    link: CrimeVictim, received_at: datetime, summary: str | None, by: StaffMember | Victim
) -> Entitlement:
    """A complaint from the victim, recorded by staff or made by the victim online: it is
    to be acknowledged or answered within 10 working days. Staff say what it is about;
    online, what went wrong is the victim's to give or not. Commits."""
    if _from_victim(by):
        detail = victim_words(summary, "summary")
    else:
        detail = _reason_text(summary, _l("Enter what the complaint is about"))[:200]
    _check_when(received_at, link.crime.reported_at)
    rights = entitlements.current_rights([link.id])[link.id]
    ent = entitlements.open_entitlement(
        link, "complaint", received_at, bool(rights), detail=detail, by=_staff(by)
    )
    audit.record("entitlement.complaint", "crime", link.crime_id, detail=f"complaint {ent.id}", actor=by)
    return ent


@transactional
def record_review_request(
    link: CrimeVictim, requested_at: datetime, by: StaffMember | Victim, reason: str | None = None
) -> list[Entitlement]:
    """A request under the Victims' Right to Review, recorded by staff or made by the
    victim online (with their reason, if they give one): acknowledged within 10 working
    days, decided within 30. Refused when the right does not apply to the decision, when
    it was asked for after the 3-month window, or while an earlier request of this
    victim is still to be decided. Commits."""
    crime = link.crime
    # The right applies only to an outcome, which is always stored with when it was made.
    if crime.outcome_at is None or not entitlements.review_applies(crime):
        raise ServiceError(
            _l(
                "The right to review applies only to a police decision not to charge a suspect who was interviewed under caution"
            )
        )
    _check_when(requested_at, crime.outcome_at)
    last_day = entitlements.review_request_by(crime)
    if last_day is not None and calendar.local_date(requested_at) > last_day:
        raise ServiceError(
            _l(
                "A review had to be asked for by %(day)s, 3 months after the decision",
                day=format_date(last_day, "d MMMM yyyy"),
            )
        )
    waiting = db.session.scalar(
        select(Entitlement.id).where(
            Entitlement.crime_victim_id == link.id,
            Entitlement.rule == "vrr_decide",
            Entitlement.state == "open",
        )
    )
    if waiting is not None:
        raise ServiceError(_l("A review has already been asked for and is not decided yet"))
    detail = victim_words(reason, "reason") if _from_victim(by) else None
    rights = entitlements.current_rights([link.id])[link.id]
    opened = [
        entitlements.open_entitlement(link, rule, requested_at, bool(rights), detail=detail, by=_staff(by))
        for rule in ("vrr_acknowledge", "vrr_decide")
    ]
    audit.record("entitlement.review_request", "crime", crime.id, detail=f"review {opened[0].id}", actor=by)
    return opened


@dataclass(frozen=True)
class Intermediary:
    """Who the victim may be contacted through, as the officer names them on the plan."""

    name: str
    role: str
    contact: str | None = None


# Left as it is on the current plan (the records system sends neither).
KEEP: Any = object()


def _intermediary(named: Intermediary | None) -> Intermediary | None:
    if named is None:
        return None
    name = " ".join((named.name or "").split())
    contact = " ".join((named.contact or "").split()) or None
    if not name:
        raise ServiceError(_l("Enter the intermediary’s name"), "intermediary_name")
    if len(name) > MAX_INTERMEDIARY:
        raise ServiceError(
            _l("The name must be %(max)d characters or fewer", max=MAX_INTERMEDIARY), "intermediary_name"
        )
    if named.role not in INTERMEDIARY_ROLES:
        raise ServiceError(_l("Select the intermediary’s role"), "intermediary_role")
    if contact and len(contact) > MAX_INTERMEDIARY:
        raise ServiceError(
            _l("The contact details must be %(max)d characters or fewer", max=MAX_INTERMEDIARY),
            "intermediary_contact",
        )
    return Intermediary(name, named.role, contact)


def interpreter_words(text: str | None) -> str | None:
    """The other language a victim reads and speaks, through an interpreter, or None."""
    text = " ".join((text or "").split())
    if len(text) > MAX_LANGUAGE:
        raise ServiceError(
            _l("The language must be %(max)d characters or fewer", max=MAX_LANGUAGE), "interpreter_language"
        )
    return text or None


def intermediary_of(plan: ContactPlan | None) -> Intermediary | None:
    if plan is None or not plan.intermediary_name or not plan.intermediary_role:
        return None
    return Intermediary(plan.intermediary_name, plan.intermediary_role, plan.intermediary_contact)


@transactional
def change_contact_plan(
    link: CrimeVictim,
    *,
    frequency_days: int,
    channel: str,
    language: str,
    safe_to_contact: bool,
    opted_out: bool,
    note: str | None,
    by: Actor,
    interpreter_language: Any = KEEP,
    intermediary: Any = KEEP,
) -> ContactPlan:
    """Agree a new contact plan with the victim, keep the old one as history, and commit.
    The next update is due by the new frequency from the last one; opting out ends the
    regular updates and opting back in starts them again from now. The interpreter's
    language and the intermediary stay as they are unless given (None removes them);
    contact through an intermediary needs one named."""
    if not isinstance(frequency_days, int) or not 1 <= frequency_days <= 365:
        raise ServiceError(_l("Enter how often, in days, from 1 to 365"), "frequency_days")
    note = (note or "").strip() or None
    if note and len(note) > MAX_REASON:
        raise ServiceError(_l("The note must be %(max)d characters or fewer", max=MAX_REASON), "note")
    current = entitlements.current_plans([link.id]).get(link.id)
    if interpreter_language is KEEP:
        interpreter_language = current.interpreter_language if current is not None else None
    if intermediary is KEEP:
        intermediary = intermediary_of(current)
    plan = ContactPlan(
        crime_victim_id=link.id,
        frequency_days=frequency_days,
        channel=channel,
        language=language,
        interpreter_language=interpreter_words(interpreter_language),
        safe_to_contact=safe_to_contact,
        opted_out=opted_out,
        note=note,
        changed_by_id=actors.staff_id(by),
        api_client_id=actors.api_client_id(by),
    )
    _name_intermediary(plan, _intermediary(intermediary))
    return write_plan(link, plan, by)


def _name_intermediary(plan: ContactPlan, named: Intermediary | None) -> None:
    plan.intermediary_name = named.name if named else None
    plan.intermediary_role = named.role if named else None
    plan.intermediary_contact = named.contact if named else None


def write_plan(link: CrimeVictim, plan: ContactPlan, by: Actor | Victim) -> ContactPlan:
    """Check a new contact plan's channel and language, add it as the plan and move the
    regular updates to it, in the caller's unit of work. Whoever changed it (staff, a
    records system, the victim) is on the row and in the audit trail."""
    if plan.channel not in PLAN_CHANNEL_LABELS:
        raise ServiceError(_l("Select how the victim wants to be contacted"), "channel")
    if plan.channel == INTERMEDIARY and not plan.intermediary_name:
        raise ServiceError(_l("Name the intermediary before choosing contact through them"), "channel")
    if plan.language not in LANGUAGE_NAMES:
        raise ServiceError(_l("Select the language"), "language")
    db.session.add(plan)
    db.session.flush()
    opened = list(
        db.session.scalars(
            select(Entitlement).where(
                Entitlement.crime_victim_id == link.id,
                Entitlement.rule == "contact_update",
                Entitlement.state == "open",
            )
        )
    )
    staff = by if not isinstance(by, Victim) else None
    for ent in opened:
        if plan.opted_out:
            entitlements.close(ent, "not_applicable", reason="opted_out", by=staff)
        else:
            entitlements.set_due(
                ent,
                entitlements.due_at(
                    "contact_update", ent.triggered_at, ent.enhanced, plan.frequency_days, ent.code_version
                ),
                ent.enhanced,
                staff,
            )
    if not plan.opted_out and not opened:
        rights = entitlements.current_rights([link.id])[link.id]
        entitlements.next_update(link, plan, utcnow(), bool(rights), staff)
    audit.record("contact_plan.change", "crime", link.crime_id, detail=f"victim {link.id}", actor=by)
    return plan


@transactional
def assess_enhanced_rights(link: CrimeVictim, chosen: dict[str, str], note: str | None, by: Actor) -> None:
    """Record an officer's assessment of the victim's enhanced rights and commit.

    `chosen` maps each category that applies to its reason (victims-code.md section 3);
    a category left out no longer applies. Each change is a new row naming who assessed
    it and when. Open entitlements then take the standard or enhanced timescale."""
    for category, given in chosen.items():
        if given not in ENHANCED_REASONS.get(category, {}):
            raise ServiceError(_l("Select a reason for each category that applies"), category)
    note = (note or "").strip() or None
    if note and len(note) > MAX_REASON:
        raise ServiceError(_l("The note must be %(max)d characters or fewer", max=MAX_REASON), "note")
    current = {right.category: right for right in entitlements.current_rights([link.id])[link.id]}
    now = utcnow()
    changed = False
    for category in ENHANCED_REASONS:
        before = current.get(category)
        reason = chosen.get(category)
        if reason is not None and (before is None or before.reason != reason):
            db.session.add(
                EnhancedRight(
                    crime_victim_id=link.id,
                    category=category,
                    reason=reason,
                    applies=True,
                    note=note,
                    assessed_by_id=actors.staff_id(by),
                    api_client_id=actors.api_client_id(by),
                    assessed_at=now,
                )
            )
            changed = True
        elif reason is None and before is not None:
            db.session.add(
                EnhancedRight(
                    crime_victim_id=link.id,
                    category=category,
                    reason=before.reason,
                    applies=False,
                    note=note,
                    assessed_by_id=actors.staff_id(by),
                    api_client_id=actors.api_client_id(by),
                    assessed_at=now,
                )
            )
            changed = True
    db.session.flush()
    if changed:
        entitlements.recompute_for(link, bool(chosen), by)
    audit.record(
        "enhanced_rights.assess",
        "crime",
        link.crime_id,
        detail=f"victim {link.id}: {','.join(sorted(chosen)) or 'none'}",
        actor=by,
    )


def authorisers_text(band: str, reason: str) -> str:
    """Who may authorise cancelling for `reason` a crime of gravity `band`, in words: "a
    designated decision maker or the force crime registrar"."""
    roles = cancellation_authority.authorisers(current_app.config["CANCELLATION_AUTHORISERS"], band, reason)
    return str(_l(" or ")).join(str(ROLE_ARTICLES.get(role, ROLE_LABELS[role])) for role in roles)


@transactional
def cancel_crime(
    crime: Crime,
    reason: str,
    evidence: str,
    by: StaffMember,
    *,
    at: datetime | None = None,
    source_ref: str | None = None,
    api_client: ApiClient | None = None,
) -> InvestigationUpdate:
    """Cancel a crime record (C1 to C4), authorised by a Designated Decision Maker or the
    Force Crime Registrar as the force's matrix allows for the offence's gravity and the
    reason (shared.domain.cancellation_authority), and commit; the gravity and the rule
    are kept with it. Raises NotPermitted when `by` may not authorise it. Open entitlements no longer apply; each victim is
    owed being told, and their page explains the reason in plain words. A cancellation
    a records system pushes (`api_client`) keeps when it was decided (`at`) and the
    records system's id for it (`source_ref`)."""
    if not set(CANCEL_ROLES) & by.roles:
        raise NotPermitted(
            _l("Only a Designated Decision Maker or the Force Crime Registrar can cancel a crime")
        )
    if crime.cancelled_at is not None:
        raise ServiceError(_l("This crime record has already been cancelled"))
    if reason not in CANCELLATION_REASONS:
        raise ServiceError(_l("Select the reason for cancelling"), "reason")
    band = reference_data.gravity_of(crime.offence)
    matrix = current_app.config["CANCELLATION_AUTHORISERS"]
    role = cancellation_authority.authorising_role(matrix, band, reason, by.roles)
    if role is None:
        raise NotPermitted(
            _l(
                "Only %(roles)s can authorise cancelling a crime record for reason %(reason)s "
                "when the offence is in the %(band)s band",
                roles=authorisers_text(band, reason),
                reason=reason,
                band=reference_data.GRAVITY_BANDS[band],
            ),
            "reason",
        )
    evidence = _reason_text(evidence, _l("Enter the information that justifies the cancellation"), "evidence")
    now = utcnow()
    if at is not None:
        _check_when(at, crime.reported_at, "occurred_at")
    decided = at or now
    crime.cancellation_reason = reason
    crime.cancellation_note = evidence
    crime.cancelled_at = decided
    crime.cancelled_by_id = by.id
    crime.cancelled_by_role = role
    crime.cancellation_gravity = band
    crime.cancellation_rule = cancellation_authority.rule(
        band, reason, cancellation_authority.authorisers(matrix, band, reason)
    )
    crime.stage = "cancelled"
    # The victim reads the reason in plain words (shared.domain.victims_code_rules.CANCELLATION_REASONS).
    update = InvestigationUpdate(
        crime_id=crime.id,
        kind="cancelled",
        visible_to_victim=True,
        new_stage="cancelled",
        occurred_at=decided,
        author_id=by.id,
        api_client_id=actors.api_client_id(api_client),
        source_ref=source_ref,
        created_at=now,
    )
    db.session.add(update)
    db.session.flush()
    entitlements.on_cancelled(crime, update, by)
    outbox.notify_victims(crime)
    audit.record("crime.cancel", "crime", crime.id, detail=reason, actor=by)
    if api_client is not None:
        audit.record(
            "api.crime_cancel",
            "crime",
            crime.id,
            detail=f"{reason} authorised by staff {by.id}",
            actor=api_client,
        )
    return update
