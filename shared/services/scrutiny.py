"""Out-of-court disposal scrutiny: the registrar's team draws a sample of a period's
disposals (shared.services.sampling, one stratum), the scrutiny panel grades each case
seen anonymised, and the results by grade and by criterion are counted in SQL, with the
force's response beside them.

What the panel sees of a case is built here and nowhere else (`anonymised_case`): the
offence, the disposal, what was captured when it was recorded, and no name, reference,
address, date of birth, date or officer. The captured free text may hold a name: the
panel sees it only once the registrar's team has read it and released it."""

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, literal, select

from shared.domain.reference_data import OFFENCES, OUT_OF_COURT_OUTCOMES, OUTCOMES
from shared.domain.scrutiny import CRITERIA, FINDINGS, GRADES, SCRUTINY_STRATUM
from shared.extensions import db
from shared.models import (
    Crime,
    OutOfCourtCapture,
    ScrutinyCase,
    ScrutinyFinding,
    ScrutinyGrade,
    ScrutinyResponse,
    ScrutinySample,
    StaffMember,
)
from shared.models.types import utcnow
from shared.services import audit, out_of_court, sampling
from shared.services.calendar import start_of_local_day
from shared.services.errors import ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

MAX_COMMENTS = 2000
# A sample the panel can read in a sitting or a few.
MAX_SAMPLE = 500


def frame(start: date, end: date) -> Select:
    """The out-of-court disposals whose outcome was recorded on a local date from
    `start` to `end`, as a sampling frame of one stratum."""
    return select(Crime.id.label("id"), literal(SCRUTINY_STRATUM).label("stratum")).where(
        Crime.outcome.in_(sorted(OUT_OF_COURT_OUTCOMES)),
        Crime.outcome_at >= start_of_local_day(start),
        Crime.outcome_at < start_of_local_day(date.fromordinal(end.toordinal() + 1)),
    )


def _new_key() -> str:
    return secrets.token_hex(4).upper()


@transactional
def draw_sample(
    start: date | None, end: date | None, size: int | None, seed: int | None, by: StaffMember
) -> ScrutinySample:
    """Draw and keep a scrutiny sample. Raises ServiceError for a period that ends before
    it starts, a size the frame cannot meet, a seed out of range, or a seed already used
    for the same period (saying whether the frame has changed since)."""
    if start is None:
        raise ServiceError(_l("Enter the first day of the period"), "period_start")
    if end is None:
        raise ServiceError(_l("Enter the last day of the period"), "period_end")
    if end < start:
        raise ServiceError(_l("The last day must be the same as or after the first day"), "period_end")
    if size is None:
        raise ServiceError(_l("Enter the number of cases to draw"), "size")
    if size > MAX_SAMPLE:
        raise ServiceError(_l("A sample can hold at most %(max)d cases", max=MAX_SAMPLE), "size")
    if seed is None:
        raise ServiceError(_l("Enter the seed"), "seed")
    sampling.check_seed(seed)
    earlier = db.session.scalars(
        select(ScrutinySample).where(
            ScrutinySample.period_start == start,
            ScrutinySample.period_end == end,
            ScrutinySample.seed == seed,
        )
    ).first()
    drawn = sampling.draw(frame(start, end), {SCRUTINY_STRATUM: size}, seed)
    if earlier is not None:
        if earlier.frame_fingerprint != drawn.fingerprint:
            raise ServiceError(
                _l(
                    "Sample %(number)d used this seed for this period, and the disposals of the period "
                    "have changed since: the same seed would not give the same cases. Choose another seed.",
                    number=earlier.id,
                ),
                "seed",
            )
        raise ServiceError(
            _l(
                "Sample %(number)d already holds the cases this seed draws for this period", number=earlier.id
            ),
            "seed",
        )
    sample = ScrutinySample(
        period_start=start,
        period_end=end,
        size=size,
        seed=seed,
        frame_size=drawn.frame_sizes.get(SCRUTINY_STRATUM, 0),
        frame_fingerprint=drawn.fingerprint,
        drawn_at=utcnow(),
        drawn_by_id=by.id,
    )
    db.session.add(sample)
    db.session.flush()
    db.session.add_all(
        ScrutinyCase(sample_id=sample.id, crime_id=crime_id, case_key=_new_key(), position=position)
        for position, crime_id in enumerate(drawn.ids, start=1)
    )
    audit.record(
        "scrutiny.sample_drawn", "scrutiny_sample", sample.id, detail=f"size={size} seed={seed}", actor=by
    )
    return sample


