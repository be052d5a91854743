"""Signing a test client in without going through the sign-in pages, for tests about
what a signed-in user may do rather than about signing in (which has its own tests, and
is throttled per address)."""

import hashlib
import secrets

from shared.extensions import db
from shared.models import UserSession
from shared.models.types import utcnow


def sign_in_as(client, user) -> str:
    """Give `client` a live server-side session for `user`; returns the session token."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=hashlib.sha256(raw.encode()).hexdigest(),
            user_type=user.kind,
            user_id=user.id,
            method="test",
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.commit()
    with client.http.session_transaction() as session:
        session.clear()
        session["_user_id"] = raw
        session["_fresh"] = True
    return raw
