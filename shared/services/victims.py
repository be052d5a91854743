"""Victims as the police record them: adding them to crimes (or linking one already
known), their details, and the victims of a crime. Their accounts are `victim_accounts`;
what the portal shows them of their cases is `victim_cases`."""

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from shared.extensions import db
from shared.models import (
    Crime,
    CrimeVictim,
    Victim,
)
from shared.services import actors, audit, entitlements, pager
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l


@dataclass
class VictimDetails:
    name: str
    date_of_birth: date | None
    email: str | None
    phone: str | None
    preferred_language: str
    contact_channel: str
    interpreter_language: str | None
    communication_needs: str | None


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip()
    return email.lower() or None


def _stored(details: VictimDetails) -> dict:
    """The victim's columns as they are kept: trimmed, empty as None, email lower case."""

    def text(value: str | None) -> str | None:
        return (value or "").strip() or None

    return {
        "name": details.name.strip(),
        "date_of_birth": details.date_of_birth,
        "email": normalise_email(details.email),
        "phone": text(details.phone),
        "preferred_language": details.preferred_language,
        "contact_channel": details.contact_channel,
        "interpreter_language": text(details.interpreter_language),
        "communication_needs": text(details.communication_needs),
    }


@transactional
def add_victim(
    crime: Crime, details: VictimDetails, *, link_existing: bool, by: Actor, source_ref: str | None = None
) -> CrimeVictim:
    """Add a victim to the crime and commit. `source_ref` is a records system's id for
    this victim of this crime.

    A victim already recorded with the same email address is linked only when the officer
    asks for it and the name and date of birth match too; otherwise ServiceError.
    """
    if crime.cancelled_at is not None:
        raise ServiceError(_l("This crime record has been cancelled"))
    email = normalise_email(details.email)
    existing = None
    if email:
        existing = db.session.scalar(select(Victim).where(Victim.email == email))
    if existing is not None:
        same_person = (
            existing.name.strip().casefold() == details.name.strip().casefold()
            and existing.date_of_birth == details.date_of_birth
        )
        if not link_existing:
            raise ServiceError(
                _l(
                    "A victim with this email address is already recorded. If it is the "
                    "same person, select ‘Link to the victim already recorded with this email address’"
                ),
                "email",
            )
        if not same_person:
            raise ServiceError(
                _l(
                    "The name and date of birth do not match the victim already recorded "
                    "with this email address"
                ),
                "email",
            )
        victim = existing
        already = db.session.scalar(
            select(CrimeVictim).where(CrimeVictim.crime_id == crime.id, CrimeVictim.victim_id == victim.id)
        )
        if already is not None:
            raise ServiceError(_l("This victim is already linked to this crime"), "email")
    else:
        victim = Victim(**_stored(details))
        db.session.add(victim)
        db.session.flush()
    link = CrimeVictim(
        crime_id=crime.id,
        victim_id=victim.id,
        public_id=secrets.token_urlsafe(16),
        added_by_id=actors.staff_id(by),
        source_ref=source_ref,
    )
    db.session.add(link)
    db.session.flush()
    entitlements.start_for_victim(link, by)
    audit.record("victim.add", "crime_victim", link.id, actor=by)
    return link


def update_details(link: CrimeVictim, details: VictimDetails, by: Actor) -> list[str]:
    """Bring the victim's details up to date and return the names of those that changed
    (none: nothing is written). A new date of birth re-derives the enhanced rights that
    follow from age, in the caller's unit of work. Raises ServiceError when another victim has the
    email address."""
    victim = link.victim
    wanted = _stored(details)
    changed = sorted(name for name, value in wanted.items() if getattr(victim, name) != value)
    if "email" in changed and wanted["email"] is not None:
        if (
            db.session.scalar(
                select(Victim.id).where(Victim.email == wanted["email"], Victim.id != victim.id)
            )
            is not None
        ):
            raise ServiceError(_l("Another victim is recorded with this email address"), "email")
    for name in changed:
        setattr(victim, name, wanted[name])
    if "date_of_birth" in changed:
        db.session.flush()
        entitlements.rederive(link, by)
    if changed:
        audit.record("victim.update", "crime_victim", link.id, detail=",".join(changed), actor=by)
    return changed


def victims_of_crime(crime: Crime) -> list[CrimeVictim]:
    return list(
        db.session.scalars(
            select(CrimeVictim).where(CrimeVictim.crime_id == crime.id).order_by(CrimeVictim.id)
        )
    )


def victims_page(crime: Crime, page: int, per_page: int) -> Page:
    """A page of the crime's victims, in the order they were added (the first is most
    often the person who reported it). Two queries, whatever the number of victims."""
    stmt = select(CrimeVictim).where(CrimeVictim.crime_id == crime.id).order_by(CrimeVictim.id)
    return pager.fetch_page(stmt, page, per_page)


def get_crime_victim(crime: Crime, link_id: int) -> CrimeVictim | None:
    return db.session.scalar(
        select(CrimeVictim).where(CrimeVictim.id == link_id, CrimeVictim.crime_id == crime.id)
    )
