"""The key ring for everything the service keeps encrypted ("sealed") in its database: the
values queued notifications are filled in with, and staff authenticator secrets.

Values are sealed with a key derived from SECRET_KEY and opened with it or with any key
in SECRET_KEY_FALLBACKS (cryptography's MultiFernet), so that SECRET_KEY can be changed
without losing what was sealed before: the old key moves to the fallbacks, `flask
reseal` seals everything again with the new one, and the old key can then go.

Each use has its own purpose, from which its own key is derived, so that a value sealed
for one use cannot be passed off as another's.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

# The purposes: the outbox's is the one its keys were always derived with, so that
# notifications queued before the key ring existed still open.
OUTBOX = "outbox"
AUTHENTICATOR = "authenticator"


def _fernet(purpose: str, secret_key: str | bytes) -> Fernet:
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(purpose.encode() + b":" + key).digest()))


def key_ring(purpose: str) -> MultiFernet:
    """The keys for `purpose`: SECRET_KEY's first (it seals), then each fallback's."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ())]
    return MultiFernet([_fernet(purpose, key) for key in keys])


def seal(purpose: str, text: str) -> str:
    """`text` encrypted and authenticated with the current key."""
    return key_ring(purpose).encrypt(text.encode()).decode()


def unseal(purpose: str, sealed: str) -> str | None:
    """What `sealed` holds, or None when no key in the ring opens it (it was sealed with
    a key that has since been dropped, or it was altered)."""
    try:
        return key_ring(purpose).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def reseal(purpose: str, sealed: str) -> str | None:
    """`sealed` sealed again with the current key, or None when no key opens it."""
    try:
        return key_ring(purpose).rotate(sealed.encode()).decode()
    except InvalidToken:
        return None
