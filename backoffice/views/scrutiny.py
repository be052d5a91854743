"""Out-of-court disposal scrutiny: the registrar's team draws samples, releases what the
panel may read, sees the results and records the force's response; the scrutiny panel
grades each case, anonymised. The panel's pages show only what
shared.services.scrutiny.anonymised_case gives them."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.common import ConfirmForm
from backoffice.forms.scrutiny import DrawSampleForm, GradeForm, ResponseForm
from backoffice.views.common import saved, show_service_error
from shared.domain.permissions import requires
from shared.domain.reference_data import OUTCOMES
from shared.domain.scrutiny import ADMISSIONS, CRITERIA, FINDINGS, GRADES
from shared.services import scrutiny, scrutiny_export
from shared.services.errors import ServiceError
from shared.translation import gettext as _

LABELS = {"grades": GRADES, "criteria": CRITERIA, "findings": FINDINGS, "admissions": ADMISSIONS}


def _sample_or_404(sample_id: int):
    sample = scrutiny.get_sample(sample_id)
    if sample is None:
        abort(404)
    return sample


def _case_or_404(sample, case_key: str):
    found = scrutiny.case_of_sample(sample, case_key)
    if found is None:
        abort(404)
    return found


# ------------------------------------------------------------- the registrar's team


@bp.route("/scrutiny/samples", methods=["GET", "POST"])
@requires("scrutiny.manage")
def scrutiny_samples():
    form = DrawSampleForm()
    if form.validate_on_submit():
        try:
            sample = scrutiny.draw_sample(
                form.period_start.data, form.period_end.data, form.size.data, form.seed.data, current_user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Sample drawn"))
            return redirect(url_for("backoffice.scrutiny_sample", sample_id=sample.id))
    return render_template(
        "backoffice/scrutiny_samples.html",
        form=form,
        samples=scrutiny.samples(),
        max_sample=scrutiny.MAX_SAMPLE,
    )


def _sample_page(sample, response_form, status=200):
    return (
        render_template(
            "backoffice/scrutiny_sample.html",
            sample=sample,
            drawn_by=scrutiny.drawn_by(sample),
            frame_changed=scrutiny.frame_changed(sample),
            cases=scrutiny.cases_for_registrar(sample),
            results=scrutiny.results(sample),
            results_csv=url_for("backoffice.scrutiny_results_csv", sample_id=sample.id),
            responses=scrutiny.responses(sample),
            form=response_form,
            release_form=ConfirmForm(),
            outcomes=OUTCOMES,
            **LABELS,
        ),
        status,
    )


@bp.get("/scrutiny/samples/<int:sample_id>")
@requires("scrutiny.manage")
def scrutiny_sample(sample_id):
    return _sample_page(_sample_or_404(sample_id), ResponseForm(formdata=None))


@bp.post("/scrutiny/samples/<int:sample_id>/response")
@requires("scrutiny.manage")
def scrutiny_response(sample_id):
    sample = _sample_or_404(sample_id)
    form = ResponseForm()
    if form.validate_on_submit() and saved(
        form, scrutiny.record_response, sample, form.response.data, form.responded_on.data, current_user
    ):
        flash(_("Response recorded"))
        return redirect(url_for("backoffice.scrutiny_sample", sample_id=sample.id))
    return _sample_page(sample, form)


@bp.post("/scrutiny/samples/<int:sample_id>/cases/<case_key>/release")
@requires("scrutiny.manage")
def scrutiny_release_text(sample_id, case_key):
    sample = _sample_or_404(sample_id)
    found = _case_or_404(sample, case_key)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        scrutiny.release_text(found, current_user)
    except ServiceError as error:
        flash(error.message)
    else:
        flash(_("The case’s text is released to the panel"))
    return redirect(url_for("backoffice.scrutiny_sample", sample_id=sample.id))


def _results_csv(sample) -> Response:
    """The sample's results (counts only) as a CSV download."""
    return Response(
        scrutiny_export.csv_text(sample),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="scrutiny-results-{sample.id}.csv"'},
    )


@bp.get("/scrutiny/samples/<int:sample_id>/results.csv")
@requires("scrutiny.manage", audit="scrutiny.results_export")
def scrutiny_results_csv(sample_id):
    return _results_csv(_sample_or_404(sample_id))


# ------------------------------------------------------------------ the panel


@bp.get("/scrutiny/panel")
@requires("scrutiny.grade")
def panel_samples():
    return render_template("backoffice/panel_samples.html", samples=scrutiny.samples())


@bp.get("/scrutiny/panel/<int:sample_id>")
@requires("scrutiny.grade")
def panel_sample(sample_id):
    sample = _sample_or_404(sample_id)
    return render_template(
        "backoffice/panel_sample.html",
        sample=sample,
        cases=scrutiny.panel_cases(sample),
        results=scrutiny.results(sample),
        results_csv=url_for("backoffice.panel_results_csv", sample_id=sample.id),
        **LABELS,
    )


@bp.get("/scrutiny/panel/<int:sample_id>/results.csv")
@requires("scrutiny.grade", audit="scrutiny.results_export")
def panel_results_csv(sample_id):
    return _results_csv(_sample_or_404(sample_id))


@bp.route("/scrutiny/panel/<int:sample_id>/<case_key>", methods=["GET", "POST"])
@requires("scrutiny.grade")
def panel_case(sample_id, case_key):
    sample = _sample_or_404(sample_id)
    found = _case_or_404(sample, case_key)
    form = GradeForm()
    if form.validate_on_submit() and saved(
        form,
        scrutiny.grade_case,
        found,
        int(form.grade.data) if (form.grade.data or "").isdigit() else None,
        {criterion: getattr(form, criterion).data for criterion in CRITERIA},
        form.comments.data or "",
        current_user,
    ):
        flash(_("Grade saved"))
        return redirect(url_for("backoffice.panel_sample", sample_id=sample.id))
    return render_template(
        "backoffice/panel_case.html", case=scrutiny.anonymised_case(found), form=form, **LABELS
    )
