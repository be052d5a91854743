"""Victims: adding them to crimes, inviting them, activation, sign-in and password
resets."""

import secrets
from dataclasses import dataclass
from datetime import date
from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, lazyload

from shared.extensions import db
from shared.models import (
    AccountLink,
    Crime,
    CrimeVictim,
    InvestigationUpdate,
    SecureMessage,
    StaffMember,
    Victim,
)
from shared.models.types import utcnow
from shared.services import actors, audit, entitlements, links, outbox, pager, user_sessions
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.passwords import check_password_rules, hash_password, verify_password
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
    def text(value):
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


def add_victim(crime: Crime, details: VictimDetails, *, link_existing: bool, by: StaffMember,
               source_ref: str | None = None) -> CrimeVictim:
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
            select(CrimeVictim).where(
                CrimeVictim.crime_id == crime.id, CrimeVictim.victim_id == victim.id
            )
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
    db.session.commit()
    return link


def update_details(link: CrimeVictim, details: VictimDetails, by) -> list[str]:
    """Bring the victim's details up to date and return the names of those that changed
    (none: nothing is written). A new date of birth re-derives the enhanced rights that
    follow from age. The caller commits. Raises ServiceError when another victim has the
    email address."""
    victim = link.victim
    wanted = _stored(details)
    changed = sorted(name for name, value in wanted.items() if getattr(victim, name) != value)
    if "email" in changed and wanted["email"] is not None:
        if db.session.scalar(select(Victim.id).where(Victim.email == wanted["email"], Victim.id != victim.id)) is not None:
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