def samples() -> list[tuple[ScrutinySample, int, int]]:
    """Every sample, newest first, with its number of cases and of graded cases."""
    graded = func.count(ScrutinyGrade.id)
    rows = db.session.execute(
        select(ScrutinySample, func.count(ScrutinyCase.id), graded)
        .join(ScrutinyCase, ScrutinyCase.sample_id == ScrutinySample.id)
        .outerjoin(ScrutinyGrade, ScrutinyGrade.case_id == ScrutinyCase.id)
        .group_by(ScrutinySample.id)
        .order_by(ScrutinySample.drawn_at.desc(), ScrutinySample.id.desc())
    ).all()
    return [(sample, int(cases), int(done)) for sample, cases, done in rows]


def get_sample(sample_id: int) -> ScrutinySample | None:
    return db.session.get(ScrutinySample, sample_id)


def frame_changed(sample: ScrutinySample) -> bool:
    return sampling.frame_changed(frame(sample.period_start, sample.period_end), sample.frame_fingerprint)


@dataclass(frozen=True)
class CaseRow:
    """A case of a sample as the registrar's team sees it: the crime it is."""

    case: ScrutinyCase
    reference: str
    outcome: int | None
    graded: int | None


def cases_for_registrar(sample: ScrutinySample) -> list[CaseRow]:
    rows = db.session.execute(
        select(ScrutinyCase, Crime.reference, Crime.outcome, ScrutinyGrade.grade)
        .join(Crime, Crime.id == ScrutinyCase.crime_id)
        .outerjoin(ScrutinyGrade, ScrutinyGrade.case_id == ScrutinyCase.id)
        .where(ScrutinyCase.sample_id == sample.id)
        .order_by(ScrutinyCase.position)
    ).all()
    return [CaseRow(row[0], row[1], row[2], row[3]) for row in rows]


@dataclass(frozen=True)
class PanelCase:
    """A case as the panel sees it: nothing that names or dates anyone."""

    case_key: str
    sample_id: int
    offence: object
    outcome: object
    captured: bool
    views_sought: bool | None
    victim_views: str | None
    views_not_sought_reason: str | None
    history_checked: bool | None
    history_summary: str | None
    admission: str | None
    sergeant_approved: bool
    text_released: bool
    grade: int | None


def panel_cases(sample: ScrutinySample) -> list[tuple[str, object, object, int | None]]:
    """The sample's cases for the panel's list: case id, offence, disposal, grade."""
    rows = db.session.execute(
        select(ScrutinyCase.case_key, Crime.offence, Crime.outcome, ScrutinyGrade.grade)
        .join(Crime, Crime.id == ScrutinyCase.crime_id)
        .outerjoin(ScrutinyGrade, ScrutinyGrade.case_id == ScrutinyCase.id)
        .where(ScrutinyCase.sample_id == sample.id)
        .order_by(ScrutinyCase.position)
    ).all()
    return [
        (key, OFFENCES[offence].label, OUTCOMES[outcome].label if outcome in OUTCOMES else "", grade)
        for key, offence, outcome, grade in rows
    ]


def case_of_sample(sample: ScrutinySample, case_key: str) -> ScrutinyCase | None:
    """The sample's case with this key, or None (a key of another sample, or none)."""
    return db.session.scalars(
        select(ScrutinyCase).where(ScrutinyCase.sample_id == sample.id, ScrutinyCase.case_key == case_key)
    ).first()


def anonymised_case(case_row: ScrutinyCase) -> PanelCase:
    crime = case_row.crime
    capture: OutOfCourtCapture | None = out_of_court.latest(crime.id)
    grade = db.session.scalar(select(ScrutinyGrade.grade).where(ScrutinyGrade.case_id == case_row.id))
    released = case_row.text_released_at is not None
    return PanelCase(
        case_key=case_row.case_key,
        sample_id=case_row.sample_id,
        offence=OFFENCES[crime.offence].label,
        outcome=OUTCOMES[crime.outcome].label if crime.outcome in OUTCOMES else "",
        captured=capture is not None,
        views_sought=capture.views_sought if capture else None,
        victim_views=capture.victim_views if capture and released else None,
        views_not_sought_reason=capture.views_not_sought_reason if capture and released else None,
        history_checked=capture.history_checked if capture else None,
        history_summary=capture.history_summary if capture and released else None,
        admission=capture.admission if capture else None,
        sergeant_approved=capture is not None and capture.approved_by_id is not None,
        text_released=released,
        grade=grade,
    )


@transactional
def release_text(case_row: ScrutinyCase, by: StaffMember) -> None:
    """The registrar's team has read the case's free text for names: the panel may see it."""
    if case_row.text_released_at is not None:
        raise ServiceError(_l("The text of this case is already released to the panel"))
    case_row.text_released_at = utcnow()
    case_row.text_released_by_id = by.id
    audit.record("scrutiny.text_released", "scrutiny_case", case_row.case_key, actor=by)


