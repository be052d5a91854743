"""A victim's account on the portal: the invitation, activation (by password or GOV.UK One
Login), signing in, and changing or resetting the password. Every answer costs the same
whether or not an account exists, so none tells who is a victim."""

from flask import current_app
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import (
    AccountLink,
    CrimeVictim,
    Victim,
)
from shared.models.types import utcnow
from shared.services import audit, entitlements, guardians, links, outbox, outbox_routing, user_sessions
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.services.passwords import check_password_rules, hash_password, verify_password
from shared.services.unit_of_work import transactional
from shared.services.victims import holder_of
from shared.translation import lazy_gettext as _l


@transactional
def invite(link: CrimeVictim, *, by: Actor) -> None:
    """Send the victim a single-use activation link and commit. Any older link stops
    working. Raises ServiceError when the victim has no email address (they sign in
    with it) or already has an account."""
    victim = link.victim
    if not victim.email:
        raise ServiceError(_l("Add an email address for this victim first: they sign in with it"))
    if victim.activated_at is not None:
        raise ServiceError(_l("This victim already has an account"))
    if "victim" not in guardians.reached(link):
        raise ServiceError(
            _l(
                "The parent or guardian receives this child’s rights and is the one contacted: invite them instead"
            )
        )
    if outbox_routing.account_withheld_reason(victim, own_crimes_only=True) == "not_safe":
        raise ServiceError(
            _l(
                "This victim is marked not safe to contact: the service sends them nothing, invitations included"
            )
        )
    ttl = current_app.config["ACTIVATION_LINK_TTL"]
    raw = links.issue("activation", ttl, victim=victim, by=by)
    audit.record("victim.invite", "crime_victim", link.id, actor=by)
    if victim.declined_at is not None:
        # The owner of the address said this case is not hers: she hears no more of it.
        # The officer gets the same answer as for anyone else.
        audit.record("victim.invite_withheld", "crime_victim", link.id, detail="declined", actor=by)
        return
    # The message says nothing about the crime: the victim may share a device.
    outbox.enqueue(
        "invitation",
        victim=victim,
        values={"link": links.public_url("/activate/" + raw), "hours": int(ttl.total_seconds() // 3600)},
    )


@transactional
def invite_guardian(link: CrimeVictim, *, by: Actor) -> Victim:
    """Send the parent or guardian holding the child's account a single-use activation
    link, and commit. Raises ServiceError when no parent or guardian receives the rights,
    the account is not theirs, it is already set up, or the child's contact plan says it
    is not safe to contact them."""
    guardian = guardians.receiving_rights(link)
    if guardian is None or guardian.account is None:
        raise ServiceError(
            _l("Record a parent or guardian whose account it is, with their email address, first")
        )
    account = guardian.account
    if account.activated_at is not None:
        raise ServiceError(_l("The parent or guardian already has an account: the child’s case is in it"))
    plan = entitlements.current_plans([link.id]).get(link.id)
    if plan is not None and not plan.safe_to_contact:
        raise ServiceError(
            _l(
                "This victim is marked not safe to contact: the service sends them nothing, invitations included"
            )
        )
    ttl = current_app.config["ACTIVATION_LINK_TTL"]
    raw = links.issue("activation", ttl, victim=account, by=by)
    audit.record("guardian.invite", "crime_victim", link.id, actor=by)
    outbox.enqueue(
        "invitation",
        victim=account,
        values={"link": links.public_url("/activate/" + raw), "hours": int(ttl.total_seconds() // 3600)},
    )
    return account


def invitation_status(victims: list[CrimeVictim]) -> dict[int, str]:
    """For each victim: `active`, `invited` (a live link) or `not_invited`. One query."""
    ids = [link.victim_id for link in victims]
    live: set[int | None] = set()
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


def check_activation(raw: str) -> AccountLink:
    """The usable invitation link for this token, or LinkProblem saying why not."""
    return links.check(raw, ("activation",))


def has_account_already(link: AccountLink) -> bool:
    """Whether the invitation is for a case added with the email address of someone who
    already has an account: she signs in and confirms the case instead of setting up
    another (shared.services.victims.confirm_case)."""
    victim = db.session.get_one(Victim, link.victim_id)
    if victim.same_as_id is None or victim.merged_at is not None:
        return False
    return db.session.get_one(Victim, victim.same_as_id).activated_at is not None


def _account_owner(link: AccountLink) -> Victim:
    """The record an invitation sets up an account for. A record made for an address
    another record holds takes the address over when that one has no account yet (the
    other then waits on it for her confirmation, as this one did): one address, one
    account, and no crime in it that she has not been invited to or confirmed. Raises
    ServiceError when the address already has an account."""
    victim = db.session.get_one(Victim, link.victim_id)
    if victim.same_as_id is None:
        return victim
    if has_account_already(link):
        raise ServiceError(_l("You already have an account: sign in with your email address"))
    holder = db.session.get_one(Victim, victim.same_as_id)
    waiting = db.session.scalars(
        select(Victim).where(
            Victim.same_as_id == holder.id, Victim.id != victim.id, Victim.merged_at.is_(None)
        )
    ).all()
    for other in [holder, *waiting]:
        other.same_as_id = victim.id
    db.session.flush()
    victim.same_as_id = None
    db.session.flush()
    audit.record(
        "victim.address_taken_over", "victim", victim.id, detail=f"from victim {holder.id}", actor=victim
    )
    return victim


@transactional
def activate(raw: str, password: str) -> Victim:
    """Set the victim's password through an invitation link and commit. The link is
    used up. Raises LinkProblem or ServiceError."""
    link = check_activation(raw)
    check_password_rules(password)
    victim = _account_owner(link)
    links.use(link)
    victim.password_hash = hash_password(password)
    victim.activated_at = utcnow()
    audit.record("victim.activate", "victim", victim.id, actor=victim)
    return victim


@transactional
def link_onelogin(raw: str, subject: str) -> Victim:
    """Link a GOV.UK One Login identity to the victim through their invitation link and
    commit; the link is used up. Raises LinkProblem, or ServiceError when that identity
    is already linked to someone else. Never matched on email address."""
    link = check_activation(raw)
    victim = _account_owner(link)
    holder = db.session.scalar(select(Victim).where(Victim.onelogin_subject == subject))
    if holder is not None and holder.id != victim.id:
        raise ServiceError(_l("This GOV.UK One Login account is already used by someone else"))
    links.use(link)
    victim.onelogin_subject = subject
    victim.activated_at = victim.activated_at or utcnow()
    audit.record("victim.onelogin_linked", "victim", victim.id, actor=victim)
    return victim


def by_onelogin(subject: str) -> Victim | None:
    """The active victim linked to this One Login identity, or None."""
    victim = db.session.scalar(select(Victim).where(Victim.onelogin_subject == subject))
    return victim if victim is not None and victim.is_active else None


@transactional
def request_reset(email: str) -> None:
    """Email a password reset link if an active victim has this address, and commit.
    Does the same work either way, so the response cannot tell whether the account exists."""
    victim = holder_of(email)
    verify_password(None, email or "")  # an unknown address costs the same hash check
    if victim is None or not victim.is_active:
        audit.record("victim.reset_requested_unknown", None, None, actor=None)
        return
    if outbox_routing.account_withheld_reason(victim):
        # Nothing may be sent to them, so no link is made; the page says the same.
        audit.record("victim.reset_withheld", "victim", victim.id, actor=victim)
        return
    ttl = current_app.config["RESET_LINK_TTL"]
    raw = links.issue("reset", ttl, victim=victim)
    audit.record("victim.reset_requested", "victim", victim.id, actor=victim)
    outbox.enqueue(
        "password_reset",
        victim=victim,
        values={
            "link": links.public_url("/reset-password/" + raw),
            "minutes": int(ttl.total_seconds() // 60),
        },
    )


@transactional
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


def check_reset(raw: str) -> AccountLink:
    """The usable reset link for this token, or LinkProblem saying why not."""
    return links.check(raw, ("reset",))


@transactional
def reset_password(raw: str, password: str) -> Victim:
    """Set a new password through a reset link, end every session of the victim, and
    commit. Raises LinkProblem or ServiceError."""
    link = check_reset(raw)
    check_password_rules(password)
    victim = db.session.get_one(Victim, link.victim_id)
    links.use(link)
    victim.password_hash = hash_password(password)
    user_sessions.end_all(victim, reason="password_changed")
    audit.record("victim.password_reset", "victim", victim.id, actor=victim)
    return victim


def authenticate(email: str, password: str) -> Victim | None:
    """The victim with this email and password, or None. Costs one hash check either way."""
    victim = holder_of(email)
    ok = verify_password(victim.password_hash if victim else None, password)
    if victim is None or not ok or victim.activated_at is None:
        return None
    return victim
