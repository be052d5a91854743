"""Demo data at court: Jane Doe's assault, charged, its first hearing adjourned because a
witness could not come, the trial listed three weeks ahead (her case page shows it); and
Siân Williams's wounding, through trial to a guilty verdict and 30 months in custody, so
that a referral to the Victim Contact Scheme is owed. Each event through the service staff
use (shared.services.court), as a Witness Care Unit's system would send it."""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete

from shared.extensions import db
from shared.models import Crime, CrimeVictim, OutboxMessage, StaffMember, Victim
from shared.services import court, crimes, updates

DAY = timedelta(days=1)


def _charged(
    reference: str,
    offence: str,
    victim: Victim,
    oic: StaffMember,
    reported: datetime,
    add_victim: Callable[[Crime, Victim, StaffMember, dict], CrimeVictim],
    clock: dict,
) -> Crime:
    crime = crimes.record_crime(
        reference=reference,
        offence=offence,
        occurred_at=reported - timedelta(hours=3),
        reported_at=reported,
        recorded_at=reported + timedelta(hours=2),
        officer_in_charge=oic,
        stage="under_investigation",
        by=oic,
    )
    add_victim(crime, victim, oic, clock)
    words = {
        "en": "The suspect has been charged. The case will now go to court.",
        "cy": "Mae’r sawl a ddrwgdybir wedi’i gyhuddo. Bydd yr achos nawr yn mynd i’r llys.",
    }[victim.preferred_language]
    updates.post_update(
        crime,
        kind="charge",
        victim_text=words,
        internal_note=None,
        visible=True,
        by=oic,
        occurred_at=reported + 4 * DAY,
    )
    crimes.record_outcome(crime, 1, None, False, oic)
    return crime


def _event(crime: Crime, oic: StaffMember, kind: str, at: datetime, **details) -> None:
    hearing = details.pop("hearing", None)
    court.record_event(
        crime,
        court.CourtEventDetails(
            kind=kind,
            occurred_at=at,
            hearing=court.hearings_of(crime)[hearing] if hearing is not None else None,
            **details,
        ),
        oic,
    )


def load(
    jane: Victim,
    sian: Victim,
    oic: StaffMember,
    now: datetime,
    add_victim: Callable[[Crime, Victim, StaffMember, dict], CrimeVictim],
    clock: dict,
) -> None:
    # Jane's assault: the next hearing is the trial, three weeks ahead, at 10:00.
    crime = first = _charged("43/19001/26", "abh", jane, oic, now - 70 * DAY, add_victim, clock)
    _event(
        crime,
        oic,
        "first_hearing_listed",
        now - 60 * DAY,
        court="Cardiff Magistrates’ Court",
        starts_at=(now - 40 * DAY).replace(hour=9, minute=30, second=0, microsecond=0),
    )
    _event(crime, oic, "hearing_adjourned", now - 40 * DAY, hearing=0, reason="witness_unavailable")
    _event(
        crime,
        oic,
        "trial_listed",
        now - 38 * DAY,
        court="Cardiff Crown Court",
        starts_at=(now + 21 * DAY).replace(hour=10, minute=0, second=0, microsecond=0),
    )

    # Siân's wounding: guilty, and 30 months in custody ten days ago.
    crime = _charged("43/19002/26", "gbh_with_intent", sian, oic, now - 200 * DAY, add_victim, clock)
    _event(
        crime,
        oic,
        "first_hearing_listed",
        now - 190 * DAY,
        court="Swansea Magistrates’ Court",
        starts_at=(now - 180 * DAY).replace(hour=10, minute=0, second=0, microsecond=0),
    )
    trial_day = (now - 60 * DAY).replace(hour=10, minute=0, second=0, microsecond=0)
    _event(crime, oic, "trial_listed", now - 179 * DAY, court="Swansea Crown Court", starts_at=trial_day)
    _event(crime, oic, "trial_started", trial_day, hearing=1)
    _event(crime, oic, "verdict", trial_day + 3 * DAY, hearing=1, verdict="guilty")
    sentencing_day = (now - 10 * DAY).replace(hour=14, minute=0, second=0, microsecond=0)
    _event(
        crime,
        oic,
        "sentencing_listed",
        trial_day + 3 * DAY + timedelta(hours=2),
        court="Swansea Crown Court",
        starts_at=sentencing_day,
    )
    _event(
        crime,
        oic,
        "sentence",
        sentencing_day + timedelta(hours=1),
        sentence_kind="custody",
        sentence_months=30,
    )
    # The demo's victims are not sent news of what was loaded: the outbox starts empty.
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.crime_id.in_((first.id, crime.id)), OutboxMessage.status == "pending"
        )
    )
