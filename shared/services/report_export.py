"""The compliance report written out: rows for a CSV file (the back office's export
and `flask compliance-report --format csv`) and a JSON-ready dict (`--format json`).
Both are read from `shared.services.reports`, so they show what the page shows."""

import io
from collections.abc import Sequence

from shared.domain.feedback import REPORT_LABELS
from shared.domain.victims_code_rules import METRICS
from shared.services.feedback_results import Feedback, Satisfaction
from shared.services.reports import RECORDING_METRICS, SPLITS, Counts, Recording, Report, Trend, percent
from shared.services.spreadsheet import safe_cell, writer
from shared.translation import gettext as _


def csv_header() -> list[str]:
    return [
        _("Metric"),
        _("Description"),
        _("Group"),
        _("Rate (%)"),
        _("Met on time"),
        _("Met late"),
        _("Overdue"),
        _("Not yet due"),
        _("Declined or does not apply"),
        _("Total"),
        _("Victims’ Code version"),
    ]


def _rate_cell(rate: float | None) -> str:
    value = percent(rate)
    return _("No data") if value is None else value


def to_csv_rows(report: Report) -> list[list[str]]:
    """The header, then a row per metric, group (the total first) and version of the
    Victims' Code the figures follow (Report.code_versions: each entitlement counts under
    the version it was opened under; the last column names it), then crime recording,
    which follows no version of the Code: R2's "met on time" is recorded within 24 hours and "met late" later;
    R2C's "met on time" is authorised by a DDM or the FCR, R2G's by a role the force's
    matrix allows for the offence's gravity. Every cell is safe to open
    in a spreadsheet."""
    rows: list[Sequence[str | int]] = [csv_header()]
    for code, label in METRICS.items():
        for group in report.rows:
            for used in report.code_versions:
                counts: Counts = group.by_version[used.version][code]
                rows.append(
                    [
                        code,
                        str(label),
                        group.label,
                        _rate_cell(counts.rate),
                        *counts.values(),
                        counts.total,
                        used.version,
                    ]
                )
    for group in report.rows:
        recording: Recording | None = group.recording
        if recording is None:
            continue
        rows.append(
            [
                "R2",
                str(RECORDING_METRICS["R2"]),
                group.label,
                _rate_cell(recording.recording_rate),
                recording.within_24h,
                recording.recorded - recording.within_24h,
                "",
                "",
                "",
                recording.recorded,
            ]
        )
        rows.append(
            [
                "R2C",
                str(RECORDING_METRICS["R2C"]),
                group.label,
                _rate_cell(recording.authorised_rate),
                recording.authorised,
                recording.cancelled - recording.authorised,
                "",
                "",
                "",
                recording.cancelled,
            ]
        )
        rows.append(
            [
                "R2G",
                str(RECORDING_METRICS["R2G"]),
                group.label,
                _rate_cell(recording.right_level_rate),
                recording.right_level,
                recording.cancelled - recording.right_level,
                "",
                "",
                "",
                recording.cancelled,
            ]
        )
    sent = report.notifications
    rows.append(
        [
            "N",
            _("Notifications: delivered (met on time), not delivered (met late), waiting (not yet due)"),
            report.total.label,
            _rate_cell(sent.delivered / sent.total if sent.total else None),
            sent.delivered,
            sent.failed,
            "",
            sent.pending,
            "",
            sent.total,
        ]
    )
    rows.extend(_feedback_rows(report))
    width = len(rows[0])
    return [[safe_cell(cell) for cell in [*row, *[""] * (width - len(row))]] for row in rows]


