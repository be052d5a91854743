"""Notifications that were withheld or finally failed, as the officer sees them on the
crime page, and marking one dealt with once the victim was reached another way."""

from collections.abc import Collection

from sqlalchemy import CompoundSelect, or_, select

from shared.extensions import db
from shared.models import Crime, CrimeVictim, Guardian, OutboxMessage, StaffMember, Victim
from shared.models.types import utcnow
from shared.services import audit
from shared.services.pager import Latest, fetch_latest
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

# Why a message was not sent, as the officer reads it.
REASONS = {
    # Withheld on purpose.
    "not_safe": _l("They are marked not safe to contact"),
    "opted_out": _l("They asked not to receive updates"),
    "channel": _l("They asked to be contacted by phone or letter"),
    "no_account": _l("They do not use the online service"),
    "disabled": _l("Their staff account is disabled"),
    "not_contacted": _l("Someone else is the one contacted about this child’s case"),
    # Failed.
    "no_address": _l("There is no email address or mobile number to send it to"),
    "no_channel": _l("This service is not set up to send text messages"),
    "address_refused": _l("The email address or mobile number was refused"),
    "refused": _l("The message provider refused it"),
    "gave_up": _l("It could not be sent after several tries"),
    # Sent, then not delivered (GOV.UK Notify's receipt).
    "undeliverable": _l("It could not be delivered: the email address or mobile number does not work"),
    "not_delivered": _l(
        "It could not be delivered: the inbox was full or the phone was off for several days"
    ),
    "provider_failed": _l("It could not be delivered because of a problem at the message provider"),
    "unreadable": _l("It could not be read: the service’s secret key has changed since it was written"),
}
WITHHELD = frozenset({"not_safe", "opted_out", "channel", "no_account", "disabled", "not_contacted"})


def failed_for_crime(crime: Crime, victim_ids: Collection[int]) -> list[OutboxMessage]:
    """Messages to the crime's victims that finally failed and nobody has dealt with:
    those about this crime, and account messages (an invitation, say). One query."""
    if not victim_ids:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "failed",
                OutboxMessage.dealt_with_at.is_(None),
                OutboxMessage.victim_id.in_(victim_ids),
                or_(OutboxMessage.crime_id == crime.id, OutboxMessage.crime_id.is_(None)),
            )
            .order_by(OutboxMessage.finished_at.desc())
        )
    )


def latest_failed_on_crime(crime: Crime, limit: int) -> Latest:
    """What failed_for_crime gives for every victim of the crime, newest first, at most
    `limit`, each as a row of (message, its victim), and whether older ones are left out.
    One query, whatever the number of victims."""
    return fetch_latest(
        select(OutboxMessage, Victim)
        .join(Victim, Victim.id == OutboxMessage.victim_id)
        .where(
            OutboxMessage.status == "failed",
            OutboxMessage.dealt_with_at.is_(None),
            OutboxMessage.victim_id.in_(_people_of(crime)),
            or_(OutboxMessage.crime_id == crime.id, OutboxMessage.crime_id.is_(None)),
        )
        .order_by(OutboxMessage.finished_at.desc(), OutboxMessage.id.desc()),
        limit,
        rows=True,
    )


def failed_message(crime: Crime, message_id: int) -> OutboxMessage | None:
    """A failed, not yet dealt with message to one of the crime's victims, or None."""
    return next((m for m in failed_for_crime(crime, _victim_ids(crime)) if m.id == message_id), None)


def _people_of(crime: Crime) -> CompoundSelect:
    """The crime's victims, and the parents or guardians holding the accounts that follow
    its child victims' cases: who its messages go to."""
    guardians = (
        select(Guardian.account_id)
        .join(CrimeVictim, CrimeVictim.id == Guardian.crime_victim_id)
        .where(CrimeVictim.crime_id == crime.id, Guardian.account_id.is_not(None))
    )
    return select(CrimeVictim.victim_id).where(CrimeVictim.crime_id == crime.id).union(guardians)


def _victim_ids(crime: Crime) -> list[int]:
    return list(db.session.scalars(_people_of(crime)))


@transactional
def mark_dealt_with(message: OutboxMessage, by: StaffMember) -> None:
    """The officer has reached the victim another way (or decided nothing more is
    needed): the failed message leaves the crime page. Commits."""
    message.dealt_with_at = utcnow()
    message.dealt_with_by_id = by.id
    audit.record("message.failure_dealt_with", "outbox_message", message.id, actor=by)
