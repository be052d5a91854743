"""The results of a crime data integrity audit (victims-code.md section 6), counted by
the database: four queries whatever the audit's size or the number of audits.

- Per stratum: the records drawn, those judged and those compliant, each record by its
  latest judgement (a later judgement or ruling supersedes an earlier one), and the
  compliance rate with its 95% Wilson score interval (shared.services.sampling), shown as
  "87.8% (±1.7%)" where ± is the larger distance from the rate to a bound; the bounds are
  given too, since near 100% the interval is not symmetric.
- Overall: the records of the recording strata (the incident records: violence, sexual
  offences, rape, robbery, modern slavery) pooled. Cancelled crimes and out-of-court
  disposals are judged against other checklists and are reported only as their own strata.
- Crimes left unrecorded in a year: the rate r is the share of the crimes that should
  have been recorded that were, so the R crimes the force recorded (excluding fraud,
  principal crimes only, not cancelled, in the 12 months to the end of the audit's
  period) are r of the whole, and R × (1 − r) / r were left unrecorded; the range comes
  from the interval's bounds. Per recording stratum, R is the recorded crime of the
  stratum's offences (shared.domain.cdi_audit); overall, the force's.
- Cancellations: of the judged cancelled crimes, those without a valid reason evidenced
  (wrongly made), authorised at the wrong level, and whose victim was not told.
- The trend: every audit with a judged record, in the order of its period, with its
  overall and per-stratum rates.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, select
from sqlalchemy import cast as sql_cast

from shared.domain.cdi_audit import CRIME_STRATA, GROUP_STRATA, OFFENCE_STRATA, STRATA
from shared.extensions import db
from shared.models import CdiAudit, CdiAuditRecord, CdiJudgement, Crime
from shared.services.calendar import start_of_local_day
from shared.services.cdi_audits import _latest_judgements
from shared.services.sampling import Interval, wilson_interval

# The strata whose rate is a recording rate, in the order of STRATA.
RECORDING_STRATA = tuple(stratum for stratum in STRATA if stratum not in CRIME_STRATA)
OVERALL = "overall"
# Fraud is left out of the force's recorded crime, as the inspectorate does.
EXCLUDED_GROUPS = ("fraud",)


def shown(interval: Interval | None) -> str | None:
    """A rate as reported: "87.8% (±1.7%)", or None when nothing is judged."""
    if interval is None:
        return None
    return f"{interval.rate * 100:.1f}% (±{interval.margin * 100:.1f}%)"


def percent(value: float | None) -> str | None:
    """A fraction as a percentage with one decimal place ("87.8"), or None."""
    return None if value is None else f"{value * 100:.1f}"


@dataclass(frozen=True)
class Estimate:
    """Crimes left unrecorded in a year: `recorded` × (1 − r) / r, with the range from
    the interval's bounds. None where the rate (or the bound) is 0: nothing can be said."""

    recorded: int
    unrecorded: int | None
    low: int | None
    high: int | None


def unrecorded(recorded: int, rate: float) -> int | None:
    return None if rate <= 0 else round(recorded * (1 - rate) / rate)


def estimate(recorded: int, interval: Interval | None) -> Estimate | None:
    if interval is None:
        return None
    return Estimate(
        recorded,
        unrecorded(recorded, interval.rate),
        unrecorded(recorded, interval.upper),
        unrecorded(recorded, interval.lower),
    )


@dataclass(frozen=True)
class StratumResult:
    stratum: str  # a key of STRATA, or OVERALL
    drawn: int
    judged: int
    compliant: int
    interval: Interval | None
    estimate: Estimate | None

    @property
    def shown(self) -> str | None:
        return shown(self.interval)


@dataclass(frozen=True)
class Cancellations:
    judged: int
    wrongly_made: int
    wrong_authoriser: int
    victim_not_told: int


@dataclass(frozen=True)
class TrendPoint:
    audit_id: int
    title: str
    period_start: date
    period_end: date
    overall: Interval | None
    strata: dict[str, Interval | None]


@dataclass(frozen=True)
class Results:
    audit: CdiAudit
    year_start: date
    year_end: date
    strata: list[StratumResult]
    overall: StratumResult
    cancellations: Cancellations | None
    trend: list[TrendPoint]


def year_to(end: date) -> date:
    """The first day of the 12 months that end on `end` (29 February: from 1 March)."""
    try:
        return date(end.year - 1, end.month, end.day) + timedelta(days=1)
    except ValueError:
        return date(end.year - 1, 3, 1)


def _interval(compliant: int, judged: int) -> Interval | None:
    return wilson_interval(compliant, judged) if judged else None


def _counts() -> dict[int, dict[str, tuple[int, int, int]]]:
    """Every audit's (drawn, judged, compliant) by stratum: one query."""
    latest = _latest_judgements()
    rows = db.session.execute(
        select(
            CdiAuditRecord.audit_id,
            CdiAuditRecord.stratum,
            func.count(CdiAuditRecord.id),
            func.count(CdiJudgement.id),
            func.coalesce(func.sum(case((CdiJudgement.compliant.is_(True), 1), else_=0)), 0),
        )
        .outerjoin(latest, latest.c.audit_record_id == CdiAuditRecord.id)
        .outerjoin(CdiJudgement, CdiJudgement.id == latest.c.latest)
        .group_by(CdiAuditRecord.audit_id, CdiAuditRecord.stratum)
    ).all()
    out: dict[int, dict[str, tuple[int, int, int]]] = {}
    for audit_id, stratum, drawn, judged, compliant in rows:
        out.setdefault(int(str(audit_id)), {})[str(stratum)] = (
            int(str(drawn)),
            int(str(judged)),
            int(str(compliant)),
        )
    return out


