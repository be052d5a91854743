"""Disputes of crime data integrity audit findings, and the Force Crime Registrar's final
ruling on them (victims-code.md section 6: the FCR is the final arbiter, outside
operational line command, and no operational manager can overrule an audit finding).

The officer whose record failed, or a supervisor of its team, disputes the failed
judgement that stands, once, with a written reason. While the dispute waits, the record's
judgement stands still; the registrar's ruling is then added as a judgement marked
`ruling`, the record's last: nobody judges it again (shared.services.cdi_audits.judge
refuses with Conflict)."""

from sqlalchemy import select

from shared.domain.permissions import can
from shared.domain.text import clean_text
from shared.extensions import db
from shared.models import CdiAuditRecord, CdiDispute, CdiJudgement, StaffMember
from shared.models.types import utcnow
from shared.services import audit, cdi_audits
from shared.services.cdi_findings import Finding
from shared.services.errors import Conflict, NotPermitted, ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

MAX_REASON = 2000


@transactional
def dispute(item: Finding, reason: str | None, by: StaffMember) -> CdiDispute:
    """Dispute the failed judgement that stands on a record. Raises Conflict, saving
    nothing, when the record has been disputed or ruled on already or no longer fails;
    ServiceError for a missing or too long reason. The caller has checked that `by` may
    answer for the record (shared.services.cdi_findings.may_answer)."""
    record = item.record
    db.session.execute(select(CdiAuditRecord.id).where(CdiAuditRecord.id == record.id).with_for_update())
    standing = db.session.scalars(
        select(CdiJudgement)
        .where(CdiJudgement.audit_record_id == record.id)
        .order_by(CdiJudgement.id.desc())
        .limit(1)
    ).first()
    if standing is None or standing.compliant:
        raise Conflict(_l("Only a record that failed its audit can be disputed"))
    if standing.ruling:
        raise Conflict(_l("The Force Crime Registrar has ruled on this record: the ruling is final"))
    if db.session.scalar(select(CdiDispute.id).where(CdiDispute.audit_record_id == record.id)):
        raise Conflict(_l("This finding has already been disputed"))
    text = clean_text(reason or "").strip()
    if not text:
        raise ServiceError(_l("Enter why you dispute the finding"), "reason")
    if len(text) > MAX_REASON:
        raise ServiceError(_l("The reason must be %(max)d characters or fewer", max=MAX_REASON), "reason")
    row = CdiDispute(
        audit_record_id=record.id, judgement_id=standing.id, reason=text, by_id=by.id, at=utcnow()
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "cdi_audit.disputed",
        "cdi_audit_record",
        record.id,
        detail=f"audit={record.audit_id} position={record.position} judgement={standing.id}",
        actor=by,
    )
    return row


def rule(
    record: CdiAuditRecord,
    answers: dict[str, str | None],
    compliant: str | None,
    note: str | None,
    by: StaffMember,
) -> CdiJudgement:
    """The registrar's final ruling on a disputed record: a judgement like any other,
    marked as the ruling. Raises NotPermitted for anyone but the registrar, Conflict when
    there is no dispute waiting for a ruling, ServiceError for an incomplete judgement."""
    if not can(by, "audits.rule"):
        raise NotPermitted(_l("Only the Force Crime Registrar rules on a dispute"))
    return cdi_audits.judge(record, answers, compliant, note, by, ruling=True)


def dispute_of(record: CdiAuditRecord) -> CdiDispute | None:
    return db.session.scalars(select(CdiDispute).where(CdiDispute.audit_record_id == record.id)).first()
