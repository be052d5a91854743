"""Crime data integrity audit findings: the officer whose record failed and their team's
supervisors see what failed and what to put right, dispute the finding once and record
putting it right; the Force Crime Registrar rules on a dispute, finally, and with the
auditors sees every finding, and those outstanding per audit
(shared.services.cdi_findings, shared.services.cdi_rulings)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.cdi_finding import DisputeForm, PutRightForm, RulingForm
from backoffice.views.common import show_service_error
from shared.domain.cdi_audit import ANSWERS, STRATA, checklist
from shared.domain.cdi_findings import PUT_RIGHT_STATUSES, put_right
from shared.domain.permissions import requires
from shared.services import cdi_audits, cdi_findings, cdi_rulings
from shared.services.errors import Conflict, NotPermitted, ServiceError
from shared.translation import gettext as _


def _finding_or_404(audit_id: int, position: int):
    found = cdi_audits.get_audit(audit_id)
    item = None if found is None else cdi_findings.finding(current_user, found, position)
    if item is None:
        abort(404)
    return item


def _answerable_or_404(audit_id: int, position: int):
    """A finding the user answers for; one they only see (or not at all) is not found."""
    item = _finding_or_404(audit_id, position)
    if not cdi_findings.may_answer(current_user, item):
        abort(404)
    return item


def _finding_page(item):
    return url_for("backoffice.cdi_finding", audit_id=item.audit.id, position=item.record.position)


def _submit(form, call, *args) -> int | None:
    """Run the service call; None when it went through, else the status to answer with
    (409 when the record's state refuses it, 403 when the rules refuse this person)."""
    try:
        call(*args)
    except Conflict as error:
        show_service_error(form, error)
        return 409
    except NotPermitted as error:
        show_service_error(form, error)
        return 403
    except ServiceError as error:
        show_service_error(form, error)
        return 200
    return None


@bp.get("/findings")
@requires("audits.findings", audit="cdi_findings.list")
def cdi_findings_list():
    items = cdi_findings.findings(current_user)
    return render_template(
        "backoffice/cdi_findings.html",
        items=items,
        totals=cdi_findings.counts(items),
        statuses=PUT_RIGHT_STATUSES,
        labels=STRATA,
        every=cdi_findings.sees_every_finding(current_user),
        audit=None,
    )


@bp.get("/audits/<int:audit_id>/findings")
@requires("audits.judge")
def cdi_audit_findings(audit_id):
    found = cdi_audits.get_audit(audit_id)
    if found is None:
        abort(404)
    items = cdi_findings.findings(current_user, found.id)
    return render_template(
        "backoffice/cdi_findings.html",
        items=items,
        totals=cdi_findings.counts(items),
        statuses=PUT_RIGHT_STATUSES,
        labels=STRATA,
        every=True,
        audit=found,
    )


@bp.get("/audits/<int:audit_id>/records/<int:position>/finding")
@requires("audits.findings")
def cdi_finding(audit_id, position):
    item = _finding_or_404(audit_id, position)
    questions = checklist(item.record.stratum)
    return render_template(
        "backoffice/cdi_finding.html",
        item=item,
        stratum=STRATA[item.record.stratum],
        failed=[(questions.get(question, question), put_right(question)) for question in item.failed],
        steps=cdi_findings.steps(item),
        statuses=PUT_RIGHT_STATUSES,
        answers_for=cdi_findings.may_answer(current_user, item),
    )


@bp.route("/audits/<int:audit_id>/records/<int:position>/finding/put-right", methods=["GET", "POST"])
@requires("audits.answer")
def cdi_put_right(audit_id, position):
    item = _answerable_or_404(audit_id, position)
    form = PutRightForm()
    status = 200
    if form.validate_on_submit():
        status = _submit(
            form, cdi_findings.put_right, item, form.status.data, form.comment.data, current_user
        )
        if status is None:
            flash(_("Saved"))
            return redirect(_finding_page(item))
    return render_template("backoffice/cdi_put_right.html", item=item, form=form), status


@bp.route("/audits/<int:audit_id>/records/<int:position>/finding/dispute", methods=["GET", "POST"])
@requires("audits.answer")
def cdi_dispute(audit_id, position):
    item = _answerable_or_404(audit_id, position)
    form = DisputeForm()
    status = 200
    if form.validate_on_submit():
        status = _submit(form, cdi_rulings.dispute, item, form.reason.data, current_user)
        if status is None:
            flash(_("Dispute sent to the Force Crime Registrar"))
            return redirect(_finding_page(item))
    elif not item.disputable:
        flash(_("This finding cannot be disputed again"), "error")
        return redirect(_finding_page(item))
    return render_template("backoffice/cdi_dispute.html", item=item, form=form), status


@bp.route("/audits/<int:audit_id>/records/<int:position>/ruling", methods=["GET", "POST"])
@requires("audits.rule")
def cdi_ruling(audit_id, position):
    item = _finding_or_404(audit_id, position)
    questions = checklist(item.record.stratum)
    form = RulingForm(data=_prefill(item, questions))
    status = 200
    if form.validate_on_submit():
        answers = {question: form[question].data for question in questions}
        status = _submit(
            form, cdi_rulings.rule, item.record, answers, form.compliant.data, form.note.data, current_user
        )
        if status is None:
            flash(_("Ruling saved: it is final"))
            return redirect(url_for("backoffice.cdi_audit_record", audit_id=audit_id, position=position))
    elif not item.awaiting_ruling:
        flash(_("There is no dispute of this record to rule on"), "error")
        return redirect(_finding_page(item))
    return render_template(
        "backoffice/cdi_ruling.html",
        item=item,
        form=form,
        questions=questions,
        answers=ANSWERS,
        failed=[questions.get(question, question) for question in item.failed],
    ), status


def _prefill(item, questions) -> dict:
    """The ruling form starts from the disputed judgement's answers."""
    return {question: item.judgement.answers.get(question) for question in questions}
