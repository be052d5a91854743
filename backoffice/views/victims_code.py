"""The Victims' Code on a crime: the forms that record what was done for each victim.
The panel that sums it up on the crime's page is put together in presenters."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.victims_code import (
    ComplaintForm,
    ContactPlanForm,
    EnhancedRightsForm,
    NotApplicableForm,
    RecordEntitlementForm,
    ReviewRequestForm,
)
from backoffice.views.common import crime_or_404, link_or_404, saved, show_service_error
from backoffice.views.presenters import STATUS_COLOURS, entitlement_label
from shared.domain import code_versions
from shared.domain.permissions import requires
from shared.domain.reference_data import INTERMEDIARY_ROLES, PLAN_CHANNEL_LABELS
from shared.domain.victims_code_rules import ENHANCED_CATEGORIES, ENHANCED_REASONS, STATUSES
from shared.extensions import db
from shared.models import Crime, CrimeVictim, Entitlement
from shared.services import contact_preferences, entitlements, victims_code_actions, victims_code_queries
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l
from shared.web.forms import local_to_utc

# What happened to an entitlement, in its history.
HISTORY_ACTIONS = {
    "created": _l("Started"),
    "due_changed": _l("Due date changed"),
    "met": _l("Met"),
    "declined": _l("Declined by the victim"),
    "not_applicable": _l("Marked as not applying"),
}


def _entitlement_or_404(crime: Crime, entitlement_id: int) -> Entitlement:
    ent = victims_code_queries.entitlement_of(crime, entitlement_id)
    if ent is None:
        abort(404)
    return ent


def _back_to(crime: Crime):
    return redirect(url_for("backoffice.crime", crime_id=crime.id))


def _already_closed(crime: Crime):
    flash(_("What was done for this entitlement has already been recorded"), "error")
    return _back_to(crime)


def _link_of(ent: Entitlement) -> CrimeVictim:
    return db.session.get(CrimeVictim, ent.crime_victim_id)


def _entitlement_page(template: str, crime: Crime, ent: Entitlement, form, **extra):
    link = _link_of(ent)
    return render_template(
        template,
        crime=crime,
        form=form,
        entitlement=ent,
        link=link,
        label=entitlement_label(ent),
        rule=code_versions.rule(ent.code_version, ent.rule),
        code_title=code_versions.get(ent.code_version).title,
        status=victims_code_queries.status_of(ent),
        statuses=STATUSES,
        colours=STATUS_COLOURS,
        history=victims_code_queries.recent_history(ent.id, current_app.config["HISTORY_ROWS"]),
        actions=HISTORY_ACTIONS,
        **extra,
    )


@bp.route("/crimes/<int:crime_id>/entitlements/<int:entitlement_id>", methods=["GET", "POST"])
@requires("crimes.update", audit="victims_code.entitlement")
def record_entitlement(crime_id, entitlement_id):
    crime = crime_or_404(crime_id)
    ent = _entitlement_or_404(crime, entitlement_id)
    if ent.state != "open":
        return _already_closed(crime)
    rule = code_versions.rule(ent.code_version, ent.rule)
    link = _link_of(ent)
    consent_needed = entitlements.consent_required(crime, entitlements.current_rights([link.id])[link.id])
    form = RecordEntitlementForm(rule.ways)
    if form.validate_on_submit() and saved(
        form,
        victims_code_actions.record_action,
        ent,
        form.way.data,
        local_to_utc(form.date.data, form.time.time_value),
        current_user,
        service=form.service.data or None,
        consent=form.consent.data,
    ):
        flash(
            _(
                "Saved: %(entitlement)s for %(name)s",
                entitlement=entitlement_label(ent),
                name=link.victim.name,
            )
        )
        return _back_to(crime)
    return _entitlement_page(
        "backoffice/record_entitlement.html", crime, ent, form, consent_needed=consent_needed, ways=rule.ways
    )


@bp.route("/crimes/<int:crime_id>/entitlements/<int:entitlement_id>/not-applicable", methods=["GET", "POST"])
@requires("crimes.update", audit="victims_code.not_applicable")
def entitlement_not_applicable(crime_id, entitlement_id):
    crime = crime_or_404(crime_id)
    ent = _entitlement_or_404(crime, entitlement_id)
    if ent.state != "open":
        return _already_closed(crime)
    form = NotApplicableForm()
    if form.validate_on_submit() and saved(
        form, victims_code_actions.mark_not_applicable, ent, form.reason.data, current_user
    ):
        flash(_("Marked as not applying: %(entitlement)s", entitlement=entitlement_label(ent)))
        return _back_to(crime)
    return _entitlement_page("backoffice/not_applicable.html", crime, ent, form)


@bp.route("/crimes/<int:crime_id>/victims/<int:link_id>/contact-plan", methods=["GET", "POST"])
@requires("crimes.update", audit="victims_code.contact_plan")
def contact_plan(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    if request.method == "GET":
        # The victim's own changes are off the officer's task list once they have seen them.
        contact_preferences.seen(link, current_user)
    plans = victims_code_queries.plan_history(link, current_app.config["HISTORY_ROWS"])
    current = plans.items[0] if plans.items else None
    prefill = {}
    if request.method == "GET" and current is not None:
        prefill = {
            "frequency_days": str(current.frequency_days),
            "channel": current.channel,
            "language": current.language,
            "safe_to_contact": "yes" if current.safe_to_contact else "no",
            "opted_out": "yes" if current.opted_out else "no",
            "interpreter_language": current.interpreter_language or "",
            "intermediary_name": current.intermediary_name or "",
            "intermediary_role": current.intermediary_role or "",
            "intermediary_contact": current.intermediary_contact or "",
        }
    form = ContactPlanForm(data=prefill)
    if form.validate_on_submit() and saved(
        form,
        victims_code_actions.change_contact_plan,
        link,
        frequency_days=form.frequency,
        channel=form.channel.data,
        language=form.language.data,
        safe_to_contact=form.safe_to_contact.data == "yes",
        opted_out=form.opted_out.data == "yes",
        note=form.note.data,
        by=current_user,
        interpreter_language=form.interpreter_language.data,
        intermediary=form.intermediary(),
    ):
        flash(_("Contact plan changed for %(name)s", name=link.victim.name))
        return _back_to(crime)
    return render_template(
        "backoffice/contact_plan.html",
        crime=crime,
        link=link,
        form=form,
        plans=plans,
        channels=PLAN_CHANNEL_LABELS,
        roles=INTERMEDIARY_ROLES,
    )


@bp.route("/crimes/<int:crime_id>/victims/<int:link_id>/enhanced-rights", methods=["GET", "POST"])
@requires("crimes.update", audit="victims_code.enhanced_rights")
def enhanced_rights(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    prefill = {}
    if request.method == "GET":
        current = entitlements.current_rights([link.id])[link.id]
        prefill = {"categories": [r.category for r in current], **{r.category: r.reason for r in current}}
    form = EnhancedRightsForm(data=prefill)
    if form.validate_on_submit() and saved(
        form, victims_code_actions.assess_enhanced_rights, link, form.chosen(), form.note.data, current_user
    ):
        flash(_("Enhanced rights assessed for %(name)s", name=link.victim.name))
        return _back_to(crime)
    return render_template(
        "backoffice/enhanced_rights.html",
        crime=crime,
        link=link,
        form=form,
        history=victims_code_queries.rights_history(link, current_app.config["HISTORY_ROWS"]),
        categories=ENHANCED_CATEGORIES,
        reasons=ENHANCED_REASONS,
    )


@bp.route("/crimes/<int:crime_id>/victims/<int:link_id>/complaint", methods=["GET", "POST"])
@requires("crimes.update", audit="victims_code.complaint")
def record_complaint(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    form = ComplaintForm()
    if form.validate_on_submit() and saved(
        form,
        victims_code_actions.record_complaint,
        link,
        local_to_utc(form.date.data, None),
        form.reason.data,
        current_user,
    ):
        flash(_("Complaint recorded for %(name)s", name=link.victim.name))
        return _back_to(crime)
    return render_template("backoffice/record_complaint.html", crime=crime, link=link, form=form)


@bp.route("/crimes/<int:crime_id>/victims/<int:link_id>/review", methods=["GET", "POST"])
@requires("crimes.update", audit="victims_code.review_request")
def record_review_request(crime_id, link_id):
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    applies = entitlements.review_applies(crime)
    form = ReviewRequestForm()
    if not applies:
        if form.is_submitted():
            form.form_errors.append(
                _(
                    "The right to review does not apply to this crime, so a request for review cannot be recorded"
                )
            )
    elif form.validate_on_submit():
        try:
            victims_code_actions.record_review_request(link, local_to_utc(form.date.data, None), current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Request for review recorded for %(name)s", name=link.victim.name))
            return _back_to(crime)
    return render_template(
        "backoffice/record_review_request.html", crime=crime, link=link, form=form, applies=applies
    )
