"""Sign-in sessions on the server: starting one, keeping it alive, and ending it, the
database side of signing in and out.

A password change, a disabled account or a reset authenticator must end every copy of
the user's cookie at once, from whichever front end or command made the change. Which
session is the browser's own is known only to the web layer, so a caller that wants to
keep it passes its id.
"""

from datetime import datetime

from sqlalchemy import update

from shared.extensions import db
from shared.models import StaffMember, UserSession, Victim
from shared.models.types import utcnow
from shared.services import audit
from shared.services.unit_of_work import transactional


@transactional
def start(user: StaffMember | Victim, token_hash: str, method: str) -> UserSession:
    """Store a new session for `user`, named by the hash of its token, record the sign-in
    in the audit trail, and commit."""
    now = utcnow()
    row = UserSession(
        token_hash=token_hash,
        user_type=user.kind,
        user_id=user.id,
        method=method,
        created_at=now,
        last_seen_at=now,
    )
    db.session.add(row)
    audit.record(
        f"{user.kind}.sign_in",
        "staff_member" if user.kind == "staff" else "victim",
        user.id,
        detail=method,
        actor=user,
    )
    return row


@transactional
def touch(row: UserSession, now: datetime) -> None:
    """The session was used at `now`; commit."""
    row.last_seen_at = now


@transactional
def lapse(row: UserSession, reason: str | None, now: datetime) -> None:
    """End a session nobody signed out of (it ran out, or its user can no longer sign
    in), and commit. No audit event: nobody did anything."""
    row.ended_at, row.ended_reason = now, reason


@transactional
def end(row: UserSession, reason: str) -> None:
    """End one live session, record the sign-out in the audit trail, and commit (with
    the caller's change, when there is one)."""
    row.ended_at, row.ended_reason = utcnow(), reason
    audit.record(f"{row.user_type}.sign_out", None, None, detail=reason)


def end_all(user: StaffMember | Victim, reason: str, *, keep_id: int | None = None) -> None:
    """End every live session of `user` except the one with id `keep_id` (the session
    the change was made in, when it may go on), in the caller's unit of work."""
    query = update(UserSession).where(
        UserSession.user_type == user.kind, UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    db.session.execute(query.values(ended_at=utcnow(), ended_reason=reason))
