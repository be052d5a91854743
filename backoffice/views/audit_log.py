from flask import Response, current_app, redirect, render_template, request, stream_with_context, url_for

from backoffice import bp
from backoffice.forms.audit import AuditFilterForm
from shared.domain.permissions import requires
from shared.models.types import utcnow
from shared.services import audit_log as audit_trail
from shared.web.page_links import pagination_params, requested_page


def _filter_args(form: AuditFilterForm) -> dict[str, list[str]]:
    """The filters as asked, for links to other pages of results and to the export."""
    names = {field.name for field in form}
    return {
        key: values for key, values in request.args.lists() if key in names and any(v.strip() for v in values)
    }


def _export_limit() -> int:
    return current_app.config.get("AUDIT_EXPORT_MAX_ROWS", audit_trail.EXPORT_MAX_ROWS)


@bp.get("/audit")
@requires("audit.view", audit="audit.search")
def audit_log():
    form = AuditFilterForm(request.args)
    args = _filter_args(form)
    page = pagination = None
    if form.validate():
        page = audit_trail.search(form.filters(), requested_page(), current_app.config["AUDIT_PER_PAGE"])
        pagination = pagination_params(page, "backoffice.audit_log", **args)
    return render_template(
        "backoffice/audit_log.html",
        form=form,
        page=page,
        pagination=pagination,
        filtered=bool(args),
        export_url=url_for("backoffice.audit_export", **args),
        export_limit=_export_limit(),
    )


@bp.get("/audit.csv")
@requires("audit.view", audit="audit.export")
def audit_export():
    form = AuditFilterForm(request.args)
    if not form.validate():
        # The search page shows what is wrong with the filters.
        return redirect(url_for("backoffice.audit_log", **_filter_args(form)))
    limit = _export_limit()
    filename = f"audit-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(
        stream_with_context(audit_trail.export_csv(form.filters(), limit)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
