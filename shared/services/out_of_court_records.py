"""An out-of-court disposal's capture as a records system sends it (`out_of_court` on
`POST /api/v1/crimes` and on a line of `flask import-crimes`): the same capture the back
office requires (shared.services.out_of_court), checked before anything is written.

An out-of-court outcome without its capture, or with an incomplete one, is refused
(ServiceError: 422 through the API, a line error in the import) and nothing is saved;
no other outcome carries one. The approving sergeant is named by collar number: an
active supervisor, not the officer in charge.
"""

from sqlalchemy import func, select

from shared.domain.reference_data import OUT_OF_COURT_OUTCOMES
from shared.extensions import db
from shared.models import Crime, StaffMember, StaffRole
from shared.services import out_of_court
from shared.services.errors import ServiceError
from shared.services.records_input import CrimeIn, OutOfCourtIn

FIELD = "out_of_court"


def sergeants() -> set[str]:
    """The collar numbers (upper case) of the active supervisors: who may approve a
    disposal. For the import's first pass, which writes nothing."""
    query = (
        select(func.upper(StaffMember.collar_number))
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .where(StaffRole.role == out_of_court.APPROVING_ROLE, StaffMember.active.is_(True))
    )
    collars: list[object] = list(db.session.scalars(query))
    return {str(collar) for collar in collars}


def check(data: CrimeIn) -> None:
    """What needs no database: an out-of-court outcome has its capture, complete; no
    other outcome has one. The OpenAPI document states the same rules."""
    disposal = data.outcome in OUT_OF_COURT_OUTCOMES
    sent = data.out_of_court
    if disposal and sent is None:
        raise ServiceError(
            f"Outcome {data.outcome} is an out-of-court disposal: give what recording it captured "
            "(the victim's views, the offender-history check, the admission, the approving sergeant)",
            FIELD,
        )
    if sent is None:
        return
    if not disposal:
        raise ServiceError("Only an out-of-court outcome carries out_of_court: leave it out", FIELD)
    if sent.views_sought and sent.victim_views is None:
        raise ServiceError("The victim's views were sought: give them", f"{FIELD}/victim_views")
    if not sent.views_sought and sent.views_not_sought_reason is None:
        raise ServiceError(
            "The victim's views were not sought: give the reason", f"{FIELD}/views_not_sought_reason"
        )
    if sent.history_checked and sent.history_summary is None:
        raise ServiceError(
            "The offender's history was checked: give what the check found", f"{FIELD}/history_summary"
        )


def approver_refusal(sergeant: bool, sent: OutOfCourtIn, officer_collar: str) -> str | None:
    """Why the member of staff the collar number names (`sergeant`: an active
    supervisor) cannot have approved the disposal, or None."""
    if not sergeant:
        return f"No active supervisor has collar number {sent.approved_by}: a sergeant approves the disposal"
    if sent.approved_by.upper() == officer_collar.upper():
        return "The disposal must be approved by a sergeant other than the officer in charge"
    return None


def capture_of(data: CrimeIn, officer: StaffMember) -> out_of_court.Capture | None:
    """The capture to keep, its approver found by collar number, or None when the
    outcome is not an out-of-court one. Raises ServiceError."""
    check(data)
    sent = data.out_of_court
    if sent is None:
        return None
    approver = db.session.scalar(
        select(StaffMember).where(
            func.upper(StaffMember.collar_number) == sent.approved_by.upper(), StaffMember.active.is_(True)
        )
    )
    sergeant = approver is not None and out_of_court.APPROVING_ROLE in approver.roles
    refused = approver_refusal(sergeant, sent, officer.collar_number)
    if refused is not None or approver is None:
        raise ServiceError(refused or "", f"{FIELD}/approved_by")
    return out_of_court.Capture(
        views_sought=sent.views_sought,
        victim_views=sent.victim_views or "",
        views_not_sought_reason=sent.views_not_sought_reason or "",
        history_checked=sent.history_checked,
        history_summary=sent.history_summary or "",
        admission=sent.admission,
        approved_by_id=approver.id,
    )


def changed(crime: Crime, capture: out_of_court.Capture) -> bool:
    """Whether the capture differs from the one the crime holds (or it holds none)."""
    held = out_of_court.latest(crime.id)
    if held is None:
        return True
    return (
        held.views_sought,
        held.victim_views or "" if held.views_sought else "",
        held.views_not_sought_reason or "" if not held.views_sought else "",
        held.history_checked,
        held.history_summary or "" if held.history_checked else "",
        held.admission,
        held.approved_by_id,
    ) != (
        capture.views_sought,
        capture.victim_views if capture.views_sought else "",
        capture.views_not_sought_reason if not capture.views_sought else "",
        capture.history_checked,
        capture.history_summary if capture.history_checked else "",
        capture.admission,
        capture.approved_by_id,
    )
