"""Staff who sign in through the force's identity provider: who the provider says they
are, finding their account and keeping their roles in step with the provider's groups."""

import logging
from dataclasses import dataclass, field
from typing import NoReturn

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shared.config import role_map
from shared.extensions import db
from shared.models import StaffMember, StaffRole
from shared.services import audit
from shared.services.staff import normalise_email
from shared.services.unit_of_work import transactional

logger = logging.getLogger("trackmycrime.auth")

DEFAULT_ROLES_CLAIM = "roles"


@dataclass(frozen=True)
class StaffIdentity:
    subject: str
    email: str | None
    name: str | None
    roles: set[str]
    # For the provider's sign-out (id_token_hint); never logged.
    id_token: str = field(default="", repr=False, compare=False)


def identity_from(claims: dict, id_token: str) -> StaffIdentity:
    """Who a verified ID token names, with the product roles its groups map to
    (STAFF_OIDC_ROLE_MAP; groups it does not name give no role)."""
    config = current_app.config
    roles_by_group = role_map(config.get("STAFF_OIDC_ROLE_MAP"))
    raw = claims.get(config.get("STAFF_OIDC_ROLES_CLAIM") or DEFAULT_ROLES_CLAIM)
    if isinstance(raw, str):
        values = [raw]
    elif isinstance(raw, list):
        values = [v for v in raw if isinstance(v, str)]
    else:
        values = []
    roles = {roles_by_group[v] for v in values if v in roles_by_group}
    email = claims.get("email")
    name = claims.get("name")
    return StaffIdentity(
        subject=claims["sub"],
        email=email if isinstance(email, str) else None,
        name=name if isinstance(name, str) else None,
        roles=roles,
        id_token=id_token,
    )


class NoAccess(Exception):
    """The identity is genuine but may not use the service; `reason` says why:
    `no_account`, `disabled` or `no_role`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transactional
def account_for(identity: StaffIdentity) -> StaffMember:
    """The member of staff this provider identity belongs to, with their roles set to
    those the provider's groups map to, committed. Raises NoAccess, and then nothing is
    kept (not even the link to an account that turned out to be disabled).

    An identity already linked is found by its subject. The first time, it is linked to
    the account an administrator created with the same work email address: the force's
    own directory vouches for staff email addresses (victims are never matched this way).
    """
    options = [selectinload(StaffMember.role_rows)]
    member = db.session.scalar(
        select(StaffMember).where(StaffMember.oidc_subject == identity.subject).options(*options)
    )
    if member is None and identity.email:
        member = db.session.scalar(
            select(StaffMember)
            .where(StaffMember.email == normalise_email(identity.email), StaffMember.oidc_subject.is_(None))
            .options(*options)
        )
        if member is not None:
            member.oidc_subject = identity.subject
            audit.record("staff.sso_linked", "staff_member", member.id, actor=member)
    if member is None:
        _refuse("no_account")
    if not member.active:
        _refuse("disabled", member)
    if not identity.roles:
        _refuse("no_role", member)
    current = member.roles
    for role in sorted(identity.roles - current):
        member.role_rows.append(StaffRole(role=role))
        audit.record(
            "staff.role_granted", "staff_member", member.id, detail=f"{role} (single sign-on)", actor=None
        )
    for row in [row for row in member.role_rows if row.role not in identity.roles]:
        member.role_rows.remove(row)
        audit.record(
            "staff.role_removed", "staff_member", member.id, detail=f"{row.role} (single sign-on)", actor=None
        )
    return member


def _refuse(reason: str, member: StaffMember | None = None) -> NoReturn:
    logger.warning("Single sign-on refused: %s (staff %s)", reason, member.id if member else "-")
    raise NoAccess(reason)
