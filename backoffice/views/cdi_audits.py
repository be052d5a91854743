"""Crime data integrity audits: the Force Crime Registrar plans an audit and draws its
sample; the registrar and the crime data auditors judge each record of it against the
checklist for its kind (shared.services.cdi_audits)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.cdi_audit import AuditForm, JudgementForm
from backoffice.views.common import show_service_error
from shared.domain.cdi_audit import ANSWERS, STRATA, checklist
from shared.domain.incident_reference import (
    CLOSING_CODES,
    INCIDENT_ROUTES,
    N100_RESOLUTIONS,
    NOT_RECORDED_REASONS,
)
from shared.domain.permissions import ROLE_LABELS, requires
from shared.domain.reference_data import GRAVITY_BANDS, OFFENCE_GROUPS, OFFENCES, OUTCOMES, gravity_of
from shared.domain.scrutiny import ADMISSIONS
from shared.domain.victims_code_rules import CANCELLATION_REASONS
from shared.services import cdi_audits, cdi_rulings, out_of_court, sampling
from shared.services.errors import Conflict, ServiceError
from shared.services.victims_code_actions import authorisers_text
from shared.translation import gettext as _


def _audit_or_404(audit_id: int):
    found = cdi_audits.get_audit(audit_id)
    if found is None:
        abort(404)
    return found


@bp.get("/audits")
@requires("audits.judge", audit="cdi_audits.list")
def cdi_audit_list():
    return render_template("backoffice/cdi_audits.html", audits=cdi_audits.audits())


def _helper(form: AuditForm) -> dict | None:
    """The sample-size helper: n for the target margin at 95% confidence, and each
    stratum's n with its frame's size when the period is given."""
    if form.expected_rate.data is None or form.margin.data is None:
        return None
    rate, margin = form.expected_rate.data / 100, form.margin.data / 100
    try:
        n = sampling.sample_size(rate, margin)
    except ServiceError as error:
        show_service_error(form, error)
        return None
    strata = {}
    start, end = form.period_start.data, form.period_end.data
    if start is not None and end is not None and start <= end:
        sizes = cdi_audits.frame_sizes(start, end)
        strata = {
            stratum: (sizes.get(stratum, 0), sampling.sample_size(rate, margin, sizes.get(stratum, 0)))
            for stratum in STRATA
        }
    return {"n": n, "rate": form.expected_rate.data, "margin": form.margin.data, "strata": strata}


@bp.route("/audits/new", methods=["GET", "POST"])
@requires("audits.manage", audit="cdi_audits.new")
def new_cdi_audit():
    form = AuditForm()
    helper = None
    if form.validate_on_submit():
        if form.calculate.data:
            helper = _helper(form)
        else:
            try:
                found = cdi_audits.create_audit(
                    form.title.data,
                    form.period_start.data,
                    form.period_end.data,
                    form.sizes(),
                    form.seed.data,
                    current_user,
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                flash(_("Sample drawn"))
                return redirect(url_for("backoffice.cdi_audit", audit_id=found.id))
    if helper is None and not form.errors:
        helper = _helper(form)
    return render_template(
        "backoffice/cdi_audit_new.html",
        form=form,
        helper=helper,
        strata=STRATA,
        max_sample=cdi_audits.MAX_SAMPLE,
    )


@bp.get("/audits/<int:audit_id>")
@requires("audits.judge")
def cdi_audit(audit_id):
    found = _audit_or_404(audit_id)
    return render_template(
        "backoffice/cdi_audit.html",
        audit=found,
        strata=cdi_audits.sample(found),
        labels=STRATA,
        frame_changed=cdi_audits.frame_changed(found),
    )


@bp.route("/audits/<int:audit_id>/records/<int:position>", methods=["GET", "POST"])
@requires("audits.judge")
def cdi_audit_record(audit_id, position):
    found = _audit_or_404(audit_id)
    record = cdi_audits.record_at(found, position)
    if record is None:
        abort(404)
    form = JudgementForm()
    status = 200
    if form.validate_on_submit():
        answers = {question: form[question].data for question in checklist(record.stratum)}
        try:
            cdi_audits.judge(record, answers, form.compliant.data, form.note.data, current_user)
        except Conflict as error:
            # Disputed, or ruled on by the registrar: refused whoever asks (409, audited).
            show_service_error(form, error)
            status = 409
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Judgement saved"))
            return redirect(url_for("backoffice.cdi_audit_record", audit_id=found.id, position=position))
    incident, crimes, crime = None, [], None
    if record.kind == "incident":
        incident, crimes = cdi_audits.incident_of(record)
    else:
        crime = cdi_audits.crime_of(record)
    capture = (
        out_of_court.latest(crime.id) if crime is not None and record.stratum == "out_of_court" else None
    )
    authority = None
    if crime is not None and crime.cancellation_reason:
        band = gravity_of(crime.offence)
        authority = {
            "band": GRAVITY_BANDS.get(band, band),
            "now": authorisers_text(band, crime.cancellation_reason),
            "reason": CANCELLATION_REASONS.get(crime.cancellation_reason, ("",))[0],
        }
    return render_template(
        "backoffice/cdi_audit_record.html",
        audit=found,
        record=record,
        stratum=STRATA[record.stratum],
        incident=incident,
        crimes=crimes,
        crime=crime,
        capture=capture,
        admissions=ADMISSIONS,
        authority=authority,
        questions=checklist(record.stratum),
        answers=ANSWERS,
        judgements=cdi_audits.judgements(record),
        form=form,
        routes=INCIDENT_ROUTES,
        closing_codes=CLOSING_CODES,
        reasons=NOT_RECORDED_REASONS,
        n100_resolutions=N100_RESOLUTIONS,
        offences=OFFENCES,
        offence_groups=OFFENCE_GROUPS,
        outcomes=OUTCOMES,
        role_labels=ROLE_LABELS,
        dispute=cdi_rulings.dispute_of(record),
    ), status
