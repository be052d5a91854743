"""An audit's results written out: rows for a CSV file (the back office's download and
`flask audit-results --csv`), lines of text (`flask audit-results`) and a JSON-ready
dict (the API). All are read from `shared.services.cdi_audit_results`, so they show
what the page shows. Figures only: no record, reference or name."""

import io
from collections.abc import Sequence

from shared.domain.cdi_audit import STRATA
from shared.services.cdi_audit_results import (
    OVERALL,
    Estimate,
    Results,
    StratumResult,
    percent,
    shown,
)
from shared.services.sampling import Interval
from shared.services.spreadsheet import safe_cell, writer
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l

METHOD = _l(
    "Each rate is the share of the judged records whose latest judgement found them compliant, with its "
    "95% Wilson score interval; ± is the larger distance from the rate to a bound of the interval."
)
ESTIMATE_METHOD = _l(
    "Crimes left unrecorded in a year = R × (1 − rate) ÷ rate, where R is the crime recorded (principal "
    "crimes, excluding fraud and crimes cancelled) in the 12 months to the end of the audit’s period: "
    "the force recorded the rate’s share of the crimes it should have. The range applies the interval’s "
    "bounds."
)

# Under each bar of the chart, in lines short enough for it.
SHORT_LABELS = {
    "violence": [_l("Violence")],
    "sexual": [_l("Sexual"), _l("offences")],
    "rape": [_l("Rape")],
    "robbery": [_l("Robbery")],
    "modern_slavery": [_l("Modern"), _l("slavery")],
    "cancelled": [_l("Cancelled")],
    "out_of_court": [_l("Out of"), _l("court")],
    OVERALL: [_l("Overall")],
}


def label(stratum: str) -> str:
    return _("Overall (crime recording)") if stratum == OVERALL else str(STRATA[stratum])


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def csv_header() -> list[str]:
    return [
        _("Stratum"),
        _("Records drawn"),
        _("Judged"),
        _("Compliant"),
        _("Rate (%)"),
        _("Lower bound (%)"),
        _("Upper bound (%)"),
        _("Margin (± percentage points)"),
        _("Shown as"),
        _("Recorded crime in the 12 months"),
        _("Estimated crimes left unrecorded"),
        _("Estimate, low"),
        _("Estimate, high"),
    ]


def _row(result: StratumResult) -> list[str | int]:
    interval, found = result.interval, result.estimate
    return [
        label(result.stratum),
        result.drawn,
        result.judged,
        result.compliant,
        (percent(interval.rate) or "") if interval else "",
        (percent(interval.lower) or "") if interval else "",
        (percent(interval.upper) or "") if interval else "",
        (percent(interval.margin) or "") if interval else "",
        result.shown or _("Nothing judged yet"),
        _number(found.recorded) if found else "",
        _number(found.unrecorded) if found else "",
        _number(found.low) if found else "",
        _number(found.high) if found else "",
    ]


def to_csv_rows(results: Results) -> list[list[str]]:
    """The strata and the overall figure, then the cancellations, then the trend across
    audits. Every cell is safe to open in a spreadsheet."""
    rows: list[Sequence[str | int]] = [csv_header()]
    rows += [_row(result) for result in results.strata]
    rows.append(_row(results.overall))
    if results.cancellations is not None:
        found = results.cancellations
        rows += [
            [],
            [_("Cancelled crimes"), _("Number")],
            [_("Judged"), found.judged],
            [_("Wrongly made: no valid reason evidenced"), found.wrongly_made],
            [_("Authorised at the wrong level"), found.wrong_authoriser],
            [_("Victim not told with an explanation"), found.victim_not_told],
        ]
    rows += [[], [_("Audit"), _("From"), _("To"), label(OVERALL), *(str(text) for text in STRATA.values())]]
    for point in results.trend:
        rows.append(
            [
                point.title,
                point.period_start.isoformat(),
                point.period_end.isoformat(),
                shown(point.overall) or "",
                *(shown(point.strata.get(key)) or "" for key in STRATA),
            ]
        )
    return [[safe_cell(cell) for cell in row] for row in rows]


