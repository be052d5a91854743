"""Reading the Victims' Code work: the entitlements of a page of victims, one victim's,
their histories, and the queues of what is overdue or falling due. Each is a bounded number of queries, whatever the
number of crimes or entitlements."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Result, case, func, select

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
from shared.services.pager import Latest, fetch_latest

QUEUE_LIMIT = 200


@dataclass
class Row:
    """An entitlement with its status now."""

    entitlement: Entitlement
    status: str


@dataclass
class Shown:
    """One victim's entitlements as a page shows them, oldest first, and how many of each
    right's older ones are left out."""

    rows: list[Row] = field(default_factory=list)
    hidden: dict[str, int] = field(default_factory=dict)

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden.values())


def shown_for_victims(
    link_ids: Iterable[int], per_right: int, now: datetime | None = None
) -> dict[int, Shown]:
    """Each victim's entitlements as the pages show them: of every right, at most
    `per_right` (those still open first, then the most recent), so that a long case whose
    regular updates and key events add up stays one screen. One query, whatever the
    number of victims or entitlements."""
    link_ids = list(link_ids)
    out = {link_id: Shown() for link_id in link_ids}
    if not link_ids:
        return out
    right = (Entitlement.crime_victim_id, Entitlement.rule)
    ranked = (
        select(
            Entitlement.id.label("id"),
            func.row_number()
            .over(
                partition_by=right,
                order_by=(
                    case((Entitlement.state == "open", 0), else_=1),
                    Entitlement.triggered_at.desc(),
                    Entitlement.id.desc(),
                ),
            )
            .label("rank"),
            func.count().over(partition_by=right).label("of_right"),
        )
        .where(Entitlement.crime_victim_id.in_(link_ids))
        .subquery()
    )
    # A subquery's columns are untyped to the checker: the row is named here.
    rows: Result[Entitlement, str, int] = db.session.execute(
        select(Entitlement, status_expression(now or utcnow()), ranked.c.of_right)
        .join(ranked, ranked.c.id == Entitlement.id)
        .where(ranked.c.rank <= per_right)
        .order_by(Entitlement.triggered_at, Entitlement.id)
    )
    for ent, state, of_right in rows:
        shown = out[ent.crime_victim_id]
        shown.rows.append(Row(ent, state))
        if of_right > per_right:
            shown.hidden[ent.rule] = of_right - per_right
    return out


def for_victim(link: CrimeVictim, now: datetime | None = None) -> list[Row]:
    """One victim's entitlements on one crime, oldest first. One query."""
    status = status_expression(now or utcnow())
    rows = db.session.execute(
        select(Entitlement, status)
        .where(Entitlement.crime_victim_id == link.id)
        .order_by(Entitlement.triggered_at, Entitlement.id)
    )
    return [Row(ent, state) for ent, state in rows]


def entitlement_of(crime: Crime, entitlement_id: int) -> Entitlement | None:
    """The entitlement when it belongs to this crime, else None."""
    return db.session.scalar(
        select(Entitlement).where(Entitlement.id == entitlement_id, Entitlement.crime_id == crime.id)
    )


def status_of(ent: Entitlement, now: datetime | None = None) -> str:
    return db.session.execute(
        select(status_expression(now or utcnow())).where(Entitlement.id == ent.id)
    ).scalar_one()


def plan_history(link: CrimeVictim, limit: int) -> Latest:
    """The victim's latest contact plans on this crime, newest (the current one) first.
    One query. A plan changes when someone agrees it with the victim, so the list is
    short; `limit` caps it all the same."""
    stmt = select(ContactPlan).where(ContactPlan.crime_victim_id == link.id).order_by(ContactPlan.id.desc())
    return fetch_latest(stmt, limit)


def rights_history(link: CrimeVictim, limit: int) -> Latest:
    """The victim's latest enhanced-rights rows on this crime, newest first. One query."""
    stmt = (
        select(EnhancedRight)
        .where(EnhancedRight.crime_victim_id == link.id)
        .order_by(EnhancedRight.id.desc())
    )
    return fetch_latest(stmt, limit)


