"""Ending sign-in sessions on the server, the database side of signing out.

A password change, a disabled account or a reset authenticator must end every copy of
the user's cookie at once, from whichever front end or command made the change. Which
session is the browser's own is known only to the web layer, so a caller that wants to
keep it passes its id.
"""

from sqlalchemy import update

from shared.extensions import db
from shared.models import StaffMember, UserSession, Victim
from shared.models.types import utcnow
from shared.services import audit


def end(row: UserSession, reason: str) -> None:
    """End one live session and record the sign-out in the audit trail. The caller
    commits."""
    row.ended_at, row.ended_reason = utcnow(), reason
    audit.record(f"{row.user_type}.sign_out", None, None, detail=reason)


def end_all(user: StaffMember | Victim, reason: str, *, keep_id: int | None = None) -> None:
    """End every live session of `user` except the one with id `keep_id` (the session
    the change was made in, when it may go on). The caller commits."""
    query = update(UserSession).where(
        UserSession.user_type == user.kind, UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    db.session.execute(query.values(ended_at=utcnow(), ended_reason=reason))
