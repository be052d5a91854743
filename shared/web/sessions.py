"""Sign-in sessions kept on the server.

The session cookie holds only a random token; the row it names says who is signed in,
how, and since when. Signing out, a password change, a disabled account and the idle
and absolute time limits end the row, so a copied cookie stops working at once.
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, g, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from shared.extensions import db
from shared.models import StaffMember, UserSession, Victim
from shared.models.types import utcnow
from shared.services import user_sessions

logger = logging.getLogger("trackmycrime.auth")
# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _limits(user_type: str) -> tuple[timedelta, timedelta]:
    """(idle, absolute) time limits for this kind of user."""
    config = current_app.config
    prefix = "STAFF" if user_type == "staff" else "VICTIM"
    return config[f"{prefix}_SESSION_IDLE"], config[f"{prefix}_SESSION_MAX"]


def start(user, method: str) -> None:
    """Sign `user` in with a brand-new session (never the one the browser came with),
    stored and recorded in the audit trail by shared.services.user_sessions."""
    session.clear()
    raw = secrets.token_urlsafe(32)
    row = user_sessions.start(user, _hash(raw), method)
    user.session_token = raw
    login_user(user)
    g.user_session = row


@cache
def _live_session() -> "Select[UserSession, Victim, StaffMember]":
    """The live session with a token's hash, and its user (a victim or a member of staff
    with their roles), in one query: every signed-in request starts here, so the
    statement is built once."""
    return (
        select(UserSession, Victim, StaffMember)
        .outerjoin(Victim, (UserSession.user_type == "victim") & (Victim.id == UserSession.user_id))
        .outerjoin(StaffMember, (UserSession.user_type == "staff") & (StaffMember.id == UserSession.user_id))
        .options(joinedload(StaffMember.role_rows))
        .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))
    )


def load(token: str) -> Victim | StaffMember | None:
    """The user whose live session this token names, or None. Ends the session when it
    has been idle too long, is too old, or its user can no longer sign in."""
    if not token:
        return None
    found = db.session.execute(_live_session(), {"token_hash": _hash(token)}).unique().first()
    if found is None:
        return None
    row, victim, staff = found
    now = utcnow()
    idle, absolute = _limits(row.user_type)
    reason = None
    if now - row.last_seen_at > idle:
        reason = "idle_timeout"
    elif now - row.created_at > absolute:
        reason = "absolute_timeout"
    user: Victim | StaffMember | None = None
    if reason is None:
        user = staff if row.user_type == "staff" else victim
        if user is None or not user.is_active:
            reason = "account_disabled"
    if reason is not None or user is None:
        user_sessions.lapse(row, reason, now)
        logger.info("Session %s ended: %s", row.id, reason)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        user_sessions.touch(row, now)
    user.session_token = token
    g.user_session = row
    return user


def end(reason: str = "signed_out") -> None:
    """End the current session on the server (shared.services.user_sessions) and clear
    the cookie."""
    # Loading the user finds the session row the cookie names (the sign-out views are
    # public, so nothing may have loaded it yet).
    current_user._get_current_object()
    row = g.get("user_session")
    if row is not None and row.ended_at is None:
        user_sessions.end(row, reason)
    logout_user()
    session.clear()


def time_left(now: datetime | None = None) -> timedelta | None:
    """How long the current session has before it ends, by its idle or its absolute
    limit, whichever comes first; None when nobody is signed in. For the warning before
    it ends (shared/static/timeout_warning.js)."""
    row = g.get("user_session")
    if row is None or row.ended_at is not None:
        return None
    idle, absolute = _limits(row.user_type)
    ends = min(row.last_seen_at + idle, row.created_at + absolute)
    return max(ends - (now or utcnow()), timedelta(0))


def stay_signed_in() -> timedelta | None:
    """The user asked to stay signed in: the session counts as used now, whenever it was
    last written (TOUCH_EVERY). How long it now has is returned: never past its absolute
    limit."""
    row = g.get("user_session")
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    user_sessions.touch(row, now)
    return time_left(now)


def current_id() -> int | None:
    """The id of the session this request was signed in with, if any: a change that ends
    the user's other sessions passes it to keep this one."""
    row = g.get("user_session")
    return None if row is None else row.id
