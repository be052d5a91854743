"""The Victims' Code engine: opens what is owed to each victim, works out when it is due,
and closes it when it is met, declined or no longer applies.

The rules are data in `shared.domain.victims_code_rules`. These functions add to the session and
flush, and never commit: they run inside the service call (recording a crime, posting an
update, adding a victim...) whose transaction stores the change and its audit event.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import ColumnElement, case, func, literal, select

from shared.domain import code_versions as versions
from shared.domain.code_versions import BASE, timescale_of
from shared.domain.victims_code_rules import (
    CONSENT_OFFENCE_GROUPS,
    CONSENT_OFFENCES,
    CONSENT_REASONS,
    DERIVED_REASONS,
    INTIMIDATED_OFFENCE_GROUPS,
    INTIMIDATED_OFFENCES,
    MOST_SERIOUS_OFFENCES,
    PORTAL_WAY,
    VCS_RULE,
    VRR_INTERVIEW_EVENTS,
    VRR_OUTCOMES,
    VRR_REQUEST_MONTHS,
    outcome_event,
    timescale_key,
    victim_contact_scheme_applies,
)
from shared.extensions import db
from shared.models import (
    ContactPlan,
    Crime,
    CrimeVictim,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    InvestigationUpdate,
)
from shared.models.types import utcnow
from shared.services import actors, calendar, code_versions
from shared.services.actors import Actor

# ---------------------------------------------------------------------------- status


def status_expression(now: datetime) -> ColumnElement[str]:
    """The SQL for an entitlement's status at `now`: pending, met_on_time, met_late,
    overdue, declined or not_applicable. The one definition the pages, the queues and
    the reports all use."""
    return case(
        (
            Entitlement.state == "met",
            case(
                (Entitlement.due_at.is_(None) | (Entitlement.met_at <= Entitlement.due_at), "met_on_time"),
                else_="met_late",
            ),
        ),
        (Entitlement.state.in_(("declined", "not_applicable")), Entitlement.state),
        (
            Entitlement.due_at.is_not(None) & (Entitlement.due_at < literal(now, Entitlement.due_at.type)),
            "overdue",
        ),
        else_="pending",
    )


# ------------------------------------------------------------------------- deadlines


def timescale(rule_code: str, enhanced: bool, version: str = BASE) -> int | None:
    """The force's timescale in days for this rule of the Code of `version`, or None
    when it has none (shared.domain.code_versions.timescales)."""
    return timescale_of(current_app.config["VICTIMS_CODE_DAYS"], version, rule_code, enhanced)


def _days(rule_code: str, enhanced: bool, version: str) -> int:
    """The timescale of a rule counted in days: every rule on a working-day or
    calendar-day clock has one."""
    days = timescale(rule_code, enhanced, version)
    if days is None:
        raise TypeError(f"{version}:{timescale_key(rule_code, enhanced)} has no timescale")
    return days


def due_at(
    rule_code: str,
    trigger: datetime,
    enhanced: bool,
    frequency_days: int | None = None,
    version: str = BASE,
) -> datetime | None:
    """When an entitlement of the Code of `version` started at `trigger` is due; None
    while it has no deadline (the VPS offer, until someone is charged)."""
    rule = versions.rule(version, rule_code)
    if rule.clock == "working":
        return calendar.working_day_deadline(trigger, _days(rule_code, enhanced, version))
    if rule.clock == "calendar":
        return calendar.calendar_day_deadline(trigger, frequency_days or _days(rule_code, enhanced, version))
    return None


def owes(version: str, rule_code: str) -> bool:
    """Whether the Code of `version` has this rule at all (a later Code may drop one)."""
    return rule_code in versions.get(version).rules


def timescale_for(crime: Crime, rule_code: str, enhanced: bool = False) -> int | None:
    """The timescale the crime's victims are told of for this rule: that of the Code
    they are owed (code_versions.version_for), or None when it has no such rule."""
    version = code_versions.version_for(crime)
    return timescale(rule_code, enhanced, version) if owes(version, rule_code) else None


# ------------------------------------------------------------- enhanced rights, plans


def current_rights(link_ids: Iterable[int]) -> dict[int, list[EnhancedRight]]:
    """The enhanced-rights categories that apply now, per victim of a crime. One query."""
    link_ids = list(link_ids)
    out: dict[int, list[EnhancedRight]] = {link_id: [] for link_id in link_ids}
    if not link_ids:
        return out
    newest = (
        select(func.max(EnhancedRight.id))
        .where(EnhancedRight.crime_victim_id.in_(link_ids))
        .group_by(EnhancedRight.crime_victim_id, EnhancedRight.category)
    )
    rows = db.session.scalars(
        select(EnhancedRight)
        .where(EnhancedRight.id.in_(newest), EnhancedRight.applies.is_(True))
        .order_by(EnhancedRight.category)
    )
    for row in rows:
        out[row.crime_victim_id].append(row)
    return out


def current_plans(link_ids: Iterable[int]) -> dict[int, ContactPlan]:
    """The contact plan of each victim of a crime. One query."""
    link_ids = list(link_ids)
    if not link_ids:
        return {}
    newest = (
        select(func.max(ContactPlan.id))
        .where(ContactPlan.crime_victim_id.in_(link_ids))
        .group_by(ContactPlan.crime_victim_id)
    )
    return {
        plan.crime_victim_id: plan
        for plan in db.session.scalars(select(ContactPlan).where(ContactPlan.id.in_(newest)))
    }


def derived_rights(crime: Crime, link: CrimeVictim) -> list[tuple[str, str]]:
    """The (category, reason) pairs that apply automatically: under 18 when the crime was
    reported, and the offence."""
    return rights_derived(crime.offence, crime.offence_group, crime.reported_at, link.victim.date_of_birth)


def rights_derived(
    offence: str, offence_group: str, reported_at: datetime, date_of_birth: date | None
) -> list[tuple[str, str]]:
    """`derived_rights` from the facts it rests on, without the database."""
    out: list[tuple[str, str]] = []
    if offence in MOST_SERIOUS_OFFENCES:
        out.append(("most_serious", "offence"))
    if date_of_birth is not None and _age_on(date_of_birth, calendar.local_date(reported_at)) < 18:
        out.append(("vulnerable", "under_18"))
    if offence_group in INTIMIDATED_OFFENCE_GROUPS or offence in INTIMIDATED_OFFENCES:
        out.append(("intimidated", "offence"))
    return out


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def consent_required(crime: Crime, rights: list[EnhancedRight]) -> bool:
    """Referral needs the victim's explicit consent: sexual offences, domestic abuse and
    bereaved families."""
    return (
        crime.offence_group in CONSENT_OFFENCE_GROUPS
        or crime.offence in CONSENT_OFFENCES
        or any((r.category, r.reason) in CONSENT_REASONS for r in rights)
    )


def review_applies(crime: Crime) -> bool:
    """The Victims' Right to Review applies: a police decision not to charge a suspect
    who was identified and interviewed under caution."""
    if crime.outcome not in VRR_OUTCOMES:
        return False
    interviewed = db.session.scalar(
        select(func.count(Entitlement.id)).where(
            Entitlement.crime_id == crime.id, Entitlement.event_kind.in_(VRR_INTERVIEW_EVENTS)
        )
    ) or db.session.scalar(
        select(func.count(InvestigationUpdate.id)).where(
            InvestigationUpdate.crime_id == crime.id, InvestigationUpdate.kind.in_(VRR_INTERVIEW_EVENTS)
        )
    )
    return bool(interviewed)


def review_request_by(crime: Crime) -> date | None:
    """The last day the victim may ask for a review of the decision, where the Right to
    Review applies: 3 months after they were told of it (the outcome)."""
    if crime.outcome_at is None or not review_applies(crime):
        return None
    return calendar.add_months(calendar.local_date(crime.outcome_at), VRR_REQUEST_MONTHS)


# ----------------------------------------------------------------- opening, closing


def _history(ent: Entitlement, action: str, by: Actor | None = None) -> None:
    db.session.add(
        EntitlementEvent(
            entitlement_id=ent.id,
            action=action,
            state=ent.state,
            due_at=ent.due_at,
            met_at=ent.met_at,
            way=ent.way,
            detail=ent.detail,
            reason=ent.reason,
            by_id=actors.staff_id(by),
        )
    )


def open_entitlement(
    link: CrimeVictim,
    rule_code: str,
    trigger: datetime,
    enhanced: bool,
    *,
    event_kind: str | None = None,
    update: InvestigationUpdate | None = None,
    due: datetime | None = None,
    frequency_days: int | None = None,
    detail: str | None = None,
    by: Actor | None = None,
    version: str | None = None,
) -> Entitlement:
    """Add an open entitlement for this victim of a crime, due by the rules (or `due`)
    of the Code the crime's victims are owed (or `version`), which it keeps for good.
    Raises ValueError for a rule that Code does not have."""
    version = version or code_versions.version_for(link.crime)
    if not owes(version, rule_code):
        raise ValueError(f"the Victims' Code {version} has no rule {rule_code!r}")
    ent = Entitlement(
        crime_id=link.crime_id,
        crime_victim_id=link.id,
        rule=rule_code,
        code_version=version,
        event_kind=event_kind,
        update_id=getattr(update, "id", None),
        triggered_at=trigger,
        due_at=due if due is not None else due_at(rule_code, trigger, enhanced, frequency_days, version),
        enhanced=enhanced,
        state="open",
        detail=detail,
    )
    db.session.add(ent)
    db.session.flush()
    _history(ent, "created", by)
    return ent


def close(
    ent: Entitlement,
    state: str,
    *,
    at: datetime | None = None,
    way: str | None = None,
    detail: str | None = None,
    reason: str | None = None,
    by: Actor | None = None,
) -> None:
    """Close an open entitlement: met, declined or not_applicable, with how and why."""
    ent.state = state
    ent.met_at = at if state == "met" else None
    ent.way = way
    if detail is not None:
        ent.detail = detail
    ent.reason = reason
    ent.closed_by_id = actors.staff_id(by)
    _history(ent, state, by)


def set_due(ent: Entitlement, due: datetime | None, enhanced: bool, by: Actor | None = None) -> None:
    moved = ent.due_at != due
    ent.due_at, ent.enhanced = due, enhanced
    if moved:
        _history(ent, "due_changed", by)


def _links(crime: Crime) -> list[CrimeVictim]:
    return list(
        db.session.scalars(
            select(CrimeVictim).where(CrimeVictim.crime_id == crime.id).order_by(CrimeVictim.id)
        )
    )


def _open_of(crime: Crime, *rules: str) -> list[Entitlement]:
    return list(
        db.session.scalars(
            select(Entitlement)
            .where(Entitlement.crime_id == crime.id, Entitlement.state == "open", Entitlement.rule.in_(rules))
            .order_by(Entitlement.id)
        )
    )


def _investigation_over(crime: Crime) -> bool:
    return crime.outcome is not None or crime.cancelled_at is not None


# --------------------------------------------------------------------------- hooks


def start_for_victim(link: CrimeVictim, by: Actor | None = None) -> None:
    """A victim was added to a crime: derive their enhanced rights, start their contact
    plan, and open what the Code owes them from the crime's recording."""
    crime = link.crime
    victim = link.victim
    start = on_adding(
        code_versions.version_for(crime),
        Recorded(
            crime.offence,
            crime.offence_group,
            crime.reported_at,
            crime.recorded_at,
            _charged_at(crime),
            _investigation_over(crime),
        ),
        victim.date_of_birth,
        link.added_at or utcnow(),
    )
    for category, reason in start.rights:
        db.session.add(EnhancedRight(crime_victim_id=link.id, category=category, reason=reason, applies=True))
    db.session.add(
        ContactPlan(
            crime_victim_id=link.id,
            frequency_days=start.frequency_days,
            channel=victim.contact_channel,
            language=victim.preferred_language,
        )
    )
    for opening in start.openings:
        ent = Entitlement(crime_id=link.crime_id, crime_victim_id=link.id, **opening.columns())
        db.session.add(ent)
        db.session.flush()
        _history(ent, "created", by)


