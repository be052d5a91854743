"""The parent or guardian of a victim under 18 on a crime (victims-code.md sections 1 and
3): who they are, whether the portal account following the child's case is theirs, and
who the police contact, the parent or guardian, the child (from 12, where the force
allows it) or both.

When the victim turns 18 the rights are their own: the case leaves the parent or
guardian's account that day (`Guardian.ends_on`), messages go to the victim, and the
officer sees that the victim is now to be invited themselves."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from shared.domain.children import (
    ADULT_AGE,
    CONTACTED,
    DIRECT_CONTACT_AGE,
    GUARDIAN_ONLY,
    REACHES,
    RELATIONSHIPS,
    age_on,
    turns,
)
from shared.extensions import db
from shared.models import AccountLink, CrimeVictim, Guardian, Victim
from shared.models.types import utcnow
from shared.services import actors, audit, calendar
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.unit_of_work import transactional
from shared.services.victims import holder_of, normalise_email
from shared.translation import lazy_gettext as _l


@dataclass
class GuardianDetails:
    name: str
    relationship: str
    email: str | None
    phone: str | None
    # Whether the portal account following the child's case is theirs.
    holds_account: bool
    # shared.domain.children.CONTACTED
    contact: str = GUARDIAN_ONLY


def today() -> date:
    return calendar.local_date(utcnow())


def age_of(link: CrimeVictim, on: date | None = None) -> int | None:
    """The victim's age today (or `on`), or None without a date of birth."""
    born = link.victim.date_of_birth
    return age_on(born, on or today()) if born is not None else None


def guardian_of(link: CrimeVictim) -> Guardian | None:
    """The parent or guardian recorded for this victim on this crime, whether or not the
    victim is still a child."""
    return db.session.scalar(select(Guardian).where(Guardian.crime_victim_id == link.id))


def receiving_rights(link: CrimeVictim) -> Guardian | None:
    """The parent or guardian of this victim on this crime who receives the victim's
    rights now: None when none is recorded or the victim has turned 18. What a notice
    owed to a child victim is addressed to."""
    guardian = guardian_of(link)
    return guardian if guardian is not None and guardian.ends_on > today() else None


def direct_contact_open(link: CrimeVictim) -> bool:
    """Whether the police may choose to contact this child directly: the force allows
    it (`CHILD_DIRECT_CONTACT`) and the child is 12 or over (and under 18)."""
    age = age_of(link)
    return (
        bool(current_app.config["CHILD_DIRECT_CONTACT"])
        and age is not None
        and DIRECT_CONTACT_AGE <= age < ADULT_AGE
    )


def reached(link: CrimeVictim) -> frozenset[str]:
    """Who is contacted about this victim's case now: `victim` (the victim themself)
    and/or `guardian` (the parent or guardian receiving the rights). An adult, or a child
    with no parent or guardian recorded, is contacted themself; otherwise the recorded
    choice, which is the parent or guardian alone unless direct contact is open."""
    return reached_with(link, guardian_of(link))


def reached_with(link: CrimeVictim, guardian: Guardian | None) -> frozenset[str]:
    """`reached`, given the parent or guardian recorded for the link (or None)."""
    if guardian is None or guardian.ends_on <= today():
        return REACHES["child"]
    return REACHES[guardian.contact if direct_contact_open(link) else GUARDIAN_ONLY]


def _check(link: CrimeVictim, details: GuardianDetails) -> date:
    """The victim's date of birth, when the details may be recorded; else ServiceError."""
    born = link.victim.date_of_birth
    if born is None:
        raise ServiceError(
            _l(
                "Record the victim’s date of birth first: a parent or guardian is recorded for a victim under 18"
            )
        )
    if age_on(born, today()) >= ADULT_AGE:
        raise ServiceError(
            _l("This victim is 18 or over: the rights are their own, so no parent or guardian is recorded")
        )
    if not details.name.strip():
        raise ServiceError(_l("Enter the parent or guardian’s full name"), "name")
    if details.relationship not in RELATIONSHIPS:
        raise ServiceError(_l("Select how they are related to the victim"), "relationship")
    if details.holds_account and not normalise_email(details.email):
        raise ServiceError(
            _l(
                "Enter the parent or guardian’s email address: the account is theirs and they sign in with it"
            ),
            "email",
        )
    if details.contact not in CONTACTED:
        raise ServiceError(_l("Select who the police contact"), "contact")
    if details.contact != GUARDIAN_ONLY:
        if not current_app.config["CHILD_DIRECT_CONTACT"]:
            raise ServiceError(
                _l("This force does not contact child victims directly: the parent or guardian is contacted"),
                "contact",
            )
        if age_on(born, today()) < DIRECT_CONTACT_AGE:
            raise ServiceError(
                _l("A child under 12 is not contacted directly: choose the parent or guardian"), "contact"
            )
    return born