def _feedback_rows(report: Report) -> list[list[str | int]]:
    """Victims' feedback, S1 to S3: each group of the split that has it, then each month
    of the period. "Met on time" is satisfied, "met late" not satisfied, the total the
    answers behind the rate; a suppressed figure says so and gives no counts."""
    groups = [(group.label, group.feedback) for group in report.rows if group.feedback is not None]
    months = [
        (f"{report.total.label}, {month:%Y-%m}", feedback) for month, feedback in report.feedback_months
    ]
    out: list[list[str | int]] = []
    for code, label in REPORT_LABELS.items():
        description = _(
            "%(label)s: satisfied (met on time), not satisfied (met late), of the answers (total)",
            label=label,
        )
        for group_label, feedback in [*groups, *months]:
            answers: Satisfaction = feedback.questions[code]
            if answers.suppressed:
                cells: list[str | int] = [_suppressed(report), "", "", "", "", "", ""]
            else:
                satisfied, answered = answers.satisfied or 0, answers.answered or 0
                cells = [_rate_cell(answers.rate), satisfied, answered - satisfied, "", "", "", answered]
            out.append([code, description, group_label, *cells])
    return out


def _suppressed(report: Report) -> str:
    return _("Suppressed (fewer than %(least)d answers)", least=report.feedback_least)


def csv_text(report: Report, byte_order_mark: bool = False) -> str:
    """`to_csv_rows` as CSV text; with a byte order mark for spreadsheet programs."""
    buffer = io.StringIO()
    if byte_order_mark:
        buffer.write("\ufeff")
    writer(buffer).writerows(to_csv_rows(report))
    return buffer.getvalue()


def _counts_dict(counts: Counts) -> dict:
    return {
        "rate": counts.rate,
        "met_on_time": counts.met_on_time,
        "met_late": counts.met_late,
        "overdue": counts.overdue,
        "pending": counts.pending,
        "declined_or_not_applicable": counts.declined,
        "total": counts.total,
    }


def _recording_dict(recording: Recording | None) -> dict | None:
    if recording is None:
        return None
    return {
        "recorded": recording.recorded,
        "recorded_within_24_hours": recording.within_24h,
        "recording_rate": recording.recording_rate,
        "cancelled": recording.cancelled,
        "cancelled_authorised_by_ddm_or_fcr": recording.authorised,
        "authorised_rate": recording.authorised_rate,
        "cancelled_authorised_at_the_right_level": recording.right_level,
        "right_level_rate": recording.right_level_rate,
    }


def _feedback_dict(feedback: Feedback | None) -> dict | None:
    if feedback is None:
        return None
    return {
        "responses": feedback.responses,
        "questions": {
            code: {
                "rate": answers.rate,
                "satisfied": answers.satisfied,
                "answered": answers.answered,
                "suppressed": answers.suppressed,
            }
            for code, answers in feedback.questions.items()
        },
    }


def to_dict(report: Report, trend: Trend | None = None) -> dict:
    """The report (and the trend) as plain data for JSON: rates are fractions from 0 to
    1, or null when there is no data."""
    out = {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "split": report.split,
        "split_label": str(SPLITS[report.split]),
        "generated_at": report.now.isoformat(timespec="seconds"),
        "metrics": {code: str(label) for code, label in {**METRICS, **RECORDING_METRICS}.items()},
        "code_versions": [
            {
                "version": used.version,
                "title": used.title,
                "starts_on": used.starts_on.isoformat() if used.starts_on else None,
            }
            for used in report.code_versions
        ],
        "groups": [
            {
                "key": group.key,
                "label": group.label,
                "metrics": {code: _counts_dict(counts) for code, counts in group.metrics.items()},
                "recording": _recording_dict(group.recording),
                "feedback": _feedback_dict(group.feedback),
                "by_code_version": {
                    version: {code: _counts_dict(counts) for code, counts in metrics.items()}
                    for version, metrics in group.by_version.items()
                },
            }
            for group in report.rows
        ],
    }
    out["notifications"] = {
        "delivered": report.notifications.delivered,
        "failed": report.notifications.failed,
        "pending": report.notifications.pending,
        "total": report.notifications.total,
    }
    out["feedback"] = {
        "questions": {code: str(label) for code, label in REPORT_LABELS.items()},
        "suppressed_below": report.feedback_least,
        "months": [
            {"month": month.isoformat(), **(_feedback_dict(feedback) or {})}
            for month, feedback in report.feedback_months
        ],
    }
    if trend is not None:
        out["trend"] = {
            "months": [month.isoformat() for month in trend.months],
            "metrics": {
                code: [_counts_dict(counts) for counts in series] for code, series in trend.counts.items()
            },
        }
    return out