@dataclass(frozen=True)
class Recorded:
    """What the Code owes a victim on being added to a crime rests on: the crime's
    offence, when it was reported and recorded, when it was charged (if it was) and
    whether its investigation is over."""

    offence: str
    offence_group: str
    reported_at: datetime
    recorded_at: datetime
    charged_at: datetime | None
    over: bool


@dataclass(frozen=True)
class Opening:
    """An entitlement to open: its columns but the crime and the victim."""

    rule: str
    code_version: str
    triggered_at: datetime
    due_at: datetime | None
    enhanced: bool

    def columns(self) -> dict:
        return {
            "rule": self.rule,
            "code_version": self.code_version,
            "event_kind": None,
            "update_id": None,
            "triggered_at": self.triggered_at,
            "due_at": self.due_at,
            "enhanced": self.enhanced,
            "state": "open",
            "detail": None,
        }


@dataclass(frozen=True)
class Start:
    """What adding a victim to a crime starts: the enhanced rights that apply of
    themselves, the contact plan's frequency and the entitlements to open."""

    rights: list[tuple[str, str]]
    frequency_days: int | None
    openings: list[Opening]


def on_adding(version: str, crime: Recorded, date_of_birth: date | None, added_at: datetime) -> Start:
    """What the Code of `version` starts for a victim added to `crime` at `added_at`:
    the one rule of `start_for_victim` and the bulk import's set-based writer. Reads
    nothing from the database."""
    code = versions.get(version)
    rights = rights_derived(crime.offence, crime.offence_group, crime.reported_at, date_of_birth)
    frequency = timescale("contact_update", False, version if owes(version, "contact_update") else BASE)
    enhanced = bool(rights)
    openings = []
    for rule_code in code.on_recording:
        rule = code.rules[rule_code]
        trigger = crime.reported_at if rule.trigger == "reported" else crime.recorded_at
        due = (
            calendar.end_of_local_day(calendar.local_date(crime.charged_at))
            if rule.clock == "charge" and crime.charged_at
            else due_at(rule_code, trigger, enhanced, None, version)
        )
        openings.append(Opening(rule_code, version, trigger, due, enhanced))
    if not crime.over and owes(version, "contact_update"):
        due = due_at("contact_update", added_at, enhanced, frequency, version)
        openings.append(Opening("contact_update", version, added_at, due, enhanced))
    return Start(rights, frequency, openings)