def _account_for(link: CrimeVictim, guardian: Guardian, email: str) -> Victim:
    """The person record the parent or guardian signs in as. The same address given for
    another child on this crime shares that one (the officer sees both already);
    otherwise a record of their own, waiting on any record elsewhere that holds the
    address, as for a victim added with a known address (shared.services.victims)."""
    sibling = db.session.scalar(
        select(Victim)
        .join(Guardian, Guardian.account_id == Victim.id)
        .join(CrimeVictim, CrimeVictim.id == Guardian.crime_victim_id)
        .where(CrimeVictim.crime_id == link.crime_id, Victim.email == email)
        .limit(1)
    )
    if sibling is not None:
        return sibling
    holder = holder_of(email)
    account = Victim(
        name=guardian.name,
        email=email,
        phone=guardian.phone,
        preferred_language=link.victim.preferred_language,
        contact_channel="email",
        same_as_id=holder.id if holder is not None else None,
    )
    db.session.add(account)
    db.session.flush()
    return account


def _end_live_invitations(account: Victim) -> None:
    now = utcnow()
    for row in db.session.scalars(
        select(AccountLink).where(
            AccountLink.victim_id == account.id,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
        )
    ):
        row.revoked_at = now


def _set_account(link: CrimeVictim, guardian: Guardian, details: GuardianDetails) -> None:
    email = normalise_email(details.email)
    current = guardian.account
    if not details.holds_account or email is None:
        if current is not None and current.activated_at is None:
            _end_live_invitations(current)
        guardian.account_id = None
        return
    if current is not None and current.email == email:
        if current.activated_at is None:
            current.name, current.phone = guardian.name, guardian.phone
        return
    if current is not None and current.activated_at is not None:
        raise ServiceError(
            _l("The parent or guardian signs in with their email address: it cannot be changed here"),
            "email",
        )
    if current is not None:
        _end_live_invitations(current)
    guardian.account_id = _account_for(link, guardian, email).id
    db.session.flush()
    db.session.expire(guardian, ["account"])


@transactional
def record(link: CrimeVictim, details: GuardianDetails, *, by: Actor) -> Guardian:
    """Record (or bring up to date) the parent or guardian of this victim under 18 on
    this crime, with who recorded them and when, and commit. Raises ServiceError, naming
    the field, for a victim without a date of birth or 18 or over, a missing name or
    relationship, no email address when the account is to be theirs, or direct contact
    the force does not allow or with a child under 12: nothing is saved."""
    born = _check(link, details)
    guardian = guardian_of(link)
    wanted = {
        "name": details.name.strip(),
        "relationship": details.relationship,
        "email": normalise_email(details.email),
        "phone": (details.phone or "").strip() or None,
        "contact": details.contact,
        "ends_on": turns(born, ADULT_AGE),
    }
    action = "guardian.update"
    if guardian is None:
        guardian = Guardian(crime_victim_id=link.id, **wanted)
        db.session.add(guardian)
        db.session.flush()
        changed = sorted(wanted)
        action = "guardian.record"
    else:
        changed = sorted(name for name, value in wanted.items() if getattr(guardian, name) != value)
        for name in changed:
            setattr(guardian, name, wanted[name])
    before = guardian.account_id
    _set_account(link, guardian, details)
    if guardian.account_id != before:
        changed.append("account")
    if changed:
        guardian.recorded_by_id = actors.staff_id(by)
        guardian.api_client_id = actors.api_client_id(by)
        guardian.recorded_at = utcnow()
        audit.record(action, "crime_victim", link.id, detail=",".join(sorted(changed)), actor=by)
    return guardian


def of_victims(links_: list[CrimeVictim]) -> dict[int, Guardian]:
    """The parent or guardian recorded for each of these victims of a crime, by link id.
    One query."""
    ids = [link.id for link in links_]
    if not ids:
        return {}
    return {
        g.crime_victim_id: g
        for g in db.session.scalars(select(Guardian).where(Guardian.crime_victim_id.in_(ids)))
    }


def followed_case(account: Victim, crime_id: int | None) -> CrimeVictim | None:
    """The child's case on this crime that `account` follows as the parent or guardian
    receiving the rights, or None (none, or the child has turned 18)."""
    return db.session.scalar(
        select(CrimeVictim)
        .join(Guardian, Guardian.crime_victim_id == CrimeVictim.id)
        .where(
            CrimeVictim.crime_id == crime_id,
            Guardian.account_id == account.id,
            Guardian.ends_on > today(),
        )
        .limit(1)
    )


def recipients(link: CrimeVictim) -> list[Victim]:
    """Who, among those reached about this victim's case (`reached`), has an account to
    be told of something new in: the victim, and the parent or guardian holding the
    account that follows a child's case."""
    whom = reached(link)
    out = []
    if "victim" in whom and link.victim.is_active:
        out.append(link.victim)
    guardian = receiving_rights(link) if "guardian" in whom else None
    if guardian is not None and guardian.account is not None and guardian.account.is_active:
        out.append(guardian.account)
    return out


def sees_online(link: CrimeVictim) -> bool:
    """Whether anyone follows this victim's case on the portal: the victim, or the
    parent or guardian whose account follows it."""
    if link.victim.is_active:
        return True
    guardian = receiving_rights(link)
    return guardian is not None and guardian.account is not None and guardian.account.is_active
