"""Reading the Victims' Code work: a crime's entitlements, one victim's, and the queues
of what is overdue or falling due. Each is a bounded number of queries, whatever the
number of crimes or entitlements."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from shared.extensions import db
from shared.models import (
    ContactPlan,
    Crime,
    CrimeVictim,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    StaffMember,
    Victim,
)
from shared.models.types import utcnow
from shared.services import calendar
from shared.services.crimes import in_scope
from shared.services.entitlements import status_expression

QUEUE_LIMIT = 200


@dataclass
class Row:
    """An entitlement with its status now."""

    entitlement: Entitlement
    status: str


def for_crime(crime: Crime, now: datetime | None = None) -> dict[int, list[Row]]:
    """Every entitlement of the crime's victims, per victim, oldest first. One query."""
    status = status_expression(now or utcnow())
    out: dict[int, list[Row]] = {}
    rows = db.session.execute(
        select(Entitlement, status).where(Entitlement.crime_id == crime.id).order_by(Entitlement.triggered_at, Entitlement.id)
    )
    for ent, state in rows:
        out.setdefault(ent.crime_victim_id, []).append(Row(ent, state))
    return out


def for_victim(link: CrimeVictim, now: datetime | None = None) -> list[Row]:
    """One victim's entitlements on one crime, oldest first. One query."""
    status = status_expression(now or utcnow())
    rows = db.session.execute(
        select(Entitlement, status).where(Entitlement.crime_victim_id == link.id).order_by(Entitlement.triggered_at, Entitlement.id)
    )
    return [Row(ent, state) for ent, state in rows]


def entitlement_of(crime: Crime, entitlement_id: int) -> Entitlement | None:
    """The entitlement when it belongs to this crime, else None."""
    return db.session.scalar(select(Entitlement).where(Entitlement.id == entitlement_id, Entitlement.crime_id == crime.id))


def status_of(ent: Entitlement, now: datetime | None = None) -> str:
    return db.session.scalar(select(status_expression(now or utcnow())).where(Entitlement.id == ent.id))


def plan_history(link: CrimeVictim) -> list[ContactPlan]:
    """The victim's contact plans on this crime, newest (the current one) first."""
    return list(db.session.scalars(select(ContactPlan).where(ContactPlan.crime_victim_id == link.id).order_by(ContactPlan.id.desc())))


def rights_history(link: CrimeVictim) -> list[EnhancedRight]:
    """Every enhanced-rights row of the victim on this crime, newest first."""
    return list(
        db.session.scalars(select(EnhancedRight).where(EnhancedRight.crime_victim_id == link.id).order_by(EnhancedRight.id.desc()))
    )


def history(entitlement_id: int) -> list[EntitlementEvent]:
    return list(
        db.session.scalars(select(EntitlementEvent).where(EntitlementEvent.entitlement_id == entitlement_id).order_by(EntitlementEvent.id))
    )


@dataclass
class QueueItem:
    entitlement: Entitlement
    status: str
    reference: str
    victim_name: str
    officer_name: str


@dataclass
class Queue:
    overdue: list[QueueItem] = field(default_factory=list)
    due_today: list[QueueItem] = field(default_factory=list)
    due_this_week: list[QueueItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # For a team: (officer, overdue, due today, due this week) per officer.
    officers: list[tuple[StaffMember, int, int, int]] = field(default_factory=list)


def _bands(now: datetime) -> tuple[datetime, datetime]:
    today = calendar.local_date(now)
    return calendar.end_of_local_day(today), calendar.end_of_local_day(today + timedelta(days=7))


def queue(staff: StaffMember, *, team: bool = False, now: datetime | None = None) -> Queue:
    """Open entitlements that are overdue, due by the end of today, or due in the next 7
    days: on the officer's own crimes, or on every crime of their team with `team`.
    Each list holds at most QUEUE_LIMIT items, most urgent first; `counts` has the totals.
    A fixed number of queries."""
    now = now or utcnow()
    end_today, end_week = _bands(now)
    scope = [Entitlement.state == "open", Entitlement.due_at.is_not(None), Entitlement.due_at <= end_week, in_scope(staff)]
    scope.append(Crime.team_id == staff.team_id if team else Crime.officer_in_charge_id == staff.id)
    base = (
        select(Entitlement, Crime.reference, Victim.name, StaffMember.name)
        .join(Crime, Crime.id == Entitlement.crime_id)
        .join(CrimeVictim, CrimeVictim.id == Entitlement.crime_victim_id)
        .join(Victim, Victim.id == CrimeVictim.victim_id)
        .join(StaffMember, StaffMember.id == Crime.officer_in_charge_id)
        .where(*scope)
        .order_by(Entitlement.due_at, Entitlement.id)
    )
    out = Queue()
    for name, condition, status in (
        ("overdue", Entitlement.due_at < now, "overdue"),
        ("due_today", (Entitlement.due_at >= now) & (Entitlement.due_at <= end_today), "pending"),
        ("due_this_week", Entitlement.due_at > end_today, "pending"),
    ):
        rows = db.session.execute(base.where(condition).limit(QUEUE_LIMIT))
        getattr(out, name).extend(QueueItem(ent, status, ref, victim, officer) for ent, ref, victim, officer in rows)
    counted = (
        select(
            Crime.officer_in_charge_id,
            func.sum(_flag(Entitlement.due_at < now)),
            func.sum(_flag((Entitlement.due_at >= now) & (Entitlement.due_at <= end_today))),
            func.sum(_flag(Entitlement.due_at > end_today)),
        )
        .join(Crime, Crime.id == Entitlement.crime_id)
        .where(*scope)
        .group_by(Crime.officer_in_charge_id)
    )
    per_officer = {officer_id: (int(a or 0), int(b or 0), int(c or 0)) for officer_id, a, b, c in db.session.execute(counted)}
    out.counts = {
        "overdue": sum(v[0] for v in per_officer.values()),
        "due_today": sum(v[1] for v in per_officer.values()),
        "due_this_week": sum(v[2] for v in per_officer.values()),
    }
    if team:
        members = db.session.scalars(
            select(StaffMember).where(StaffMember.team_id == staff.team_id, StaffMember.active.is_(True)).order_by(StaffMember.name)
        )
        out.officers = [(m, *per_officer.get(m.id, (0, 0, 0))) for m in members]
    return out


def _flag(condition):
    return case((condition, 1), else_=0)
