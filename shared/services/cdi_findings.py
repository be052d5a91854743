"""The findings of crime data integrity audits (victims-code.md section 6), and putting
them right. A finding is a record whose standing judgement (its newest: the registrar's
ruling, once there is one) is not compliant. The officer whose record failed and the
supervisors of its team see it, with what failed on the checklist, the auditor's reason
and what to put right; they record putting it right, each step a status with a dated
comment, kept as history. The Force Crime Registrar and the auditors see every finding.

Whose record it is: a crime's officer in charge and team; an incident's team, whoever
decided not to record a crime from it, and the officers in charge of the crimes recorded
from it. The rule is one SQL condition (`_theirs`), used for lists and single findings
alike, so a finding outside the user's scope is simply not found."""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Row, Select, Subquery, and_, exists, or_, select
from sqlalchemy.orm import aliased

from shared.domain.cdi_findings import PUT_RIGHT_STATUSES
from shared.domain.permissions import can
from shared.domain.text import clean_text
from shared.extensions import db
from shared.models import (
    CdiAudit,
    CdiAuditRecord,
    CdiDispute,
    CdiJudgement,
    CdiPutRight,
    Crime,
    Incident,
    StaffMember,
)
from shared.models.types import utcnow
from shared.services import audit
from shared.services.errors import ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

MAX_COMMENT = 2000


@dataclass(frozen=True)
class Finding:
    audit: CdiAudit
    record: CdiAuditRecord
    reference: str | None
    judgement: CdiJudgement
    dispute: CdiDispute | None
    status: str
    status_at: datetime | None

    @property
    def failed(self) -> list[str]:
        """The checklist questions the record failed."""
        return [question for question, answer in self.judgement.answers.items() if answer == "no"]

    @property
    def awaiting_ruling(self) -> bool:
        return self.dispute is not None and not self.judgement.ruling

    @property
    def disputable(self) -> bool:
        return self.dispute is None and not self.judgement.ruling


def sees_every_finding(user: StaffMember) -> bool:
    """The Force Crime Registrar's team sees every finding; everyone else, their own."""
    return can(user, "audits.judge")


def _theirs(user: StaffMember) -> ColumnElement[bool]:
    """Records the user answers for: their own, or (supervisors) their team's."""
    crime_from_incident = aliased(Crime)
    own_crime = [Crime.officer_in_charge_id == user.id]
    own_incident = [
        Incident.not_recorded_by_id == user.id,
        exists().where(
            crime_from_incident.incident_id == Incident.id,
            crime_from_incident.officer_in_charge_id == user.id,
        ),
    ]
    if "supervisor" in user.roles:
        own_crime.append(Crime.team_id == user.team_id)
        own_incident.append(Incident.team_id == user.team_id)
    return or_(
        and_(CdiAuditRecord.kind == "crime", or_(*own_crime)),
        and_(CdiAuditRecord.kind == "incident", or_(*own_incident)),
    )


def may_answer(user: StaffMember, finding: Finding) -> bool:
    """Whether the user may dispute this finding and put it right: the officer whose
    record it is, or a supervisor of its team (never the registrar's team, who judge)."""
    if not can(user, "audits.answer"):
        return False
    return _find(user, finding.record.id, scoped=True) is not None


def _latest() -> ColumnElement:
    newer = aliased(CdiJudgement)
    return ~exists().where(newer.audit_record_id == CdiJudgement.audit_record_id, newer.id > CdiJudgement.id)


def _status_subquery() -> Subquery:
    """Each finding's newest put-right step."""
    newer = aliased(CdiPutRight)
    return (
        select(CdiPutRight.judgement_id, CdiPutRight.status, CdiPutRight.at)
        .where(~exists().where(newer.judgement_id == CdiPutRight.judgement_id, newer.id > CdiPutRight.id))
        .subquery()
    )


