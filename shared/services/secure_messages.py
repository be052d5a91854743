"""Secure messages between a victim and the police about one of their crimes.

A thread is a victim's link to a crime. The victim writes to the officer in charge; when
the officer in charge changes, new messages go to the new one, who sees the whole
thread. Plain text, at most SECURE_MESSAGE_MAX_LENGTH characters, shown escaped.
Reading a page never changes anything: messages are marked read by replying or by
saying so.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select, update

from shared.domain.permissions import can
from shared.extensions import db
from shared.models import Crime, CrimeVictim, SecureMessage, StaffMember, Victim
from shared.models.types import utcnow
from shared.services import audit, calendar, guardians, outbox, pager
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.statements import rows_changed
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

# A victim may send at most this many messages an hour: enough for any conversation,
# not enough to flood an officer's inbox.
HOURLY_LIMIT = 20


def _checked_body(body: str | None) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ServiceError(_l("Enter your message"), "body")
    limit = current_app.config["SECURE_MESSAGE_MAX_LENGTH"]
    if len(body) > limit:
        raise ServiceError(_l("Your message must be %(max)d characters or fewer", max=limit), "body")
    return body


def _mark_read(link: CrimeVictim, sender: str, now: datetime) -> int:
    """Mark the other side's unread messages in the thread read; how many there were."""
    result = db.session.execute(
        update(SecureMessage)
        .where(
            SecureMessage.crime_victim_id == link.id,
            SecureMessage.sender == sender,
            SecureMessage.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


@transactional
def send_from_victim(link: CrimeVictim, body: str, victim: Victim) -> SecureMessage:
    """The victim writes to the officer in charge of the crime; commit. What the officer
    wrote before is then read. Raises ServiceError for an empty or too long message, or
    too many in an hour."""
    body = _checked_body(body)
    now = utcnow()
    recent = (
        db.session.scalar(
            select(func.count(SecureMessage.id)).where(
                SecureMessage.crime_victim_id == link.id,
                SecureMessage.sender == "victim",
                SecureMessage.sent_at > now - timedelta(hours=1),
            )
        )
        or 0
    )
    if recent >= HOURLY_LIMIT:
        raise ServiceError(
            _l(
                "You have sent a lot of messages in the last hour. Please wait before sending another, or call 101."
            ),
            "body",
        )
    message = SecureMessage(
        crime_victim_id=link.id,
        crime_id=link.crime_id,
        sender="victim",
        to_staff_id=link.crime.officer_in_charge_id,
        body=body,
        sent_at=now,
    )
    db.session.add(message)
    _mark_read(link, "staff", now)
    db.session.flush()
    audit.record("message.victim_sent", "crime_victim", link.id, detail=f"message {message.id}", actor=victim)
    if current_app.config["STAFF_MESSAGE_ALERTS"]:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        outbox.enqueue(
            "victim_wrote",
            staff=link.crime.officer_in_charge,
            crime_id=link.crime_id,
            values={"link": base + "/backoffice/messages"},
        )
    return message


def may_read(staff: StaffMember, crime: Crime) -> bool:
    """Whether a member of staff may read (and answer) the victims' messages on a crime:
    its officer in charge, and the supervisors of its team. Other officers of the team,
    and roles that see the whole force, see the crime but not what its victims wrote."""
    if not can(staff, "messages.read"):
        return False
    if crime.officer_in_charge_id == staff.id:
        return True
    return "supervisor" in staff.roles and crime.team_id == staff.team_id


@transactional
def send_from_staff(link: CrimeVictim, body: str, by: StaffMember) -> SecureMessage:
    """A member of staff writes to the victim (a reply, or the first message); commit.
    The victim's messages are then read, and the victim is told there is a new message
    (by the outbox, in the same transaction). Raises ServiceError when the victim does
    not use the service, or for an empty or too long message."""
    if not guardians.sees_online(link):
        raise ServiceError(_l("This victim does not use the online service: contact them another way"))
    body = _checked_body(body)
    now = utcnow()
    message = SecureMessage(
        crime_victim_id=link.id,
        crime_id=link.crime_id,
        sender="staff",
        author_id=by.id,
        body=body,
        sent_at=now,
    )
    db.session.add(message)
    _mark_read(link, "victim", now)
    db.session.flush()
    for person in guardians.recipients(link):
        outbox.enqueue("new_message", victim=person, crime_id=link.crime_id)
    audit.record("message.staff_sent", "crime_victim", link.id, detail=f"message {message.id}", actor=by)
    return message


@transactional
def mark_read_by_staff(link: CrimeVictim, by: StaffMember) -> int:
    """The officer has read the victim's messages without replying; commit."""
    count = _mark_read(link, "victim", utcnow())
    if count:
        audit.record("message.read", "crime_victim", link.id, detail=f"{count} marked read", actor=by)
    return count


@transactional
def mark_read_by_victim(link: CrimeVictim, victim: Victim) -> int:
    """The victim has read the police's messages; commit."""
    count = _mark_read(link, "staff", utcnow())
    return count


def thread(link: CrimeVictim, page: int, per_page: int) -> Page:
    """A page of the thread, newest first. Two queries, whatever its length."""
    stmt = (
        select(SecureMessage)
        .where(SecureMessage.crime_victim_id == link.id)
        .order_by(SecureMessage.sent_at.desc(), SecureMessage.id.desc())
    )
    return pager.fetch_page(stmt, page, per_page)


def unread_by_link(link_ids: Iterable[int], sender: str) -> dict[int, int]:
    """Unread messages from `sender` ('victim' for staff to read, 'staff' for the victim)
    in each of these threads. One query."""
    link_ids = list(link_ids)
    if not link_ids:
        return {}
    rows = db.session.execute(
        select(SecureMessage.crime_victim_id, func.count(SecureMessage.id))
        .where(
            SecureMessage.crime_victim_id.in_(link_ids),
            SecureMessage.sender == sender,
            SecureMessage.read_at.is_(None),
        )
        .group_by(SecureMessage.crime_victim_id)
    )
    return dict(rows.all())


def unread_for_officer(staff: StaffMember) -> int:
    """Unread messages from victims on the crimes the officer is in charge of."""
    return (
        db.session.scalar(
            select(func.count(SecureMessage.id))
            .join(Crime, Crime.id == SecureMessage.crime_id)
            .where(
                Crime.officer_in_charge_id == staff.id,
                SecureMessage.sender == "victim",
                SecureMessage.read_at.is_(None),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class InboxRow:
    link_id: int
    crime_id: int
    reference: str
    victim_name: str
    unread: int
    last_at: datetime
    last_sender: str


def inbox(staff: StaffMember, page: int, per_page: int) -> Page:
    """Threads on the crimes the officer is in charge of: those with unread messages
    first, then the most recent; past the end, the last page. Two queries."""
    last = (
        select(
            SecureMessage.crime_victim_id.label("link_id"),
            func.max(SecureMessage.id).label("last_id"),
            func.sum(
                case((and_(SecureMessage.sender == "victim", SecureMessage.read_at.is_(None)), 1), else_=0)
            ).label("unread"),
        )
        .join(Crime, Crime.id == SecureMessage.crime_id)
        .where(Crime.officer_in_charge_id == staff.id)
        .group_by(SecureMessage.crime_victim_id)
        .subquery()
    )
    unread = func.coalesce(last.c.unread, 0)
    stmt = (
        select(
            CrimeVictim.id,
            Crime.id,
            Crime.reference,
            Victim.name,
            unread,
            SecureMessage.sent_at,
            SecureMessage.sender,
        )
        .join(last, last.c.link_id == CrimeVictim.id)
        .join(SecureMessage, SecureMessage.id == last.c.last_id)
        .join(Crime, Crime.id == CrimeVictim.crime_id)
        .join(Victim, Victim.id == CrimeVictim.victim_id)
        .order_by((unread > 0).desc(), SecureMessage.sent_at.desc(), CrimeVictim.id.desc())
    )
    found = pager.fetch_page(stmt, page, per_page, rows=True)
    found.items = [
        InboxRow(row[0], row[1], row[2], row[3], int(row[4] or 0), row[5], row[6]) for row in found.items
    ]
    return found


def reply_cutoff(now: datetime, days: int) -> datetime:
    """The moment before which a victim's message has waited more than `days` working
    days: one sent earlier is past the end of the `days`th working day after the day it
    was sent."""
    day = calendar.local_date(now)
    while calendar.working_day_deadline(calendar.start_of_local_day(day - timedelta(days=1)), days) >= now:
        day -= timedelta(days=1)
    return calendar.start_of_local_day(day)


@dataclass(frozen=True)
class Unanswered:
    link_id: int
    crime_id: int
    reference: str
    victim_name: str
    officer_name: str
    waiting_since: datetime
    waiting: int


def unanswered(staff: StaffMember, now: datetime | None = None, limit: int = 200) -> pager.Latest:
    """Threads on the crimes of the supervisor's team where a victim's message has had no
    reply for more than MESSAGE_REPLY_WORKING_DAYS working days, the longest waiting
    first: at most `limit` of them as Unanswered items, and whether more are waiting. A
    fixed number of queries."""
    now = now or utcnow()
    cutoff = reply_cutoff(now, current_app.config["MESSAGE_REPLY_WORKING_DAYS"])
    last_reply = (
        select(SecureMessage.crime_victim_id.label("link_id"), func.max(SecureMessage.sent_at).label("at"))
        .where(SecureMessage.sender == "staff")
        .group_by(SecureMessage.crime_victim_id)
        .subquery()
    )
    waiting = (
        select(
            SecureMessage.crime_victim_id.label("link_id"),
            func.min(SecureMessage.sent_at).label("since"),
            func.count(SecureMessage.id).label("waiting"),
        )
        .outerjoin(last_reply, last_reply.c.link_id == SecureMessage.crime_victim_id)
        .where(
            SecureMessage.sender == "victim",
            (last_reply.c.at.is_(None)) | (SecureMessage.sent_at > last_reply.c.at),
        )
        .group_by(SecureMessage.crime_victim_id)
        .subquery()
    )
    longest = pager.fetch_latest(
        select(
            CrimeVictim.id,
            Crime.id,
            Crime.reference,
            Victim.name,
            StaffMember.name,
            waiting.c.since,
            waiting.c.waiting,
        )
        .join(waiting, waiting.c.link_id == CrimeVictim.id)
        .join(Crime, Crime.id == CrimeVictim.crime_id)
        .join(Victim, Victim.id == CrimeVictim.victim_id)
        .join(StaffMember, StaffMember.id == Crime.officer_in_charge_id)
        .where(waiting.c.since < cutoff, Crime.team_id == staff.team_id)
        .order_by(waiting.c.since, CrimeVictim.id),
        limit,
        rows=True,
    )
    longest.items = [Unanswered(*row) for row in longest.items]
    return longest
