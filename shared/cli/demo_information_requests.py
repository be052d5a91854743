"""The demo's information requests (shared.cli.demo): the demo victim's counsellor asked
for her notes, the notice shown on her case at once; and, for the child victim, the
school asked for attendance records, the notice going to her mother by letter."""

from datetime import datetime, timedelta

from sqlalchemy import select

from shared.extensions import db
from shared.models import Crime, CrimeVictim, OutboxMessage, StaffMember
from shared.services import information_requests
from shared.services.information_requests import RequestDetails

HANDLING = (
    "We will keep the information securely with the case file and use it only for this "
    "investigation and any prosecution. We will share it only where the law requires, for "
    "example with the Crown Prosecution Service."
)


def _when(crime: Crime, now: datetime, days_ago: int) -> datetime:
    return max(crime.occurred_at + timedelta(hours=1), now - timedelta(days=days_ago))


def add(
    made: list[tuple[Crime, list[CrimeVictim], StaffMember]],
    demo_email: str | None,
    child_name: str,
    now: datetime,
) -> None:
    """One request on the demo victim's first open crime, one on the child victim's."""
    for crime, links, oic in made:
        link = links[0]
        if link.victim.email == demo_email and crime.cancelled_at is None:
            information_requests.record_request(
                link,
                RequestDetails(
                    recipient_kind="counsellor",
                    recipient_name="Riverside Counselling",
                    information_sought="The notes of your counselling sessions since the crime.",
                    purpose="To check what you told your counsellor about what happened, as the defence may ask.",
                    handling=HANDLING,
                    requested_at=_when(crime, now, 3),
                ),
                oic,
            )
            _sent(link, now)
            break
    for crime, links, oic in made:
        child = next((link for link in links if link.victim.name == child_name), None)
        if child is not None and crime.cancelled_at is None:
            information_requests.record_request(
                child,
                RequestDetails(
                    recipient_kind="school",
                    recipient_name="Ysgol Heol Las",
                    information_sought="Your attendance and any notes of incidents at school this term.",
                    purpose="To show where you were and what happened on the days of the messages.",
                    handling=HANDLING,
                    requested_at=_when(crime, now, 1),
                    guardian_name="Dana Hughes",
                    guardian_relationship="parent",
                ),
                oic,
            )
            break


def _sent(link: CrimeVictim, now: datetime) -> None:
    """The demo starts with an empty outbox: the "new update" the request queued went by
    email, as the worker would have sent it."""
    for message in db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.victim_id == link.victim_id,
            OutboxMessage.crime_id == link.crime_id,
            OutboxMessage.status == "pending",
        )
    ):
        message.status, message.channel, message.attempts, message.finished_at = "sent", "email", 1, now