def _charged_at(crime: Crime) -> datetime | None:
    if crime.outcome == 1:
        return crime.outcome_at
    return db.session.scalar(
        select(
            func.min(func.coalesce(InvestigationUpdate.occurred_at, InvestigationUpdate.created_at))
        ).where(InvestigationUpdate.crime_id == crime.id, InvestigationUpdate.kind == "charge")
    )


def on_key_event(
    crime: Crime,
    event_kind: str,
    update: InvestigationUpdate,
    by: Actor | None = None,
    rule_code: str = "event_told",
) -> None:
    """A key event (victims-code.md section 4): each victim is owed being told of it, in
    5 working days or 1 for enhanced rights (`rule_code`: a court event is the Witness
    Care Unit's to tell, `court_told`). An update the victim can read, posted to a victim
    who uses the service, tells them there and then."""
    at = update.occurred_at or update.created_at
    links = _links(crime)
    rights = current_rights(link.id for link in links)
    version = code_versions.version_for(crime)
    for link in links if owes(version, rule_code) else ():
        ent = open_entitlement(
            link,
            rule_code,
            at,
            bool(rights[link.id]),
            event_kind=event_kind,
            update=update,
            by=by,
            version=version,
        )
        if update.visible_to_victim and link.victim.is_active:
            close(ent, "met", at=update.created_at, way=PORTAL_WAY.code)
    if event_kind == "charge":
        # The VPS offer is due by the charge at the latest.
        for ent in _open_of(crime, "vps_offer"):
            if ent.due_at is None:
                set_due(ent, calendar.end_of_local_day(calendar.local_date(at)), ent.enhanced, by)


