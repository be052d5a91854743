"""Administrators made on the server, from the command line: the first one, when nobody
can yet sign in to the back office to create accounts, and a new set-up link for one
whose link ran out before anyone else could send them another.

The set-up link is the one the back office emails (shared.services.staff): single-use,
short-lived, stored hashed. Here it is handed back to be printed on the server instead,
since the first administrator may be set up before notifications are.
"""

import logging
import re

from flask import current_app
from sqlalchemy import select

from shared.extensions import db
from shared.models import StaffMember, StaffRole, Team
from shared.services import audit, links
from shared.services.errors import ServiceError
from shared.services.staff import normalise_email
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

logger = logging.getLogger("trackmycrime.auth")

# The team an administrator made here belongs to, made when first needed.
TEAM = "Administrators"
# Administrators need not be officers: they are given collar numbers ADMIN-1, ADMIN-2, ...
COLLAR_PREFIX = "ADMIN-"


def _free_collar_number() -> str:
    taken = set(
        db.session.scalars(
            select(StaffMember.collar_number).where(StaffMember.collar_number.startswith(COLLAR_PREFIX))
        )
    )
    numbers = {int(match.group(1)) for collar in taken if (match := re.fullmatch(r"ADMIN-(\d+)", collar))}
    return f"{COLLAR_PREFIX}{next(n for n in range(1, len(numbers) + 2) if n not in numbers)}"


def _team() -> Team:
    team = db.session.scalar(select(Team).where(Team.name == TEAM))
    if team is None:
        team = Team(name=TEAM)
        db.session.add(team)
    return team


def _set_up_link(member: StaffMember) -> str:
    raw = links.issue("staff_setup", current_app.config["STAFF_SETUP_LINK_TTL"], staff=member)
    return links.public_url("/backoffice/set-up/" + raw)


@transactional
def create_admin(email: str, name: str, *, with_link: bool = True) -> tuple[StaffMember, str | None]:
    """Create an administrator with this email address and, unless they will sign in
    only through single sign-on, a set-up link; audit it as the system's doing and
    commit. Returns the member and the link's address, to print, never to store.
    Raises ServiceError when a member of staff already has the email address."""
    email = normalise_email(email)
    if db.session.scalar(select(StaffMember.id).where(StaffMember.email == email)) is not None:
        raise ServiceError(_l("A member of staff already has this email address"), "email")
    member = StaffMember(name=name.strip(), collar_number=_free_collar_number(), email=email, team=_team())
    member.role_rows = [StaffRole(role="admin")]
    db.session.add(member)
    db.session.flush()
    audit.record("staff.created", "staff_member", member.id, detail="admin")
    link = _set_up_link(member) if with_link else None
    logger.info("Administrator staff %s created from the command line", member.id)
    return member, link


@transactional
def new_set_up_link(email: str) -> tuple[StaffMember, str]:
    """A new set-up link for the active member of staff with this email address (older
    ones stop working), audited, and commit. Raises ServiceError when there is no such
    member or their account is disabled."""
    member = db.session.scalar(select(StaffMember).where(StaffMember.email == normalise_email(email)))
    if member is None or not member.active:
        raise ServiceError(_l("No active member of staff has this email address"), "email")
    audit.record("staff.set_up_link_sent", "staff_member", member.id)
    link = _set_up_link(member)
    logger.info("Set-up link for staff %s made from the command line", member.id)
    return member, link
