"""The results of crime data integrity audits (shared.services.cdi_audit_results) for the
Force Crime Registrar, the crime data auditors, the analysts and the Police and Crime
Commissioner's office: figures only, never a record, reference or name."""

from flask import Response, abort, render_template

from backoffice import bp
from shared.domain.cdi_audit import STRATA
from shared.domain.permissions import requires
from shared.services import cdi_audit_results, cdi_audit_results_export, cdi_audits


@bp.get("/audits/results")
@requires("audits.results", audit="cdi_audit_results.trend")
def cdi_audit_results_list():
    trend = cdi_audit_results.trend()
    return render_template(
        "backoffice/cdi_audit_results_list.html",
        trend=trend,
        labels=STRATA,
        shown=cdi_audit_results.shown,
        strata_of=cdi_audit_results.strata_of,
        percent=cdi_audit_results.percent,
    )


def _results(audit_id: int) -> cdi_audit_results.Results:
    found = cdi_audits.get_audit(audit_id)
    if found is None:
        abort(404)
    return cdi_audit_results.results(found)


@bp.get("/audits/<int:audit_id>/results")
@requires("audits.results", audit="cdi_audit_results.view")
def cdi_audit_results_page(audit_id):
    results = _results(audit_id)
    return render_template(
        "backoffice/cdi_audit_results.html",
        results=results,
        trend=results.trend,
        labels=STRATA,
        label=cdi_audit_results_export.label,
        short_labels=cdi_audit_results_export.SHORT_LABELS,
        shown=cdi_audit_results.shown,
        strata_of=cdi_audit_results.strata_of,
        percent=cdi_audit_results.percent,
        method=cdi_audit_results_export.METHOD,
        estimate_method=cdi_audit_results_export.ESTIMATE_METHOD,
    )


@bp.get("/audits/<int:audit_id>/results.csv")
@requires("audits.results", audit="cdi_audit_results.export")
def cdi_audit_results_export_csv(audit_id):
    results = _results(audit_id)
    return Response(
        cdi_audit_results_export.csv_text(results, byte_order_mark=True),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{audit_id}-results.csv"'},
    )
