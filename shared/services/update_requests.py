"""A victim asks, online, for an update on their case (Right 6).

The request is an entitlement like any other the Victims' Code owes (rule
`update_request`): owed by the officer in charge, due in the working days the force
sets (VICTIMS_CODE_DAYS `update_request`, 2 by default), shown in the officer's queue,
and met when an update the victim can read is posted (shared.services.entitlements
.on_visible_update) or when the officer records that they told the victim another way.
One request per case is open at a time, held by the database itself (the partial unique
index `uq_entitlement_one_open_update_request`): of two requests sent at the same
moment, both past the check for an open one, the second is refused. Nothing is sent to the victim: they asked on
the portal and read the answer there, so a victim who is not safe to contact is asked
nothing new outside it.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shared.extensions import db
from shared.models import CrimeVictim, Entitlement, Victim
from shared.models.types import utcnow
from shared.services import audit, entitlements
from shared.services.errors import ServiceError
from shared.services.unit_of_work import inside_unit_of_work, transactional
from shared.services.victims_code_actions import victim_words
from shared.translation import lazy_gettext as _l

RULE = "update_request"


class AlreadyAsked(ServiceError):
    """An earlier request for an update on the case is still to be answered."""


def open_request(link: CrimeVictim) -> Entitlement | None:
    """The victim's request for an update on this case still to be answered, if any."""
    return db.session.scalar(
        select(Entitlement)
        .where(
            Entitlement.crime_victim_id == link.id,
            Entitlement.rule == RULE,
            Entitlement.state == "open",
        )
        .order_by(Entitlement.id)
        .limit(1)
    )


def _already_asked() -> AlreadyAsked:
    return AlreadyAsked(
        _l("You have already asked for an update. The officer in charge will answer it first.")
    )


def request_update(link: CrimeVictim, note: str | None, victim: Victim) -> Entitlement:
    """The victim asks the officer in charge for an update, with an optional short note;
    commit. Raises AlreadyAsked while an earlier request is open (also when it was made
    at the same moment, and the database refused this one), ServiceError for a note that
    is too long; then nothing is kept."""
    try:
        return _request_update(link, note, victim)
    except IntegrityError:
        # Rolled back by the unit of work, unless this call is part of a larger one,
        # which must see the database's refusal as it is.
        if inside_unit_of_work() or open_request(link) is None:
            raise
        raise _already_asked() from None


@transactional
def _request_update(link: CrimeVictim, note: str | None, victim: Victim) -> Entitlement:
    if open_request(link) is not None:
        raise _already_asked()
    note = victim_words(note, "note")
    rights = entitlements.current_rights([link.id])[link.id]
    ent = entitlements.open_entitlement(link, RULE, utcnow(), bool(rights), detail=note)
    audit.record(
        "victim.update_request", "crime_victim", link.id, detail=f"entitlement {ent.id}", actor=victim
    )
    return ent