def charged_at(crime: Crime) -> datetime | None:
    """When the crime was charged (the charge event, or outcome 1), or None."""
    return _charged_at(crime)


def on_sentence(
    crime: Crime, update: InvestigationUpdate, sentence_kind: str, months: int | None, by: Actor | None = None
) -> None:
    """A sentence: where it opens the probation service's Victim Contact Scheme (right
    11), each victim is owed a referral to it, counted from the sentence."""
    if not victim_contact_scheme_applies(crime.offence_group, sentence_kind, months):
        return
    at = update.occurred_at or update.created_at
    links = _links(crime)
    rights = current_rights(link.id for link in links)
    version = code_versions.version_for(crime)
    for link in links if owes(version, VCS_RULE) else ():
        open_entitlement(link, VCS_RULE, at, bool(rights[link.id]), update=update, by=by, version=version)


def on_visible_update(crime: Crime, update: InvestigationUpdate) -> None:
    """An update the victim can read, posted to a victim who uses the service, is the
    update their contact plan asks for: it is met, and the next one falls due. It also
    answers any update a victim asked for online (on time or late, by its due date)."""
    for ent in _open_of(crime, "update_request"):
        close(ent, "met", at=update.created_at, way=PORTAL_WAY.code)
    opened = _open_of(crime, "contact_update")
    if not opened:
        return
    links = {link.id: link for link in _links(crime)}
    plans = current_plans(links)
    for ent in opened:
        link = links[ent.crime_victim_id]
        if not link.victim.is_active:
            continue
        close(ent, "met", at=update.created_at, way=PORTAL_WAY.code)
        next_update(link, plans.get(link.id), update.created_at, ent.enhanced)


