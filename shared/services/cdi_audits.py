"""Crime data integrity audits (victims-code.md section 6): the Force Crime Registrar
plans an audit of a period, draws its sample once (shared.services.sampling, in SQL,
reproducible from the seed) and keeps which records were drawn from which frame; the
registrar and the crime data auditors judge each record against its checklist, each
judgement history that a later one supersedes but never edits, until the registrar rules
on a dispute of it (shared.services.cdi_rulings): the ruling is the last judgement.

The frame, one select of (id, stratum) over every stratum:
- incidents received in the period by an auditable route, in the stratum of a rape or
  modern slavery crime recorded from them, of an N100 flag, or of the offence group they
  disclosed (shared.domain.cdi_audit);
- crimes cancelled in the period;
- crimes given an out-of-court outcome in the period (the scrutiny frame).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    union_all,
)

from shared.domain.cdi_audit import (
    ANSWERS,
    AUDITABLE_ROUTES,
    GROUP_STRATA,
    OFFENCE_STRATA,
    STRATA,
    checklist,
    kind_of,
)
from shared.domain.text import clean_line, clean_text
from shared.extensions import db
from shared.models import (
    CdiAudit,
    CdiAuditRecord,
    CdiAuditStratum,
    CdiDispute,
    CdiJudgement,
    Crime,
    Incident,
    StaffMember,
)
from shared.models.types import utcnow
from shared.services import audit, sampling, scrutiny
from shared.services.calendar import start_of_local_day
from shared.services.errors import Conflict, ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

# An audit the registrar's team can judge in a season: every stratum together.
MAX_SAMPLE = 5000
MAX_NOTE = 2000
MAX_TITLE = 200


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return start_of_local_day(start), start_of_local_day(date.fromordinal(end.toordinal() + 1))


def _incident_stratum() -> ColumnElement[str]:
    def recorded_as(offence: str) -> ColumnElement[bool]:
        return exists().where(Crime.incident_id == Incident.id, Crime.offence == offence)

    whens: list[tuple[ColumnElement[bool], ColumnElement[str]]] = [
        (recorded_as(offence), literal(stratum)) for offence, stratum in OFFENCE_STRATA.items()
    ]
    whens.insert(1, (Incident.n100.is_(True), literal("rape")))
    whens += [(Incident.offence_group == group, literal(stratum)) for group, stratum in GROUP_STRATA.items()]
    return case(*whens, else_=None)


def frame(start: date, end: date, strata: Collection[str] | None = None) -> Select:
    """The audit's frame for the period, in one select of (id, stratum): every stratum,
    or only those given (an audit's own, so that its fingerprint changes only when they do)."""
    low, high = _bounds(start, end)
    incidents = (
        select(Incident.id.label("id"), _incident_stratum().label("stratum"))
        .where(
            Incident.route.in_(AUDITABLE_ROUTES),
            Incident.received_at >= low,
            Incident.received_at < high,
        )
        # Each incident's stratum worked out once, here: without OFFSET 0 PostgreSQL
        # copies its CASE of EXISTS subqueries into every place above that names the
        # stratum (the filters, the sort, the draw's window), each run for every incident.
        .offset(0)
        .subquery()
    )
    cancelled = select(Crime.id.label("id"), literal("cancelled").label("stratum")).where(
        Crime.cancelled_at >= low, Crime.cancelled_at < high
    )
    disposals = scrutiny.frame(start, end).subquery()
    rows = union_all(
        select(incidents.c.id, incidents.c.stratum).where(incidents.c.stratum.is_not(None)),
        cancelled,
        select(disposals.c.id, literal("out_of_court").label("stratum")),
    ).subquery()
    found = select(rows.c.id, rows.c.stratum)
    return found if strata is None else found.where(rows.c.stratum.in_(sorted(strata)))


def frame_sizes(start: date, end: date) -> dict[str, int]:
    """How many records each stratum of the period's frame holds (one query)."""
    return {key: found.size for key, found in sampling.frame_strata(frame(start, end)).items()}


@transactional
def create_audit(
    title: str | None,
    start: date | None,
    end: date | None,
    sizes: dict[str, int],
    seed: int | None,
    by: StaffMember,
) -> CdiAudit:
    """Plan an audit and draw its sample. Raises ServiceError, saving nothing, for a period
    that ends before it starts, sizes no draw can meet, a seed out of range, or a seed
    already used for the same period (saying whether the frame has changed since)."""
    title = clean_line(title or "").strip()
    if not title:
        raise ServiceError(_l("Enter a title for the audit"), "title")
    if len(title) > MAX_TITLE:
        raise ServiceError(_l("The title must be %(max)d characters or fewer", max=MAX_TITLE), "title")
    if start is None:
        raise ServiceError(_l("Enter the first day of the period"), "period_start")
    if end is None:
        raise ServiceError(_l("Enter the last day of the period"), "period_end")
    if end < start:
        raise ServiceError(_l("The last day must be the same as or after the first day"), "period_end")
    for stratum in sizes:
        if stratum not in STRATA:
            raise ServiceError(_l("Choose a stratum from the list"), "size")
    if sum(size for size in sizes.values() if size > 0) > MAX_SAMPLE:
        raise ServiceError(_l("An audit can hold at most %(max)d records", max=MAX_SAMPLE), "size")
    if seed is None:
        raise ServiceError(_l("Enter the seed"), "seed")
    sampling.check_seed(seed)
    earlier = db.session.scalars(
        select(CdiAudit).where(
            CdiAudit.period_start == start, CdiAudit.period_end == end, CdiAudit.seed == seed
        )
    ).first()
    drawn = sampling.draw(frame(start, end, sizes), sizes, seed)
    if earlier is not None:
        if earlier.frame_fingerprint != drawn.fingerprint:
            raise ServiceError(
                _l(
                    "Audit %(number)d used this seed for this period, and the records of the period have "
                    "changed since: the same seed would not draw the same records. Choose another seed.",
                    number=earlier.id,
                ),
                "seed",
            )
        raise ServiceError(
            _l(
                "Audit %(number)d already holds the records this seed draws for this period",
                number=earlier.id,
            ),
            "seed",
        )
    found = CdiAudit(
        title=title,
        period_start=start,
        period_end=end,
        seed=seed,
        frame_fingerprint=drawn.fingerprint,
        drawn_at=utcnow(),
        drawn_by_id=by.id,
    )
    db.session.add(found)
    db.session.flush()
    order = [stratum for stratum in STRATA if stratum in sizes]
    db.session.execute(
        insert(CdiAuditStratum),
        [
            {
                "audit_id": found.id,
                "stratum": stratum,
                "size": sizes[stratum],
                "frame_size": drawn.frame_sizes[stratum],
            }
            for stratum in order
        ],
    )
    # Thousands of records: inserted as plain rows, many to a statement, rather than
    # added one object at a time.
    drawn_records = [(stratum, record_id) for stratum in order for record_id in drawn.chosen[stratum]]
    db.session.execute(
        insert(CdiAuditRecord),
        [
            {
                "audit_id": found.id,
                "kind": kind_of(stratum),
                "record_id": record_id,
                "stratum": stratum,
                "position": position,
            }
            for position, (stratum, record_id) in enumerate(drawn_records, 1)
        ],
    )
    detail = " ".join(f"{key}={value}" for key, value in sizes.items())
    audit.record("cdi_audit.drawn", "cdi_audit", found.id, detail=f"{detail} seed={seed}", actor=by)
    return found


def audits() -> list[tuple[CdiAudit, int, int]]:
    """Every audit, newest first, with its number of records and of records judged."""
    judged = (
        select(func.count(func.distinct(CdiJudgement.audit_record_id)))
        .join(CdiAuditRecord, CdiAuditRecord.id == CdiJudgement.audit_record_id)
        .where(CdiAuditRecord.audit_id == CdiAudit.id)
        .scalar_subquery()
    )
    records = (
        select(func.count(CdiAuditRecord.id)).where(CdiAuditRecord.audit_id == CdiAudit.id).scalar_subquery()
    )
    rows = db.session.execute(
        select(CdiAudit, records, judged).order_by(CdiAudit.drawn_at.desc(), CdiAudit.id.desc())
    ).all()
    return [(cast(CdiAudit, found), int(str(count)), int(str(done))) for found, count, done in rows]


def get_audit(audit_id: int) -> CdiAudit | None:
    return db.session.get(CdiAudit, audit_id)


def frame_changed(found: CdiAudit) -> bool:
    """Whether the records of the audit's strata have changed since the draw (two queries)."""
    strata = db.session.scalars(
        select(CdiAuditStratum.stratum).where(CdiAuditStratum.audit_id == found.id)
    ).all()
    return sampling.frame_changed(
        frame(found.period_start, found.period_end, strata), found.frame_fingerprint
    )


@dataclass(frozen=True)
class SampleRow:
    record: CdiAuditRecord
    reference: str | None
    compliant: bool | None


@dataclass(frozen=True)
class StratumProgress:
    stratum: str
    size: int
    frame_size: int
    judged: int
    rows: list[SampleRow]


def _latest_judgements() -> Subquery:
    """The id of each audit record's newest judgement."""
    return (
        select(CdiJudgement.audit_record_id, func.max(CdiJudgement.id).label("latest"))
        .group_by(CdiJudgement.audit_record_id)
        .subquery()
    )


def sample(found: CdiAudit) -> list[StratumProgress]:
    """The audit's records by stratum, each with its reference and its standing
    judgement: three queries whatever the sample's size."""
    latest = _latest_judgements()
    rows = db.session.execute(
        select(CdiAuditRecord, Incident.reference, Crime.reference, CdiJudgement.compliant)
        .outerjoin(Incident, and_(CdiAuditRecord.kind == "incident", Incident.id == CdiAuditRecord.record_id))
        .outerjoin(Crime, and_(CdiAuditRecord.kind == "crime", Crime.id == CdiAuditRecord.record_id))
        .outerjoin(latest, latest.c.audit_record_id == CdiAuditRecord.id)
        .outerjoin(CdiJudgement, CdiJudgement.id == latest.c.latest)
        .where(CdiAuditRecord.audit_id == found.id)
        .order_by(CdiAuditRecord.position)
    ).all()
    strata = db.session.scalars(select(CdiAuditStratum).where(CdiAuditStratum.audit_id == found.id)).all()
    by_stratum: dict[str, list[SampleRow]] = {row.stratum: [] for row in strata}
    for record, incident_ref, crime_ref, compliant in rows:
        by_stratum.setdefault(record.stratum, []).append(
            SampleRow(record, incident_ref or crime_ref, compliant)
        )
    order = list(STRATA)
    return [
        StratumProgress(
            row.stratum,
            row.size,
            row.frame_size,
            sum(1 for item in by_stratum[row.stratum] if item.compliant is not None),
            by_stratum[row.stratum],
        )
        for row in sorted(strata, key=lambda row: order.index(row.stratum))
    ]


def record_at(found: CdiAudit, position: int) -> CdiAuditRecord | None:
    """The audit's record at this place in its sample, or None: nothing outside the sample."""
    return db.session.scalars(
        select(CdiAuditRecord).where(CdiAuditRecord.audit_id == found.id, CdiAuditRecord.position == position)
    ).first()


def incident_of(record: CdiAuditRecord) -> tuple[Incident | None, list[Crime]]:
    """An incident record and the crimes recorded from it."""
    incident = db.session.get(Incident, record.record_id)
    crimes = list(
        db.session.scalars(select(Crime).where(Crime.incident_id == record.record_id).order_by(Crime.id))
    )
    return incident, crimes


def crime_of(record: CdiAuditRecord) -> Crime | None:
    return db.session.get(Crime, record.record_id)


def judgements(record: CdiAuditRecord) -> list[CdiJudgement]:
    """The record's judgements, newest (the one that stands) first."""
    return list(
        db.session.scalars(
            select(CdiJudgement)
            .where(CdiJudgement.audit_record_id == record.id)
            .order_by(CdiJudgement.at.desc(), CdiJudgement.id.desc())
        )
    )


def _refuse_when_closed(record: CdiAuditRecord, ruling: bool) -> None:
    """The one rule of a ruling's finality, for every caller that judges. The record is
    locked first, so that a judgement and a ruling or a dispute of the same record wait
    for each other (PostgreSQL; SQLite writes one at a time anyway)."""
    db.session.execute(select(CdiAuditRecord.id).where(CdiAuditRecord.id == record.id).with_for_update())
    if db.session.scalar(
        select(CdiJudgement.id).where(
            CdiJudgement.audit_record_id == record.id, CdiJudgement.ruling.is_(True)
        )
    ):
        raise Conflict(_l("The Force Crime Registrar has ruled on this record: the ruling is final"))
    disputed = db.session.scalar(select(CdiDispute.id).where(CdiDispute.audit_record_id == record.id))
    if disputed and not ruling:
        raise Conflict(
            _l("This judgement is disputed: only the Force Crime Registrar’s ruling can change it now")
        )
    if ruling and not disputed:
        raise Conflict(_l("There is no dispute of this record to rule on"))


@transactional
def judge(
    record: CdiAuditRecord,
    answers: dict[str, str | None],
    compliant: str | None,
    note: str | None,
    by: StaffMember,
    ruling: bool = False,
) -> CdiJudgement:
    """Add a judgement of a record in an audit's sample: every question of its checklist
    answered, the overall finding, and a note saying why. Raises ServiceError, saving
    nothing, when any is missing; Conflict when the record is disputed (only the ruling,
    `ruling`, may follow) or has been ruled on (nothing may follow)."""
    _refuse_when_closed(record, ruling)
    for question in checklist(record.stratum):
        if answers.get(question) not in ANSWERS:
            raise ServiceError(_l("Answer yes, no or not applicable"), question)
    if compliant not in ("yes", "no"):
        raise ServiceError(_l("Say whether the record is compliant"), "compliant")
    text = clean_text(note or "").strip()
    if not text:
        raise ServiceError(_l("Enter a note saying why"), "note")
    if len(text) > MAX_NOTE:
        raise ServiceError(_l("The note must be %(max)d characters or fewer", max=MAX_NOTE), "note")
    judgement = CdiJudgement(
        audit_record_id=record.id,
        answers={question: answers[question] for question in checklist(record.stratum)},
        compliant=compliant == "yes",
        note=text,
        by_id=by.id,
        at=utcnow(),
        ruling=ruling,
    )
    db.session.add(judgement)
    db.session.flush()
    audit.record(
        "cdi_audit.ruled" if ruling else "cdi_audit.judged",
        "cdi_audit_record",
        record.id,
        detail=f"audit={record.audit_id} position={record.position} compliant={compliant}",
        actor=by,
    )
    return judgement
