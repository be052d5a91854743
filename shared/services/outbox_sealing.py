"""The values a queued notification is filled in with (names, links), sealed while they wait.

A queued notification can hold a single-use link or a victim's name; it is kept encrypted
with a key derived from the service's SECRET_KEY, and the values are dropped once the
notification has been sent or has failed. A notification written under another key cannot
be read (`unseal` answers None) and fails as "unreadable" rather than going out wrong.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    key = hashlib.sha256(b"outbox:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(values: dict) -> str:
    return _fernet().encrypt(json.dumps(values).encode()).decode()


def unseal(sealed: str | None) -> dict | None:
    """The values a message is filled in with, or None if they cannot be read (the
    service's key changed since the message was written)."""
    if not sealed:
        return {}
    try:
        return json.loads(_fernet().decrypt(sealed.encode()))
    except InvalidToken:
        return None