def _crime_stratum() -> ColumnElement[str]:
    """The recording stratum of a crime, as an incident's is found: by its offence first,
    then its offence group; None for the others."""
    whens = [(Crime.offence == offence, literal(stratum)) for offence, stratum in OFFENCE_STRATA.items()]
    whens += [(Crime.offence_group == group, literal(stratum)) for group, stratum in GROUP_STRATA.items()]
    return case(*whens, else_=literal("other"))


def recorded_crime(start: date, end: date) -> dict[str, int]:
    """The force's recorded crime from `start` to `end` (local dates, both included) by
    recording stratum ("other" for the rest), excluding fraud and crimes cancelled by the
    end, principal crimes only: one query."""
    low, high = start_of_local_day(start), start_of_local_day(date.fromordinal(end.toordinal() + 1))
    stratum = _crime_stratum().label("stratum")
    rows = db.session.execute(
        select(stratum, func.count())
        .where(
            Crime.recorded_at >= low,
            Crime.recorded_at < high,
            Crime.principal_crime_id.is_(None),
            Crime.offence_group.not_in(EXCLUDED_GROUPS),
            (Crime.cancelled_at.is_(None)) | (Crime.cancelled_at >= high),
        )
        .group_by(stratum)
    ).all()
    return {str(key): int(count) for key, count in rows}


def _cancellations(audit_id: int) -> Cancellations:
    """The audit's judged cancelled crimes and what their latest judgements found: one query."""
    latest = _latest_judgements()

    def said_no(question: str) -> ColumnElement[int]:
        answer = CdiJudgement.answers[question].as_string()
        return func.coalesce(func.sum(sql_cast(case((answer == "no", 1), else_=0), Integer)), 0)

    row = db.session.execute(
        select(
            func.count(CdiJudgement.id),
            said_no("valid_reason"),
            said_no("right_authoriser"),
            said_no("victim_told"),
        )
        .select_from(CdiAuditRecord)
        .join(latest, latest.c.audit_record_id == CdiAuditRecord.id)
        .join(CdiJudgement, CdiJudgement.id == latest.c.latest)
        .where(and_(CdiAuditRecord.audit_id == audit_id, CdiAuditRecord.stratum == "cancelled"))
    ).one()
    return Cancellations(*(int(str(value)) for value in row))


def trend(counts: dict[int, dict[str, tuple[int, int, int]]] | None = None) -> list[TrendPoint]:
    """Every audit with a judged record, in the order of its period: two queries."""
    if counts is None:
        counts = _counts()
    found = db.session.execute(
        select(CdiAudit.id, CdiAudit.title, CdiAudit.period_start, CdiAudit.period_end).order_by(
            CdiAudit.period_end, CdiAudit.period_start, CdiAudit.id
        )
    ).all()
    points = []
    for audit_id, title, start, end in found:
        by_stratum = counts.get(audit_id, {})
        if not any(judged for _, judged, _ in by_stratum.values()):
            continue
        pooled = [by_stratum[key] for key in RECORDING_STRATA if key in by_stratum]
        points.append(
            TrendPoint(
                audit_id,
                title,
                start,
                end,
                _interval(sum(row[2] for row in pooled), sum(row[1] for row in pooled)),
                {key: _interval(row[2], row[1]) for key, row in by_stratum.items()},
            )
        )
    return points


def strata_of(points: list[TrendPoint]) -> list[str]:
    """The strata any of the audits holds, in the order of STRATA."""
    held = {key for point in points for key in point.strata}
    return [key for key in STRATA if key in held]


def results(found: CdiAudit) -> Results:
    """The audit's results and the trend across audits: four queries."""
    counts = _counts()
    mine = counts.get(found.id, {})
    year_start = year_to(found.period_end)
    recorded = recorded_crime(year_start, found.period_end)
    strata = []
    for key in STRATA:
        if key not in mine:
            continue
        drawn, judged, compliant = mine[key]
        interval = _interval(compliant, judged)
        strata.append(
            StratumResult(
                key,
                drawn,
                judged,
                compliant,
                interval,
                estimate(recorded.get(key, 0), interval) if key in RECORDING_STRATA else None,
            )
        )
    pooled = [row for row in strata if row.stratum in RECORDING_STRATA]
    judged, compliant = sum(row.judged for row in pooled), sum(row.compliant for row in pooled)
    interval = _interval(compliant, judged)
    overall = StratumResult(
        OVERALL,
        sum(row.drawn for row in pooled),
        judged,
        compliant,
        interval,
        estimate(sum(recorded.values()), interval) if pooled else None,
    )
    return Results(
        found,
        year_start,
        found.period_end,
        strata,
        overall,
        _cancellations(found.id) if "cancelled" in mine else None,
        trend(counts),
    )