def invite(link: CrimeVictim, *, by: StaffMember) -> None:
    """Send the victim a single-use activation link and commit. Any older link stops
    working. Raises ServiceError when the victim has no email address (they sign in
    with it) or already has an account."""
    victim = link.victim
    if not victim.email:
        raise ServiceError(
            _l("Add an email address for this victim first: they sign in with it")
        )
    if victim.activated_at is not None:
        raise ServiceError(_l("This victim already has an account"))
    if outbox.account_withheld_reason(victim) == "not_safe":
        raise ServiceError(_l("This victim is marked not safe to contact: the service sends them nothing, invitations included"))
    ttl = current_app.config["ACTIVATION_LINK_TTL"]
    raw = links.issue("activation", ttl, victim=victim, by=by)
    audit.record("victim.invite", "crime_victim", link.id, actor=by)
    # The message says nothing about the crime: the victim may share a device.
    outbox.enqueue(
        "invitation",
        victim=victim,
        values={"link": links.public_url("/activate/" + raw), "hours": int(ttl.total_seconds() // 3600)},
    )
    db.session.commit()


def check_activation(raw: str) -> AccountLink:
    """The usable invitation link for this token, or LinkProblem saying why not."""
    return links.check(raw, ("activation",))


def activate(raw: str, password: str) -> Victim:
    """Set the victim's password through an invitation link and commit. The link is
    used up. Raises LinkProblem or ServiceError."""
    link = check_activation(raw)
    check_password_rules(password)
    victim = db.session.get(Victim, link.victim_id)
    links.use(link)
    victim.password_hash = hash_password(password)
    victim.activated_at = utcnow()
    audit.record("victim.activate", "victim", victim.id, actor=victim)
    db.session.commit()
    return victim


def link_onelogin(raw: str, subject: str) -> Victim:
    """Link a GOV.UK One Login identity to the victim through their invitation link and
    commit; the link is used up. Raises LinkProblem, or ServiceError when that identity
    is already linked to someone else. Never matched on email address."""
    link = check_activation(raw)
    victim = db.session.get(Victim, link.victim_id)
    holder = db.session.scalar(select(Victim).where(Victim.onelogin_subject == subject))
    if holder is not None and holder.id != victim.id:
        raise ServiceError(_l("This GOV.UK One Login account is already used by someone else"))
    links.use(link)
    victim.onelogin_subject = subject
    victim.activated_at = victim.activated_at or utcnow()
    audit.record("victim.onelogin_linked", "victim", victim.id, actor=victim)
    db.session.commit()
    return victim


def by_onelogin(subject: str) -> Victim | None:
    """The active victim linked to this One Login identity, or None."""
    victim = db.session.scalar(select(Victim).where(Victim.onelogin_subject == subject))
    return victim if victim is not None and victim.is_active else None


def request_reset(email: str) -> None:
    """Email a password reset link if an active victim has this address, and commit.
    Does the same work either way, so the response cannot tell whether the account exists."""
    victim = db.session.scalar(select(Victim).where(Victim.email == normalise_email(email)))
    verify_password(None, email or "")  # an unknown address costs the same hash check
    if victim is None or not victim.is_active:
        audit.record("victim.reset_requested_unknown", None, None, actor=None)
        db.session.commit()
        return
    if outbox.account_withheld_reason(victim):
        # Nothing may be sent to them, so no link is made; the page says the same.
        audit.record("victim.reset_withheld", "victim", victim.id, actor=victim)
        db.session.commit()
        return
    ttl = current_app.config["RESET_LINK_TTL"]
    raw = links.issue("reset", ttl, victim=victim)
    audit.record("victim.reset_requested", "victim", victim.id, actor=victim)
    outbox.enqueue(
        "password_reset",
        victim=victim,
        values={"link": links.public_url("/reset-password/" + raw), "minutes": int(ttl.total_seconds() // 60)},
    )
    db.session.commit()


def change_password(victim: Victim, current: str, new: str, *, keep_session_id: int | None = None) -> None:
    """Change a signed-in victim's password and commit. Every session of theirs ends but
    the one with id `keep_session_id` (the one they changed it in). Raises ServiceError on
    the field that is wrong."""
    if not verify_password(victim.password_hash, current or ""):
        raise ServiceError(_l("Your current password is not correct"), "current_password")
    check_password_rules(new)
    victim.password_hash = hash_password(new)
    user_sessions.end_all(victim, "password_changed", keep_id=keep_session_id)
    audit.record("victim.password_changed", "victim", victim.id, actor=victim)
    db.session.commit()


def check_reset(raw: str) -> AccountLink:
    """The usable reset link for this token, or LinkProblem saying why not."""
    return links.check(raw, ("reset",))


def reset_password(raw: str, password: str) -> Victim:
    """Set a new password through a reset link, end every session of the victim, and
    commit. Raises LinkProblem or ServiceError."""
    link = check_reset(raw)
    check_password_rules(password)
    victim = db.session.get(Victim, link.victim_id)
    links.use(link)
    victim.password_hash = hash_password(password)
    user_sessions.end_all(victim, reason="password_changed")
    audit.record("victim.password_reset", "victim", victim.id, actor=victim)
    db.session.commit()
    return victim


def authenticate(email: str, password: str) -> Victim | None:
    """The victim with this email and password, or None. Costs one hash check either way."""
    victim = db.session.scalar(select(Victim).where(Victim.email == normalise_email(email)))
    ok = verify_password(victim.password_hash if victim else None, password)
    if victim is None or not ok or victim.activated_at is None:
        return None
    return victim


def cases_of(victim: Victim, page: int, per_page: int) -> Page:
    """A page of the victim's own crimes, newest first. Two queries."""
    stmt = (
        select(CrimeVictim)
        .join(Crime, Crime.id == CrimeVictim.crime_id)
        .where(CrimeVictim.victim_id == victim.id)
        .order_by(Crime.recorded_at.desc(), CrimeVictim.id.desc())
    )
    return pager.fetch_page(stmt, page, per_page)


@cache
def _case() -> Select:
    """A victim's link to one crime (parameters `victim_id` and `public_id`), with the
    crime and its officer in charge joined in and nothing else. Built once."""
    return (
        select(CrimeVictim)
        .options(
            lazyload(CrimeVictim.victim),
            joinedload(CrimeVictim.crime).options(lazyload(Crime.team), joinedload(Crime.officer_in_charge).lazyload(StaffMember.team)),
        )
        .where(CrimeVictim.public_id == bindparam("public_id"), CrimeVictim.victim_id == bindparam("victim_id"))
    )


@cache
def _case_page() -> Select:
    """What the victim's case page shows of their case (parameters `victim_id` and
    `public_id`), as one plain row: the crime, its officer in charge, the messages from
    staff the victim has not read and the number of updates meant for them. Built once."""
    unread = (
        select(func.count())
        .where(
            SecureMessage.crime_victim_id == CrimeVictim.id,
            SecureMessage.sender == "staff",
            SecureMessage.read_at.is_(None),
        )
        .scalar_subquery()
    )
    shown = (
        select(func.count())
        .where(InvestigationUpdate.crime_id == CrimeVictim.crime_id, InvestigationUpdate.visible_to_victim.is_(True))
        .scalar_subquery()
    )
    return (
        select(
            CrimeVictim.public_id,
            Crime.id.label("crime_id"),
            Crime.reference,
            Crime.reported_at,
            Crime.stage,
            Crime.offence,
            Crime.outcome,
            Crime.cancelled_at,
            Crime.cancellation_reason,
            StaffMember.name.label("officer_name"),
            StaffMember.collar_number.label("officer_collar_number"),
            unread.label("unread_messages"),
            shown.label("victim_updates"),
        )
        .join(Crime, Crime.id == CrimeVictim.crime_id)
        .join(StaffMember, StaffMember.id == Crime.officer_in_charge_id)
        .where(CrimeVictim.public_id == bindparam("public_id"), CrimeVictim.victim_id == bindparam("victim_id"))
    )


def case_of(victim: Victim, public_id: str) -> CrimeVictim | None:
    """The victim's link to one crime, or None when it is not theirs. The crime and its
    officer in charge come in the same query; the victim is the one signed in."""
    return db.session.scalar(_case(), {"victim_id": victim.id, "public_id": public_id})


def case_view(victim: Victim, public_id: str):
    """The victim's case as their case page shows it (see `_case_page`), in one query;
    None when it is not theirs."""
    return db.session.execute(_case_page(), {"victim_id": victim.id, "public_id": public_id}).first()


def invitation_status(victims: list[CrimeVictim]) -> dict[int, str]:
    """For each victim: `active`, `invited` (a live link) or `not_invited`. One query."""
    ids = [link.victim_id for link in victims]
    live = set()
    if ids:
        live = set(
            db.session.scalars(
                select(func.distinct(AccountLink.victim_id)).where(
                    AccountLink.victim_id.in_(ids),
                    AccountLink.purpose == "activation",
                    AccountLink.used_at.is_(None),
                    AccountLink.revoked_at.is_(None),
                    AccountLink.expires_at > utcnow(),
                )
            )
        )
    return {
        link.victim_id: "active"
        if link.victim.activated_at
        else ("invited" if link.victim_id in live else "not_invited")
        for link in victims
    }
