"""Sealing again, with the current SECRET_KEY, everything still sealed with an older one,
so that the older key can leave SECRET_KEY_FALLBACKS: the last step of a key rotation.

Each value is replaced only if it is still the one read, so that a notification the
worker sends meanwhile (and empties) or an authenticator reset meanwhile is left as it is.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute

from shared.extensions import db
from shared.models import OutboxMessage, StaffMember
from shared.services import audit, sealing
from shared.services.unit_of_work import transactional

logger = logging.getLogger("trackmycrime.keys")

# What is sealed, by whom, and for which purpose.
SEALED: dict[str, tuple[InstrumentedAttribute[int], InstrumentedAttribute[str | None], str]] = {
    "authenticator secrets": (StaffMember.id, StaffMember.totp_secret, sealing.AUTHENTICATOR),
    "waiting notifications": (OutboxMessage.id, OutboxMessage.sealed, sealing.OUTBOX),
}


@dataclass
class Resealed:
    """How many values of each kind were sealed again, and how many no key opens."""

    counts: dict[str, int]
    unreadable: dict[str, int]


@transactional
def reseal_everything() -> Resealed:
    """Seal every sealed value again with SECRET_KEY, audit it, and commit."""
    counts: dict[str, int] = {}
    unreadable: dict[str, int] = {}
    for kind, (key, column, purpose) in SEALED.items():
        counts[kind] = unreadable[kind] = 0
        rows = db.session.execute(select(key, column).where(column.is_not(None))).all()
        for row_id, sealed in rows:
            again = sealing.reseal(purpose, sealed) if sealed else None
            if again is None:
                unreadable[kind] += 1
                continue
            db.session.execute(
                update(key.class_)
                .where(key == row_id, column == sealed)
                .values({column.key: again})
                .execution_options(synchronize_session=False)
            )
            counts[kind] += 1
    detail = ", ".join(
        f"{kind}: {counts[kind]} sealed again, {unreadable[kind]} unreadable" for kind in SEALED
    )
    audit.record("keys.resealed", detail=detail)
    logger.info("Sealed again with the current key: %s", detail)
    return Resealed(counts, unreadable)
