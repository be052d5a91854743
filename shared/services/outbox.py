"""The transactional outbox: notifications are queued in the transaction of the change
that causes them, so one exists exactly when that change was committed.

`outbox_worker` sends what is queued, `outbox_routing` decides where each may go when it is
sent, `outbox_failures` shows the officer what finally failed, and `outbox_sealing` keeps
their values unreadable while they wait.
"""

from sqlalchemy import select

from shared.domain.notification_kinds import KINDS
from shared.extensions import db
from shared.models import Crime, CrimeVictim, Guardian, OutboxMessage, StaffMember, Victim
from shared.models.types import utcnow
from shared.services import guardians
from shared.services.outbox_sealing import seal


def enqueue(
    kind: str,
    *,
    victim: Victim | None = None,
    staff: StaffMember | None = None,
    crime_id: int | None = None,
    values: dict | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's unit of work, which commits it. A
    message about a case that is already waiting, unsent, to the same victim is not
    added twice: one "something new" is enough."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    if KINDS[kind].about == "case" and victim is not None:
        waiting = db.session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.kind == kind,
                OutboxMessage.victim_id == victim.id,
                OutboxMessage.crime_id == crime_id,
                OutboxMessage.status == "pending",
                OutboxMessage.attempts == 0,
                OutboxMessage.claimed_by.is_(None),
            )
            .limit(1)
        )
        if waiting is not None:
            return waiting
    if KINDS[kind].about == "case" and staff is not None:
        # The same for an officer: one alert waiting about a case is enough.
        waiting = db.session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.kind == kind,
                OutboxMessage.staff_id == staff.id,
                OutboxMessage.crime_id == crime_id,
                OutboxMessage.status == "pending",
                OutboxMessage.attempts == 0,
                OutboxMessage.claimed_by.is_(None),
            )
            .limit(1)
        )
        if waiting is not None:
            return waiting
    message = OutboxMessage(
        kind=kind,
        victim_id=victim.id if victim is not None else None,
        staff_id=staff.id if staff is not None else None,
        crime_id=crime_id,
        sealed=seal(values) if values else None,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def notify_victims(crime: Crime, kind: str = "new_update") -> None:
    """Tell every victim of the crime who uses the service that there is something new,
    in the caller's transaction. For a child victim, whoever is contacted about the case
    (shared.services.guardians): the parent or guardian holding the account, the child,
    or both."""
    for victim in db.session.scalars(
        select(Victim)
        .join(CrimeVictim, CrimeVictim.victim_id == Victim.id)
        .where(CrimeVictim.crime_id == crime.id, Victim.activated_at.is_not(None))
        .where(CrimeVictim.id.not_in(select(Guardian.crime_victim_id)))
    ):
        enqueue(kind, victim=victim, crime_id=crime.id)
    for link in db.session.scalars(
        select(CrimeVictim)
        .join(Guardian, Guardian.crime_victim_id == CrimeVictim.id)
        .where(CrimeVictim.crime_id == crime.id)
    ):
        for person in guardians.recipients(link):
            enqueue(kind, victim=person, crime_id=crime.id)
