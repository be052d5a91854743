"""Police staff with local accounts: sign-in, set-up links, and the administrators'
work of creating accounts, granting and removing roles, and disabling accounts."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shared.extensions import db
from shared.models import ROLES, AccountLink, StaffMember, StaffRole, Team
from shared.models.types import utcnow
from shared.services import audit, links, outbox, pager, totp, user_sessions
from shared.services.errors import ServiceError
from shared.services.links import LinkProblem
from shared.services.pager import Page
from shared.services.passwords import check_password_rules, hash_password, verify_password
from shared.services.unit_of_work import on_rollback, transactional
from shared.translation import lazy_gettext as _l

logger = logging.getLogger("trackmycrime.auth")


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> StaffMember | None:
    """The active staff member with this email and password, or None. Costs one hash
    check either way."""
    staff = db.session.scalar(select(StaffMember).where(StaffMember.email == normalise_email(email)))
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.active:
        return None
    return staff


def signing_in(staff_id: object) -> StaffMember | None:
    """The active member of staff part-way through signing in, or None."""
    if not isinstance(staff_id, int):
        return None
    member = db.session.get(StaffMember, staff_id)
    return member if member is not None and member.active else None


# Administration


@dataclass
class StaffDetails:
    name: str
    collar_number: str
    email: str
    team_id: int
    roles: list[str]


def get_member(staff_id: int) -> StaffMember | None:
    return db.session.get(StaffMember, staff_id, options=[selectinload(StaffMember.role_rows)])


def list_staff(page: int, per_page: int) -> Page:
    """Every member of staff by name, a page at a time, with their team and roles: three
    queries (the count, the page, the page's roles), whatever the number of staff."""
    stmt = (
        select(StaffMember)
        .options(selectinload(StaffMember.role_rows))
        .order_by(StaffMember.name, StaffMember.id)
    )
    return pager.fetch_page(stmt, page, per_page)


def teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _check_roles(roles: Iterable[str] | None) -> list[str]:
    roles = list(dict.fromkeys(roles or []))
    if not roles:
        raise ServiceError(_l("Select at least one role"), "roles")
    if any(role not in ROLES for role in roles):
        raise ServiceError(_l("Select roles from the list"), "roles")
    return roles


@transactional
def create_member(details: StaffDetails, *, by: StaffMember) -> StaffMember:
    """Create a member of staff, email them a set-up link, and commit. Raises
    ServiceError when the email address or collar number is already used, the team does
    not exist or no role is chosen."""
    email = normalise_email(details.email)
    collar = details.collar_number.strip()
    roles = _check_roles(details.roles)
    if db.session.get(Team, details.team_id) is None:
        raise ServiceError(_l("Select the team"), "team")
    if db.session.scalar(select(StaffMember.id).where(StaffMember.email == email)) is not None:
        raise ServiceError(_l("A member of staff already has this email address"), "email")
    if db.session.scalar(select(StaffMember.id).where(StaffMember.collar_number == collar)) is not None:
        raise ServiceError(_l("A member of staff already has this collar number"), "collar_number")
    member = StaffMember(
        name=details.name.strip(), collar_number=collar, email=email, team_id=details.team_id
    )
    member.role_rows = [StaffRole(role=role) for role in roles]
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError:
        # Another administrator created the same person at the same moment.
        raise ServiceError(
            _l("A member of staff already has this email address or collar number"), "email"
        ) from None
    audit.record("staff.created", "staff_member", member.id, detail=",".join(sorted(roles)), actor=by)
    _send_set_up_link(member, by)
    return member


@transactional
def send_set_up_link(member: StaffMember, *, by: StaffMember) -> None:
    """Email the member a new set-up link (older ones stop working) and commit.
    Raises ServiceError when the account is disabled."""
    if not member.active:
        raise ServiceError(_l("Enable the account before sending a set-up link"))
    audit.record("staff.set_up_link_sent", "staff_member", member.id, actor=by)
    _send_set_up_link(member, by)


def _send_set_up_link(member: StaffMember, by: StaffMember) -> None:
    ttl = current_app.config["STAFF_SETUP_LINK_TTL"]
    raw = links.issue("staff_setup", ttl, staff=member, by=by)
    outbox.enqueue(
        "staff_setup",
        staff=member,
        values={
            "link": links.public_url("/backoffice/set-up/" + raw),
            "hours": int(ttl.total_seconds() // 3600),
        },
    )


def _set_up_link(raw: str) -> tuple[AccountLink, StaffMember]:
    link = links.check(raw, ("staff_setup",))
    member = db.session.get(StaffMember, link.staff_id)
    if member is None or not member.active:
        raise LinkProblem("used")
    return link, member


def check_set_up(raw: str) -> StaffMember:
    """The member of staff this set-up link is for, or LinkProblem saying why it
    cannot be used."""
    return _set_up_link(raw)[1]


@transactional
def set_password(raw: str, password: str) -> StaffMember:
    """Set the member's password through their set-up link, end their other sessions
    and commit; the link is used up. Raises LinkProblem or ServiceError."""
    link, member = _set_up_link(raw)
    check_password_rules(password)
    links.use(link)
    member.password_hash = hash_password(password)
    user_sessions.end_all(member, reason="password_changed")
    audit.record("staff.password_set", "staff_member", member.id, actor=member)
    logger.info("Password set through a set-up link by staff %s", member.id)
    return member


def _refuse_own(by: StaffMember, action: str, detail: str | None, error: ServiceError) -> NoReturn:
    """Raise `error`, refusing administrators a change to their own account; the attempt
    stays on the audit trail although the unit is undone."""
    by_id = by.id

    def keep() -> None:
        audit.record(action, "staff_member", by_id, detail=detail, actor=db.session.get(StaffMember, by_id))

    on_rollback(keep)
    raise error


@transactional
def set_roles(
    member: StaffMember, roles: Iterable[str] | None, *, by: StaffMember
) -> tuple[list[str], list[str]]:
    """Give the member exactly `roles` and commit; each role granted and each removed is
    its own audit event. Returns (granted, removed). Raises ServiceError when no role is
    chosen, an administrator gives themselves a role (a second administrator must: no
    one widens their own access alone) or removes their own administrator role (so the
    last administrator can never leave the service without one)."""
    wanted = set(_check_roles(roles))
    if member.id == by.id and "admin" in member.roles and "admin" not in wanted:
        logger.warning("Staff %s refused: removing their own administrator role", by.id)
        _refuse_own(
            by,
            "staff.role_remove_refused",
            "admin",
            ServiceError(
                _l("You cannot remove your own administrator role. Ask another administrator to do it"),
                "roles",
            ),
        )
    if member.id == by.id and wanted - member.roles:
        logger.warning("Staff %s refused: granting themselves %s", by.id, sorted(wanted - member.roles))
        _refuse_own(
            by,
            "staff.role_grant_refused",
            ",".join(sorted(wanted - member.roles)),
            ServiceError(_l("You cannot give yourself a role. Ask another administrator to do it"), "roles"),
        )
    granted = sorted(wanted - member.roles)
    removed = sorted(member.roles - wanted)
    member.role_rows = [row for row in member.role_rows if row.role in wanted] + [
        StaffRole(role=role) for role in granted
    ]
    for role in granted:
        audit.record("staff.role_granted", "staff_member", member.id, detail=role, actor=by)
    for role in removed:
        audit.record("staff.role_removed", "staff_member", member.id, detail=role, actor=by)
    logger.info("Roles of staff %s changed by staff %s: +%s -%s", member.id, by.id, granted, removed)
    return granted, removed


@transactional
def disable(member: StaffMember, *, by: StaffMember) -> None:
    """Stop the member signing in, end every session of theirs, and commit. Raises
    ServiceError when administrators try it on themselves."""
    if member.id == by.id:
        logger.warning("Staff %s refused: disabling their own account", by.id)
        _refuse_own(
            by,
            "staff.disable_refused",
            None,
            ServiceError(_l("You cannot disable your own account. Ask another administrator to do it")),
        )
    if not member.active:
        return
    member.active = False
    user_sessions.end_all(member, "account_disabled")
    audit.record("staff.disabled", "staff_member", member.id, actor=by)
    logger.info("Staff %s disabled by staff %s", member.id, by.id)


@transactional
def enable(member: StaffMember, *, by: StaffMember) -> None:
    """Let a disabled member sign in again, and commit."""
    if member.active:
        return
    member.active = True
    audit.record("staff.enabled", "staff_member", member.id, actor=by)
    logger.info("Staff %s enabled by staff %s", member.id, by.id)


@transactional
def reset_authenticator(member: StaffMember, *, by: StaffMember) -> None:
    """Remove the member's authenticator app and recovery codes so that they set up a
    new app at their next sign-in, end their sessions, and commit."""
    totp.clear(member)
    user_sessions.end_all(member, "authenticator_reset")
    audit.record("staff.authenticator_reset", "staff_member", member.id, actor=by)
    logger.info("Authenticator of staff %s reset by staff %s", member.id, by.id)


def live_set_up_link(member: StaffMember) -> bool:
    """Whether the member has a set-up link that still works."""
    return (
        db.session.scalar(
            select(AccountLink.id)
            .where(
                AccountLink.staff_id == member.id,
                AccountLink.purpose == "staff_setup",
                AccountLink.used_at.is_(None),
                AccountLink.revoked_at.is_(None),
                AccountLink.expires_at > utcnow(),
            )
            .limit(1)
        )
        is not None
    )