@transactional
def grade_case(
    case_row: ScrutinyCase, grade: int | None, findings: dict[str, str | None], comments: str, by: StaffMember
) -> ScrutinyGrade:
    """The panel's grade of a case and its finding against every criterion, given once:
    a grade already given is refused (the panel that cannot agree grades 4)."""
    if db.session.scalar(select(ScrutinyGrade.id).where(ScrutinyGrade.case_id == case_row.id)) is not None:
        raise ServiceError(_l("This case has already been graded: a grade is given once"), "grade")
    if grade not in GRADES:
        raise ServiceError(_l("Select the grade"), "grade")
    for criterion in CRITERIA:
        if findings.get(criterion) not in FINDINGS:
            raise ServiceError(_l("Select a finding for every criterion"), criterion)
    comments = (comments or "").strip()
    if len(comments) > MAX_COMMENTS:
        raise ServiceError(_l("Comments must be %(max)d characters or fewer", max=MAX_COMMENTS), "comments")
    if grade == 2 and not comments:
        raise ServiceError(_l("Enter the panel’s observations"), "comments")
    row = ScrutinyGrade(
        case_id=case_row.id, grade=grade, comments=comments or None, graded_by_id=by.id, graded_at=utcnow()
    )
    db.session.add(row)
    db.session.flush()
    db.session.add_all(
        ScrutinyFinding(grade_id=row.id, criterion=criterion, finding=str(findings[criterion]))
        for criterion in CRITERIA
    )
    audit.record("scrutiny.graded", "scrutiny_case", case_row.case_key, detail=f"grade={grade}", actor=by)
    return row


@dataclass(frozen=True)
class Results:
    cases: int
    graded: int
    by_grade: dict[int, int]
    # criterion -> finding -> count
    by_criterion: dict[str, dict[str, int]]


def results(sample: ScrutinySample) -> Results:
    """The sample's grades and findings, counted in SQL (three queries whatever its size)."""
    cases = (
        db.session.scalar(select(func.count(ScrutinyCase.id)).where(ScrutinyCase.sample_id == sample.id)) or 0
    )
    grade_rows = db.session.execute(
        select(ScrutinyGrade.grade, func.count())
        .join(ScrutinyCase, ScrutinyCase.id == ScrutinyGrade.case_id)
        .where(ScrutinyCase.sample_id == sample.id)
        .group_by(ScrutinyGrade.grade)
    ).all()
    by_grade = dict.fromkeys(GRADES, 0) | {int(code): int(count) for code, count in grade_rows}
    finding_columns = [
        func.sum(case((ScrutinyFinding.finding == finding, 1), else_=0)).label(finding)
        for finding in FINDINGS
    ]
    criterion_rows = db.session.execute(
        select(ScrutinyFinding.criterion, *finding_columns)
        .join(ScrutinyGrade, ScrutinyGrade.id == ScrutinyFinding.grade_id)
        .join(ScrutinyCase, ScrutinyCase.id == ScrutinyGrade.case_id)
        .where(ScrutinyCase.sample_id == sample.id)
        .group_by(ScrutinyFinding.criterion)
    ).all()
    by_criterion = {criterion: dict.fromkeys(FINDINGS, 0) for criterion in CRITERIA}
    for row in criterion_rows:
        if row[0] in by_criterion:
            by_criterion[row[0]] = {
                finding: int(value or 0) for finding, value in zip(FINDINGS, row[1:], strict=True)
            }
    return Results(int(cases), sum(by_grade.values()), by_grade, by_criterion)


@transactional
def record_response(
    sample: ScrutinySample, text: str, responded_on: date | None, by: StaffMember
) -> ScrutinyResponse:
    text = (text or "").strip()
    if not text:
        raise ServiceError(_l("Enter the force’s response"), "response")
    if len(text) > MAX_COMMENTS:
        raise ServiceError(
            _l("The response must be %(max)d characters or fewer", max=MAX_COMMENTS), "response"
        )
    if responded_on is None:
        raise ServiceError(_l("Enter the date of the response"), "responded_on")
    if responded_on < sample.period_start:
        raise ServiceError(_l("The response cannot be dated before the period it answers"), "responded_on")
    row = ScrutinyResponse(
        sample_id=sample.id,
        response=text,
        responded_on=responded_on,
        recorded_by_id=by.id,
        recorded_at=utcnow(),
    )
    db.session.add(row)
    audit.record("scrutiny.response", "scrutiny_sample", sample.id, actor=by)
    return row


def responses(sample: ScrutinySample) -> list[ScrutinyResponse]:
    """The force's responses to the sample, newest first."""
    return list(
        db.session.scalars(
            select(ScrutinyResponse)
            .where(ScrutinyResponse.sample_id == sample.id)
            .order_by(ScrutinyResponse.recorded_at.desc(), ScrutinyResponse.id.desc())
        )
    )


def drawn_by(sample: ScrutinySample) -> StaffMember | None:
    return db.session.get(StaffMember, sample.drawn_by_id)