def history(entitlement_id: int) -> list[EntitlementEvent]:
    """Everything that happened to the entitlement, oldest first."""
    return list(
        db.session.scalars(
            select(EntitlementEvent)
            .where(EntitlementEvent.entitlement_id == entitlement_id)
            .order_by(EntitlementEvent.id)
        )
    )


def recent_history(entitlement_id: int, limit: int) -> Latest:
    """The latest of what happened to the entitlement, shown oldest first. One query."""
    stmt = (
        select(EntitlementEvent)
        .where(EntitlementEvent.entitlement_id == entitlement_id)
        .order_by(EntitlementEvent.id.desc())
    )
    latest = fetch_latest(stmt, limit)
    latest.items.reverse()
    return latest


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


BANDS = ("overdue", "due_today", "due_this_week")


def queue(staff: StaffMember, *, team: bool = False, now: datetime | None = None) -> Queue:
    """Open entitlements that are overdue, due by the end of today, or due in the next 7
    days: on the officer's own crimes, or on every crime of their team with `team`.
    Each list holds at most QUEUE_LIMIT items, most urgent first; `counts` has the totals.
    One query for the lists and their totals (each row numbered and counted within its
    band), and one more for a team's counts per officer; the open entitlements are
    found through a partial index, whatever the number of closed ones."""
    now = now or utcnow()
    end_today, end_week = _bands(now)
    scope = [
        Entitlement.state == "open",
        Entitlement.due_at.is_not(None),
        Entitlement.due_at <= end_week,
        in_scope(staff),
    ]
    scope.append(Crime.team_id == staff.team_id if team else Crime.officer_in_charge_id == staff.id)
    band = case(
        (Entitlement.due_at < now, 0),
        (Entitlement.due_at <= end_today, 1),
        else_=2,
    ).label("band")
    numbered = (
        select(
            Entitlement.id.label("entitlement_id"),
            Entitlement.due_at,
            Crime.reference,
            Victim.name.label("victim_name"),
            StaffMember.name.label("officer_name"),
            band,
        )
        .join(Crime, Crime.id == Entitlement.crime_id)
        .join(CrimeVictim, CrimeVictim.id == Entitlement.crime_victim_id)
        .join(Victim, Victim.id == CrimeVictim.victim_id)
        .join(StaffMember, StaffMember.id == Crime.officer_in_charge_id)
        .where(*scope)
        .subquery()
    )
    ranked = select(
        numbered,
        func.row_number()
        .over(partition_by=numbered.c.band, order_by=(numbered.c.due_at, numbered.c.entitlement_id))
        .label("position"),
        func.count().over(partition_by=numbered.c.band).label("band_total"),
    ).subquery()
    rows: Result[Entitlement, str, str, str, int, int] = db.session.execute(
        select(
            Entitlement,
            ranked.c.reference,
            ranked.c.victim_name,
            ranked.c.officer_name,
            ranked.c.band,
            ranked.c.band_total,
        )
        .join(ranked, ranked.c.entitlement_id == Entitlement.id)
        .where(ranked.c.position <= QUEUE_LIMIT)
        .order_by(ranked.c.band, Entitlement.due_at, Entitlement.id)
    )
    out = Queue()
    out.counts = dict.fromkeys(BANDS, 0)
    for ent, ref, victim, officer, index, total in rows:
        name = BANDS[index]
        getattr(out, name).append(
            QueueItem(ent, "overdue" if index == 0 else "pending", ref, victim, officer)
        )
        out.counts[name] = int(total)
    if team:
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
        per_officer = {
            officer_id: (int(a or 0), int(b or 0), int(c or 0))
            for officer_id, a, b, c in db.session.execute(counted)
        }
        members = db.session.scalars(
            select(StaffMember)
            .where(StaffMember.team_id == staff.team_id, StaffMember.active.is_(True))
            .order_by(StaffMember.name)
        )
        out.officers = [(m, *per_officer.get(m.id, (0, 0, 0))) for m in members]
    return out


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)
