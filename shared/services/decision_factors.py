"""The force's factors a decision not to investigate further rests on.

An officer recording the decision (an update of the key event `not_investigated`, or an
outcome that tells the victim of it) picks one or more of the factors the force
publishes (NOT_INVESTIGATED_FACTORS); the victim reads them in plain words on their case
page. A records system pushing the event through the API may leave them out: the
decision was made there.
"""

from collections.abc import Iterable, Sequence

from flask import current_app
from sqlalchemy import select

from shared.domain.investigation_factors import FACTORS
from shared.domain.reference_data import OUTCOMES
from shared.domain.victims_code_rules import outcome_event
from shared.extensions import db
from shared.models import DecisionFactor, InvestigationUpdate
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.translation import lazy_gettext as _l

FIELD = "factors"
EVENT = "not_investigated"
# The outcomes that tell the victim of a decision not to investigate further.
OUTCOMES_DECIDING = frozenset(code for code in OUTCOMES if outcome_event(code) == EVENT)


def is_decision(kind: str, outcome: int | None = None) -> bool:
    """Whether an update of `kind` (with `outcome`, for an outcome) records a decision
    not to investigate further."""
    return kind == EVENT or (kind == "outcome" and outcome in OUTCOMES_DECIDING)


def force_factors() -> tuple[str, ...]:
    """The factors this force publishes, in the order its officers' form lists them."""
    return current_app.config["NOT_INVESTIGATED_FACTORS"]


def checked(is_decision: bool, factors: Iterable[str] | None, by: Actor) -> tuple[str, ...]:
    """The factors given, in the force's order, when they are right for what is being
    recorded. Raises ServiceError when a decision not to investigate further, recorded by
    a member of staff, has none; when one is not the force's; or when factors come with
    anything other than such a decision."""
    given = {code for code in (factors or ()) if code}
    published = force_factors()
    if any(code not in published for code in given):
        raise ServiceError(_l("Select the factors from the list"), FIELD)
    if given and not is_decision:
        raise ServiceError(
            _l("Select factors only for a decision not to investigate further"),
            FIELD,
        )
    from_records_system = getattr(by, "kind", None) == "api"
    if is_decision and not given and not from_records_system:
        raise ServiceError(
            _l("Select at least one factor the decision not to investigate further rests on"),
            FIELD,
        )
    return tuple(code for code in published if code in given)


def record(update: InvestigationUpdate, factors: Sequence[str]) -> None:
    """Keep the factors with the update that recorded the decision."""
    db.session.add_all(DecisionFactor(update_id=update.id, factor=code) for code in factors)


def victim_factors(update_id: int) -> list:
    """The factors a decision rests on, as the victim reads them, in the catalogue's
    order whatever the force's order is now. One query."""
    codes = set(
        db.session.scalars(select(DecisionFactor.factor).where(DecisionFactor.update_id == update_id))
    )
    return [factor for code, factor in FACTORS.items() if code in codes]


def factors_of(update_ids: Sequence[int]) -> dict[int, list[str]]:
    """The factors recorded with each of the updates, for staff: one query, even for
    none (a page's queries do not change with what is on it)."""
    out: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(DecisionFactor.update_id, DecisionFactor.factor)
        .where(DecisionFactor.update_id.in_(list(update_ids)))
        .order_by(DecisionFactor.id)
    )
    for update_id, factor in rows:
        out.setdefault(update_id, []).append(factor)
    return out
