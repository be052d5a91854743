"""The values a queued notification is filled in with (names, links), sealed while they wait.

A queued notification can hold a single-use link or a victim's name; it is kept encrypted
with the service's key ring (shared.services.sealing), and the values are dropped once the
notification has been sent or has failed. A notification sealed with a key no longer in
the ring cannot be read (`unseal` answers None) and fails as "unreadable" rather than
going out wrong.
"""

import json

from shared.services import sealing


def seal(values: dict) -> str:
    return sealing.seal(sealing.OUTBOX, json.dumps(values))


def unseal(sealed: str | None) -> dict | None:
    """The values a message is filled in with, or None if they cannot be read (sealed
    with a key that is neither SECRET_KEY nor one of its fallbacks)."""
    if not sealed:
        return {}
    opened = sealing.unseal(sealing.OUTBOX, sealed)
    return None if opened is None else json.loads(opened)