def next_update(
    link: CrimeVictim, plan: ContactPlan | None, after: datetime, enhanced: bool, by: Actor | None = None
) -> None:
    """Open the next agreed update, unless the victim opted out or the investigation is over."""
    if (plan is not None and plan.opted_out) or _investigation_over(link.crime):
        return
    version = code_versions.version_for(link.crime)
    if not owes(version, "contact_update"):
        return
    frequency = plan.frequency_days if plan is not None else timescale("contact_update", False, version)
    open_entitlement(
        link, "contact_update", after, enhanced, frequency_days=frequency, by=by, version=version
    )


def on_outcome(crime: Crime, update: InvestigationUpdate, by: Actor | None = None) -> None:
    """An outcome is a key decision to tell the victim of. It ends the regular updates,
    and without a charge no Victim Personal Statement is still to be offered. Called once
    the crime's outcome is set."""
    if crime.outcome is None:
        raise ValueError(f"crime {crime.id} has no outcome to tell its victims of")
    event_kind = outcome_event(crime.outcome)
    already = db.session.scalar(
        select(func.count(Entitlement.id)).where(
            Entitlement.crime_id == crime.id, Entitlement.event_kind == event_kind
        )
    )
    # A charge or disposal already posted as a key event is not told twice.
    if not already or event_kind == "released_nfa":
        on_key_event(crime, event_kind, update, by)
    for ent in _open_of(crime, "contact_update"):
        close(ent, "not_applicable", reason="investigation_finished", by=by)
    if crime.outcome != 1:
        for ent in _open_of(crime, "vps_offer"):
            if ent.due_at is None:
                close(ent, "not_applicable", reason="not_charged", by=by)


def on_cancelled(crime: Crime, update: InvestigationUpdate, by: Actor | None = None) -> None:
    """A cancelled crime owes its victims nothing more but being told of the cancellation."""
    for ent in list(
        db.session.scalars(
            select(Entitlement).where(Entitlement.crime_id == crime.id, Entitlement.state == "open")
        )
    ):
        close(ent, "not_applicable", reason="crime_cancelled", by=by)
    on_key_event(crime, "cancelled", update, by)


def recompute_for(link: CrimeVictim, enhanced: bool, by: Actor | None = None) -> None:
    """The victim's enhanced rights changed: open entitlements take the new timescale of
    the Code each was opened under, counted from their own trigger."""
    plans = current_plans([link.id])
    plan = plans.get(link.id)
    for ent in db.session.scalars(
        select(Entitlement).where(Entitlement.crime_victim_id == link.id, Entitlement.state == "open")
    ):
        if ent.due_at is None:
            ent.enhanced = enhanced
            continue
        if versions.rule(ent.code_version, ent.rule).clock == "charge":
            set_due(ent, ent.due_at, enhanced, by)
            continue
        frequency = plan.frequency_days if (ent.rule == "contact_update" and plan is not None) else None
        set_due(ent, due_at(ent.rule, ent.triggered_at, enhanced, frequency, ent.code_version), enhanced, by)


def rederive(link: CrimeVictim, by: Actor | None = None) -> bool:
    """The offence or the victim's date of birth changed: the categories that apply
    automatically follow, as new rows, and open entitlements take the timescale that
    now applies. True when anything changed."""
    wanted = dict(derived_rights(link.crime, link))
    current = {right.category: right for right in current_rights([link.id])[link.id]}
    changed = False
    for category, right in current.items():
        automatic = right.assessed_by_id is None and right.api_client_id is None
        if automatic and (category, right.reason) in DERIVED_REASONS and wanted.get(category) != right.reason:
            db.session.add(
                EnhancedRight(crime_victim_id=link.id, category=category, reason=right.reason, applies=False)
            )
            changed = True
    for category, reason in wanted.items():
        if category not in current:
            db.session.add(
                EnhancedRight(crime_victim_id=link.id, category=category, reason=reason, applies=True)
            )
            changed = True
    if changed:
        db.session.flush()
        recompute_for(link, bool(current_rights([link.id])[link.id]), by)
    return changed
