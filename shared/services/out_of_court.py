"""What recording an out-of-court disposal captures (victims-code.md section 6): the
victim's views, the offender-history check, the admission where one is required, and
the sergeant who approved it. Kept as history beside the crime
(shared.models.OutOfCourtCapture)."""

from dataclasses import dataclass

from sqlalchemy import select

from shared.domain.reference_data import OUT_OF_COURT_OUTCOMES
from shared.domain.scrutiny import ADMISSIONS
from shared.extensions import db
from shared.models import Crime, OutOfCourtCapture, StaffMember, StaffRole
from shared.models.types import utcnow
from shared.services import actors
from shared.services.actors import Actor
from shared.services.errors import ServiceError
from shared.translation import lazy_gettext as _l

MAX_TEXT = 2000
APPROVING_ROLE = "supervisor"


@dataclass(frozen=True)
class Capture:
    views_sought: bool | None = None
    victim_views: str = ""
    views_not_sought_reason: str = ""
    history_checked: bool | None = None
    history_summary: str = ""
    admission: str = ""
    approved_by_id: int | None = None


def approvers(excluding: StaffMember | None) -> list[StaffMember]:
    """Who may approve a disposal: active staff with the supervisor (sergeant) role,
    never the officer recording it."""
    query = (
        select(StaffMember)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .where(StaffRole.role == APPROVING_ROLE, StaffMember.active.is_(True))
        .order_by(StaffMember.name, StaffMember.id)
    )
    if excluding is not None:
        query = query.where(StaffMember.id != excluding.id)
    return list(db.session.scalars(query).unique())


def _text(value: str, field: str, required: object) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(required, field)
    if len(value) > MAX_TEXT:
        raise ServiceError(_l("Text must be %(max)d characters or fewer", max=MAX_TEXT), field)
    return value


def check(capture: Capture | None, by: Actor | None) -> Capture:
    """The capture as it will be kept, or ServiceError naming the first field to fix."""
    capture = capture or Capture()
    if capture.views_sought is None:
        raise ServiceError(_l("Select whether the victim’s views were sought"), "views_sought")
    views = not_sought = ""
    if capture.views_sought:
        views = _text(capture.victim_views, "victim_views", _l("Enter the victim’s views"))
    else:
        not_sought = _text(
            capture.views_not_sought_reason,
            "views_not_sought_reason",
            _l("Enter why the victim’s views were not sought"),
        )
    if capture.history_checked is None:
        raise ServiceError(_l("Select whether the offender’s history was checked"), "history_checked")
    summary = ""
    if capture.history_checked:
        summary = _text(capture.history_summary, "history_summary", _l("Enter what the history check found"))
    if capture.admission not in ADMISSIONS:
        raise ServiceError(_l("Select whether an admission was made"), "admission")
    approver = db.session.get(StaffMember, capture.approved_by_id) if capture.approved_by_id else None
    if approver is None or not approver.active or APPROVING_ROLE not in approver.roles:
        raise ServiceError(_l("Select the sergeant who approved the disposal"), "approved_by_id")
    if approver.id == actors.staff_id(by):
        raise ServiceError(_l("The disposal must be approved by a sergeant other than you"), "approved_by_id")
    return Capture(
        capture.views_sought,
        views,
        not_sought,
        capture.history_checked,
        summary,
        capture.admission,
        approver.id,
    )


def record(crime: Crime, outcome: int, capture: Capture | None, by: Actor | None) -> OutOfCourtCapture | None:
    """Keep what an out-of-court outcome captured, inside the caller's unit of work.
    Nothing for other outcomes; ServiceError when a disposal's capture is incomplete.
    The records system sends the capture with the disposal (API and import, checked by
    shared.services.out_of_court_records); a disposal held from before that has none, and
    scrutiny shows it as not captured."""
    if outcome not in OUT_OF_COURT_OUTCOMES:
        return None
    if capture is None and actors.staff_id(by) is None:
        return None
    kept = check(capture, by)
    row = OutOfCourtCapture(
        crime_id=crime.id,
        outcome=outcome,
        views_sought=bool(kept.views_sought),
        victim_views=kept.victim_views or None,
        views_not_sought_reason=kept.views_not_sought_reason or None,
        history_checked=bool(kept.history_checked),
        history_summary=kept.history_summary or None,
        admission=kept.admission,
        approved_by_id=int(kept.approved_by_id or 0),
        recorded_by_id=actors.staff_id(by),
        recorded_at=utcnow(),
    )
    db.session.add(row)
    return row


def latest(crime_id: int) -> OutOfCourtCapture | None:
    return db.session.scalars(
        select(OutOfCourtCapture)
        .where(OutOfCourtCapture.crime_id == crime_id)
        .order_by(OutOfCourtCapture.recorded_at.desc(), OutOfCourtCapture.id.desc())
        .limit(1)
    ).first()
