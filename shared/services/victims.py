"""Victims as the police record them: adding them to crimes, their details, the victims
of a crime, and the one way a case joins a person already known elsewhere: she confirms
it, signed in. Their accounts are `victim_accounts`;
what the portal shows them of their cases is `victim_cases`."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NoReturn

from flask import current_app
from flask_babel.speaklater import LazyString
from limits import RateLimitItem
from limits import parse as parse_limit
from sqlalchemy import and_, func, or_, select

from shared.domain.children import ADULT_AGE, turns
from shared.extensions import db
from shared.models import (
    AccountLink,
    AuditEvent,
    Crime,
    CrimeVictim,
    Guardian,
    Victim,
)
from shared.models.types import utcnow
from shared.services import actors, audit, entitlements, pager
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.unit_of_work import on_rollback, transactional
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


def stored_details(details: VictimDetails) -> dict:
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


class NotWaiting(ServiceError):
    """The case named is not one waiting for this victim to confirm (HTTP 404)."""


class Throttled(ServiceError):
    """Too many victims added by one member of staff or records system in a while."""

    def __init__(self, message: str | LazyString, minutes: int):
        super().__init__(message)
        self.minutes = minutes


def holder_of(email: str | None) -> Victim | None:
    """The record that holds this email address: the one its owner signs in as (or will),
    never one waiting for her to confirm it is hers."""
    email = normalise_email(email)
    if email is None:
        return None
    return db.session.scalar(select(Victim).where(Victim.email == email, Victim.same_as_id.is_(None)))


def _refuse(crime: Crime, reason: str, error: ServiceError, by: Actor) -> NoReturn:
    """Raise `error`; the refusal is on the audit trail although the unit is undone."""

    def keep() -> None:
        audit.record("victim.add_refused", "crime", crime.id, detail=reason, actor=by)

    on_rollback(keep)
    raise error


def _limit_for(by: Actor) -> RateLimitItem:
    name = "API_VICTIM_ADD_LIMIT" if getattr(by, "kind", None) == "api" else "VICTIM_ADD_LIMIT"
    return parse_limit(current_app.config[name])


def _check_pace(crime: Crime, by: Actor) -> None:
    """Refuse (Throttled) when `by` has added, or tried to add, as many victims as the
    limit allows in its window. Every addition counts, whatever the email address, so the
    limit itself says nothing about who is known. Counted from the audit trail, so it
    holds across processes and restarts."""
    if getattr(by, "id", None) is None:
        return
    limit = _limit_for(by)
    window = timedelta(seconds=limit.get_expiry())
    since = utcnow() - window
    counted = or_(
        AuditEvent.action == "victim.add",
        and_(AuditEvent.action == "victim.add_refused", AuditEvent.detail != "throttled"),
    )
    count, oldest = db.session.execute(
        select(func.count(AuditEvent.id), func.min(AuditEvent.occurred_at)).where(
            AuditEvent.actor_type == by.kind,
            AuditEvent.actor_id == by.id,
            AuditEvent.occurred_at >= since,
            counted,
        )
    ).one()
    if count < limit.amount:
        return
    wait = (oldest + window - utcnow()) if oldest is not None else window
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    _refuse(
        crime,
        "throttled",
        Throttled(
            _l(
                "You have added too many victims in a short time. Try again in %(minutes)d minutes",
                minutes=minutes,
            ),
            minutes,
        ),
        by,
    )


@transactional
def add_victim(
    crime: Crime, details: VictimDetails, *, by: Actor, source_ref: str | None = None, paced: bool = True
) -> CrimeVictim:
    """Add a victim to the crime and commit. `source_ref` is a records system's id for
    this victim of this crime. `paced`: the additions of `by` are throttled (off only for
    the bulk import an operator runs).

    The answer is the same whether or not another crime's victim has the email address,
    so nobody learns who the police know from it. A victim whose address another record
    already holds gets a record of her own on this crime (`same_as_id` names the holder):
    her other crimes stay unseen here, and this crime stays out of her portal, until she,
    signed in, confirms it is hers (`confirm_case`). Raises ServiceError for a cancelled
    crime or an address already on this crime, Throttled when `by` adds too many; each
    refusal is on the audit trail.
    """
    if paced:
        _check_pace(crime, by)
    if crime.cancelled_at is not None:
        _refuse(crime, "cancelled", ServiceError(_l("This crime record has been cancelled")), by)
    stored = stored_details(details)
    email = stored["email"]
    if email is not None:
        on_this_crime = db.session.scalar(
            select(CrimeVictim.id)
            .join(Victim, Victim.id == CrimeVictim.victim_id)
            .where(CrimeVictim.crime_id == crime.id, Victim.email == email)
        )
        if on_this_crime is not None:
            _refuse(
                crime,
                "already_on_crime",
                ServiceError(_l("A victim of this crime already has this email address"), "email"),
                by,
            )
    holder = holder_of(email)
    victim = Victim(**stored, same_as_id=holder.id if holder is not None else None)
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


def _rehome(victim: Victim, old_email: str | None) -> None:
    """`victim` no longer holds `old_email`: the first record still waiting on it, if
    any, holds it now, and the others wait on that one."""
    if old_email is None:
        return
    waiting = list(
        db.session.scalars(
            select(Victim)
            .where(
                Victim.same_as_id == victim.id,
                Victim.email == old_email,
                Victim.merged_at.is_(None),
            )
            .order_by(Victim.id)
        )
    )
    if not waiting:
        return
    first, others = waiting[0], waiting[1:]
    for other in others:
        other.same_as_id = first.id
    db.session.flush()
    first.same_as_id = None


def update_details(link: CrimeVictim, details: VictimDetails, by: Actor) -> list[str]:
    """Bring the victim's details up to date and return the names of those that changed
    (none: nothing is written). A new date of birth re-derives the enhanced rights that
    follow from age, in the caller's unit of work.

    A new email address that another record holds makes this one wait on it, as when
    adding a victim, with the same answer. The address of a victim with an account is
    the one they sign in with: it is not changed here (ServiceError), whoever else has
    it."""
    victim = link.victim
    wanted = stored_details(details)
    changed = sorted(name for name, value in wanted.items() if getattr(victim, name) != value)
    if "email" in changed:
        if victim.activated_at is not None:
            raise ServiceError(
                _l("This victim signs in with their email address: it cannot be changed here"), "email"
            )
        old_email, held = victim.email, victim.same_as_id is None
        holder = holder_of(wanted["email"])
        victim.email = wanted["email"]
        victim.same_as_id = holder.id if holder is not None and holder.id != victim.id else None
        victim.declined_at = None
        db.session.flush()
        if held:
            _rehome(victim, old_email)
    for name in changed:
        setattr(victim, name, wanted[name])
    if "date_of_birth" in changed:
        db.session.flush()
        entitlements.rederive(link, by)
        _guardian_ends_on(link)
    if changed:
        audit.record("victim.update", "crime_victim", link.id, detail=",".join(changed), actor=by)
    return changed


def _guardian_ends_on(link: CrimeVictim) -> None:
    """A parent or guardian's time runs to the victim's 18th birthday: a new date of
    birth moves it (a victim now known to be an adult is their own from today)."""
    born = link.victim.date_of_birth
    guardian = db.session.scalar(select(Guardian).where(Guardian.crime_victim_id == link.id))
    if guardian is not None and born is not None:
        guardian.ends_on = turns(born, ADULT_AGE)


# ------------------------------------------------- the owner of an address confirms


def cases_to_confirm(victim: Victim) -> list[CrimeVictim]:
    """The cases added for `victim`'s email address by an officer who could not see her
    other crimes, that she has been invited to and has not yet confirmed or declined,
    reported newest first. Each shows the victim only when it was reported and who the
    officer in charge is, so that she can tell whether it is hers. One query."""
    invited = select(AccountLink.victim_id).where(AccountLink.purpose == "activation")
    waiting = select(Victim.id).where(
        Victim.same_as_id == victim.id,
        Victim.email == victim.email,
        Victim.merged_at.is_(None),
        Victim.declined_at.is_(None),
        Victim.id.in_(invited),
    )
    # A child's case whose parent or guardian was given her address for the account.
    children = select(Guardian.crime_victim_id).where(Guardian.account_id.in_(waiting))
    return list(
        db.session.scalars(
            select(CrimeVictim)
            .join(Crime, Crime.id == CrimeVictim.crime_id)
            .where(or_(CrimeVictim.victim_id.in_(waiting), CrimeVictim.id.in_(children)))
            .order_by(Crime.reported_at.desc(), CrimeVictim.id.desc())
        )
    )


def _waiting_guardian(victim: Victim, link: CrimeVictim) -> Guardian | None:
    """The parent or guardian of the child on `link` whose account record waits for
    `victim` (the owner of its address) to confirm it, or None when the case waiting is
    her own."""
    guardian = db.session.scalar(select(Guardian).where(Guardian.crime_victim_id == link.id))
    if guardian is None or guardian.account is None or guardian.account.same_as_id != victim.id:
        return None
    return guardian


def _to_confirm(victim: Victim, public_id: str) -> CrimeVictim:
    link = next((c for c in cases_to_confirm(victim) if c.public_id == public_id), None)
    if link is None:
        raise NotWaiting(_l("Page not found"))
    return link


def _end_invitations(victim: Victim) -> None:
    now = utcnow()
    for row in db.session.scalars(
        select(AccountLink).where(
            AccountLink.victim_id == victim.id,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
        )
    ):
        row.revoked_at = now


@transactional
def confirm_case(victim: Victim, public_id: str) -> CrimeVictim:
    """The signed-in victim says the case is hers: it joins her record (and so her list
    of crimes), and the officer sees her as the one person. The record made for it keeps
    no link. Raises NotFound when it is not one waiting for her, ServiceError when she is
    already a victim of that crime."""
    link = _to_confirm(victim, public_id)
    guardian = _waiting_guardian(victim, link)
    if guardian is not None and guardian.account is not None:
        # She is the parent or guardian: her account follows the child's case.
        waiting = guardian.account
        guardian.account_id = victim.id
        waiting.merged_at = utcnow()
        _end_invitations(waiting)
        db.session.flush()
        audit.record(
            "guardian.case_confirmed",
            "crime_victim",
            link.id,
            detail=f"victim {waiting.id} joined victim {victim.id}",
            actor=victim,
        )
        return link
    waiting = link.victim
    if db.session.scalar(
        select(CrimeVictim.id).where(
            CrimeVictim.crime_id == link.crime_id, CrimeVictim.victim_id == victim.id
        )
    ):
        raise ServiceError(_l("This crime is already on your list"))
    link.victim_id = victim.id
    waiting.merged_at = utcnow()
    _end_invitations(waiting)
    db.session.flush()
    audit.record(
        "victim.case_confirmed",
        "crime_victim",
        link.id,
        detail=f"victim {waiting.id} joined victim {victim.id}",
        actor=victim,
    )
    db.session.expire(link)
    return link


@transactional
def decline_case(victim: Victim, public_id: str) -> None:
    """The signed-in victim says the case is not hers: it stays a record of its own,
    never shown to her again, and nothing more about it is sent to her. Raises NotFound
    when it is not one waiting for her."""
    link = _to_confirm(victim, public_id)
    guardian = _waiting_guardian(victim, link)
    declined = guardian.account if guardian is not None and guardian.account is not None else link.victim
    declined.declined_at = utcnow()
    _end_invitations(declined)
    audit.record("victim.case_declined", "crime_victim", link.id, actor=victim)


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