def csv_text(results: Results, byte_order_mark: bool = False) -> str:
    buffer = io.StringIO()
    if byte_order_mark:
        buffer.write("\ufeff")
    writer(buffer).writerows(to_csv_rows(results))
    return buffer.getvalue()


def text_lines(results: Results) -> list[str]:
    """The figures as lines of text for the command line."""
    found = results.audit
    lines = [
        f"{found.title}: {found.period_start.isoformat()} to {found.period_end.isoformat()}",
        _(
            "Recorded crime from %(start)s to %(end)s",
            start=results.year_start.isoformat(),
            end=results.year_end.isoformat(),
        ),
        "",
    ]
    for result in [*results.strata, results.overall]:
        line = _(
            "%(label)s: %(compliant)d compliant of %(judged)d judged (%(drawn)d drawn): %(shown)s",
            label=label(result.stratum),
            compliant=result.compliant,
            judged=result.judged,
            drawn=result.drawn,
            shown=result.shown or _("nothing judged yet"),
        )
        if result.interval is not None:
            line += _(
                ", from %(lower)s%% to %(upper)s%%",
                lower=percent(result.interval.lower),
                upper=percent(result.interval.upper),
            )
        if result.estimate is not None:
            line += _(
                "; recorded crime %(recorded)d, estimated unrecorded %(unrecorded)s (%(low)s to %(high)s)",
                recorded=result.estimate.recorded,
                unrecorded=_number(result.estimate.unrecorded) or "-",
                low=_number(result.estimate.low) or "-",
                high=_number(result.estimate.high) or "-",
            )
        lines.append(line)
    if results.cancellations is not None:
        cancelled = results.cancellations
        lines += [
            "",
            _(
                "Cancelled crimes judged: %(judged)d; wrongly made: %(wrong)d; authorised at the wrong level: "
                "%(level)d; victim not told: %(untold)d",
                judged=cancelled.judged,
                wrong=cancelled.wrongly_made,
                level=cancelled.wrong_authoriser,
                untold=cancelled.victim_not_told,
            ),
        ]
    lines += ["", str(METHOD), str(ESTIMATE_METHOD)]
    return lines


def _interval_dict(interval: Interval | None) -> dict | None:
    if interval is None:
        return None
    return {
        "compliant": interval.successes,
        "judged": interval.n,
        "rate": interval.rate,
        "lower": interval.lower,
        "upper": interval.upper,
        "margin": interval.margin,
        "shown": shown(interval),
    }


def _estimate_dict(found: Estimate | None) -> dict | None:
    if found is None:
        return None
    return {"recorded": found.recorded, "unrecorded": found.unrecorded, "low": found.low, "high": found.high}


def _result_dict(result: StratumResult) -> dict:
    return {
        "stratum": result.stratum,
        "label": label(result.stratum),
        "drawn": result.drawn,
        "judged": result.judged,
        "compliant": result.compliant,
        "interval": _interval_dict(result.interval),
        "unrecorded_in_a_year": _estimate_dict(result.estimate),
    }


def to_dict(results: Results) -> dict:
    """The results as plain data for JSON: rates and bounds are fractions from 0 to 1."""
    found = results.audit
    cancelled = results.cancellations
    return {
        "audit": {
            "id": found.id,
            "title": found.title,
            "period_start": found.period_start.isoformat(),
            "period_end": found.period_end.isoformat(),
        },
        "method": str(METHOD),
        "estimate_method": str(ESTIMATE_METHOD),
        "recorded_crime_from": results.year_start.isoformat(),
        "recorded_crime_to": results.year_end.isoformat(),
        "strata": [_result_dict(result) for result in results.strata],
        "overall": _result_dict(results.overall),
        "cancellations": None
        if cancelled is None
        else {
            "judged": cancelled.judged,
            "wrongly_made": cancelled.wrongly_made,
            "wrong_authoriser": cancelled.wrong_authoriser,
            "victim_not_told": cancelled.victim_not_told,
        },
        "trend": [
            {
                "audit_id": point.audit_id,
                "title": point.title,
                "period_start": point.period_start.isoformat(),
                "period_end": point.period_end.isoformat(),
                "overall": _interval_dict(point.overall),
                "strata": {key: _interval_dict(value) for key, value in point.strata.items()},
            }
            for point in results.trend
        ],
    }