def _select(user: StaffMember, scoped: bool) -> Select:
    status = _status_subquery()
    query = (
        select(
            CdiAudit,
            CdiAuditRecord,
            Incident.reference,
            Crime.reference,
            CdiJudgement,
            CdiDispute,
            status.c.status,
            status.c.at,
        )
        .join(CdiAudit, CdiAudit.id == CdiAuditRecord.audit_id)
        .join(CdiJudgement, CdiJudgement.audit_record_id == CdiAuditRecord.id)
        .outerjoin(Incident, and_(CdiAuditRecord.kind == "incident", Incident.id == CdiAuditRecord.record_id))
        .outerjoin(Crime, and_(CdiAuditRecord.kind == "crime", Crime.id == CdiAuditRecord.record_id))
        .outerjoin(CdiDispute, CdiDispute.audit_record_id == CdiAuditRecord.id)
        .outerjoin(status, status.c.judgement_id == CdiJudgement.id)
        .where(_latest(), CdiJudgement.compliant.is_(False))
    )
    if scoped:
        query = query.where(_theirs(user))
    return query


def _row(row: Row) -> Finding:
    found, record, incident_ref, crime_ref, judgement, dispute, status, status_at = row
    return Finding(
        cast(CdiAudit, found),
        cast(CdiAuditRecord, record),
        cast("str | None", incident_ref or crime_ref),
        cast(CdiJudgement, judgement),
        cast("CdiDispute | None", dispute),
        cast(str, status or "open"),
        cast("datetime | None", status_at),
    )


def _find(user: StaffMember, record_id: int, scoped: bool) -> Finding | None:
    row = db.session.execute(_select(user, scoped).where(CdiAuditRecord.id == record_id)).first()
    return None if row is None else _row(row)


def findings(user: StaffMember, audit_id: int | None = None) -> list[Finding]:
    """The findings the user may see (of one audit, if given): open ones first, then by
    audit, newest first, and place in the sample. Two queries whatever their number."""
    query = _select(user, scoped=not sees_every_finding(user))
    if audit_id is not None:
        query = query.where(CdiAuditRecord.audit_id == audit_id)
    rows = [_row(row) for row in db.session.execute(query)]
    order = list(PUT_RIGHT_STATUSES)
    return sorted(rows, key=lambda f: (order.index(f.status), -f.audit.id, f.record.position))


def finding(user: StaffMember, found: CdiAudit, position: int) -> Finding | None:
    """The finding on the audit's record at this place, if the record failed and the
    user may see it; None otherwise (a page answers 404 either way)."""
    record_id = db.session.scalar(
        select(CdiAuditRecord.id).where(
            CdiAuditRecord.audit_id == found.id, CdiAuditRecord.position == position
        )
    )
    if record_id is None:
        return None
    return _find(user, record_id, scoped=not sees_every_finding(user))


def counts(items: list[Finding]) -> dict[str, int]:
    """How many findings are in each status, and how many wait for a ruling."""
    totals = dict.fromkeys(PUT_RIGHT_STATUSES, 0)
    for item in items:
        totals[item.status] += 1
    return totals | {"awaiting_ruling": sum(1 for item in items if item.awaiting_ruling)}


def steps(item: Finding) -> list[CdiPutRight]:
    """The finding's put-right history, newest first."""
    return list(
        db.session.scalars(
            select(CdiPutRight)
            .where(CdiPutRight.judgement_id == item.judgement.id)
            .order_by(CdiPutRight.at.desc(), CdiPutRight.id.desc())
        )
    )


@transactional
def put_right(item: Finding, status: str | None, comment: str | None, by: StaffMember) -> CdiPutRight:
    """Record a step in putting a finding right: its new status and a comment (for
    "cannot be put right", the reason). Raises ServiceError, saving nothing, for a status
    not in the list or a missing or too long comment."""
    if status not in PUT_RIGHT_STATUSES:
        raise ServiceError(_l("Choose the status of putting it right"), "status")
    text = clean_text(comment or "").strip()
    if not text:
        message = (
            _l("Enter why it cannot be put right")
            if status == "cannot"
            else _l("Enter a comment on what was done")
        )
        raise ServiceError(message, "comment")
    if len(text) > MAX_COMMENT:
        raise ServiceError(_l("The comment must be %(max)d characters or fewer", max=MAX_COMMENT), "comment")
    step = CdiPutRight(judgement_id=item.judgement.id, status=status, comment=text, by_id=by.id, at=utcnow())
    db.session.add(step)
    db.session.flush()
    audit.record(
        "cdi_audit.put_right",
        "cdi_audit_record",
        item.record.id,
        detail=f"audit={item.record.audit_id} position={item.record.position} status={status}",
        actor=by,
    )
    return step
