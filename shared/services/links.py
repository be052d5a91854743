"""Single-use links sent by email: victims' invitations, password resets and staff
set-up links. Random, short-lived, stored hashed; a newer link voids older ones."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from shared.extensions import db
from shared.models import AccountLink, StaffMember, Victim
from shared.models.types import utcnow
from shared.services import actors
from shared.services.actors import Actor


class LinkProblem(Exception):
    """The link cannot be used; `reason` is `invalid`, `expired` or `used`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def status(self) -> int:
        """The HTTP status to answer with: 404 for a link that never existed, 410 for
        one that has been used, replaced or has expired."""
        return 404 if self.reason == "invalid" else 410


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(
    purpose: str,
    ttl: timedelta,
    *,
    victim: Victim | None = None,
    staff: StaffMember | None = None,
    by: Actor | None = None,
) -> str:
    """Add a new link for the victim or member of staff and return its raw token (to
    send, never to store). Every unused link of theirs stops working. Part of the caller's
    unit of work."""
    now = utcnow()
    if victim is not None:
        owner = AccountLink.victim_id == victim.id
    elif staff is not None:
        owner = AccountLink.staff_id == staff.id
    else:
        raise AttributeError("a link is issued to a victim or to a member of staff")
    for old in db.session.scalars(
        select(AccountLink).where(owner, AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None))
    ):
        old.revoked_at = now
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountLink(
            purpose=purpose,
            victim_id=victim.id if victim is not None else None,
            staff_id=staff.id if staff is not None else None,
            token_hash=hash_token(raw),
            created_by_id=actors.staff_id(by),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return raw


def check(raw: str, purposes: tuple[str, ...]) -> AccountLink:
    """The usable link for this token and one of `purposes`, or LinkProblem saying why not."""
    link = db.session.scalar(
        select(AccountLink).where(
            AccountLink.token_hash == hash_token(raw or ""), AccountLink.purpose.in_(purposes)
        )
    )
    if link is None:
        raise LinkProblem("invalid")
    if link.used_at is not None or link.revoked_at is not None:
        raise LinkProblem("used")
    if link.expires_at <= utcnow():
        raise LinkProblem("expired")
    return link


def use(link: AccountLink) -> None:
    """Mark the link used, in the caller's unit of work."""
    link.used_at = utcnow()


def public_url(path: str) -> str:
    """The full address of a path on this service, as people are sent it."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
