from flask import Response, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from backoffice import bp
from backoffice.forms.reports import ReportForm
from shared.domain.feedback import REPORT_LABELS
from shared.domain.permissions import requires
from shared.domain.victims_code_rules import METRICS
from shared.models.types import utcnow
from shared.services import calendar, report_export
from shared.services import reports as compliance_reports
from shared.services.feedback_results import FEEDBACK_SPLITS


def _form() -> tuple[ReportForm, dict[str, list[str]]]:
    form = ReportForm(request.args, today=calendar.local_date(utcnow()))
    names = {field.name for field in form}
    args = {
        key: values for key, values in request.args.lists() if key in names and any(v.strip() for v in values)
    }
    return form, args


@bp.get("/reports")
@requires("reports.view", audit="reports.compliance")
def reports():
    form, args = _form()
    report = trend = None
    month_labels = []
    if form.validate():
        now = utcnow()
        report = compliance_reports.compliance(current_user, form.start, form.end, form.split.data, now=now)
        trend = compliance_reports.trend(current_user, form.start, form.end, now=now)
        # Under each bar: the month's short name and the year; in the table, both in full.
        month_labels = [
            ((format_date(m, "MMM"), str(m.year)), format_date(m, "MMMM yyyy")) for m in trend.months
        ]
    return render_template(
        "backoffice/reports.html",
        form=form,
        report=report,
        trend=trend,
        month_labels=month_labels,
        split_label=compliance_reports.SPLITS[form.split.data] if report else "",
        metrics=METRICS,
        recording_metrics=compliance_reports.RECORDING_METRICS,
        percent=compliance_reports.percent,
        feedback_labels=REPORT_LABELS,
        feedback_splits=FEEDBACK_SPLITS,
        export_url=url_for("backoffice.reports_export", **args),
        filtered=bool(args),
    )


@bp.get("/reports/export.csv")
@requires("reports.view", audit="reports.export")
def reports_export():
    form, args = _form()
    if not form.validate():
        # The report page shows what is wrong with the filters.
        return redirect(url_for("backoffice.reports", **args))
    report = compliance_reports.compliance(current_user, form.start, form.end, form.split.data)
    filename = f"compliance-{report.start:%Y%m%d}-{report.end:%Y%m%d}.csv"
    return Response(
        report_export.csv_text(report, byte_order_mark=True),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
