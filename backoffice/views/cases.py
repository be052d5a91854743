from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.cases import CrimeForm, OfficerForm, OutcomeForm, StageForm, UpdateForm
from backoffice.forms.common import ConfirmForm
from backoffice.views.common import crime_or_404, saved, show_service_error
from backoffice.views.presenters import failed_notifications, guardian_rows, victims_code_panel
from shared.domain.court import ADJOURNMENT_REASONS, HEARING_KINDS, HEARING_STATUSES
from shared.domain.investigation_factors import FACTORS
from shared.domain.permissions import ROLE_LABELS, requires, sees_whole_force
from shared.domain.property import KINDS as PROPERTY_KINDS
from shared.domain.property import STATUSES as PROPERTY_STATUSES
from shared.domain.reference_data import (
    ALL_UPDATE_KINDS,
    GRAVITY_BANDS,
    OFFENCE_GROUPS,
    OFFENCES,
    OUT_OF_COURT_OUTCOMES,
    OUTCOMES,
    STAGES,
    gravity_of,
)
from shared.domain.victims_code_rules import CANCELLATION_REASONS
from shared.extensions import db
from shared.models import Incident, StaffMember
from shared.models.types import utcnow
from shared.services import (
    calendar,
    court,
    crimes,
    decision_factors,
    out_of_court,
    secure_messages,
    updates,
    victim_accounts,
    victims,
)
from shared.services import property as property_service
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web.forms import local_to_utc
from shared.web.page_links import pagination_params, requested_page


@bp.get("/cases")
@requires("cases.view", audit="cases.list")
def cases():
    query = request.args.get("q", "").strip()[:30]
    mine = request.args.get("view") != "all"
    page = crimes.list_cases(
        current_user, query, requested_page(), current_app.config["CASES_PER_PAGE"], mine=mine
    )
    args = {"q": query} if query else ({} if mine else {"view": "all"})
    return render_template(
        "backoffice/cases.html",
        page=page,
        query=query,
        mine=mine,
        whole_force=sees_whole_force(current_user),
        pagination=pagination_params(page, "backoffice.cases", **args),
        stages=STAGES,
        offences=OFFENCES,
    )


@bp.route("/crimes/new", methods=["GET", "POST"])
@requires("crimes.record")
def record_crime():
    officers = crimes.officers_of_team(current_user.team_id)
    form = CrimeForm(officers, officer_in_charge=str(current_user.id), stage="under_investigation")
    if form.validate_on_submit():
        officer = next((o for o in officers if str(o.id) == form.officer_in_charge.data), None)
        try:
            crime = crimes.record_crime(
                reference=form.reference.data,
                offence=form.offence.data,
                occurred_at=local_to_utc(form.occurred_date.data, form.occurred_time.time_value),
                reported_at=local_to_utc(form.reported_date.data, form.reported_time.time_value),
                officer_in_charge=officer,
                stage=form.stage.data,
                by=current_user,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Crime %(reference)s recorded", reference=crime.reference))
            return redirect(url_for("backoffice.crime", crime_id=crime.id))
    return render_template("backoffice/record_crime.html", form=form)


@bp.get("/crimes/<int:crime_id>")
@requires("cases.view", audit="crime.view")
def crime(crime_id):
    crime = crime_or_404(crime_id)
    # Two lists in pages on one page: each keeps the other's place in its links.
    victims_page = victims.victims_page(
        crime, requested_page("victims_page"), current_app.config["VICTIMS_PER_PAGE"]
    )
    timeline = updates.staff_timeline(crime, requested_page(), current_app.config["TIMELINE_PER_PAGE"])
    links = victims_page.items
    may_read = secure_messages.may_read(current_user, crime)
    return render_template(
        "backoffice/crime.html",
        crime=crime,
        links=links,
        victims_page=victims_page,
        victims_pagination=pagination_params(
            victims_page,
            "backoffice.crime",
            page_arg="victims_page",
            anchor="victims",
            landmark=_("Pages of victims"),
            crime_id=crime.id,
            **({"page": timeline.page} if timeline.page > 1 else {}),
        ),
        invitation=victim_accounts.invitation_status(links),
        timeline=timeline,
        timeline_pagination=pagination_params(
            timeline,
            "backoffice.crime",
            anchor="timeline",
            landmark=_("Pages of the timeline"),
            crime_id=crime.id,
            **({"victims_page": victims_page.page} if victims_page.page > 1 else {}),
        ),
        confirm=ConfirmForm(),
        stages=STAGES,
        offences=OFFENCES,
        groups=OFFENCE_GROUPS,
        gravity=GRAVITY_BANDS[gravity_of(crime.offence)],
        gravity_bands=GRAVITY_BANDS,
        outcomes=OUTCOMES,
        kinds=ALL_UPDATE_KINDS,
        # The factors each decision not to investigate further on this page rests on.
        decision_factors=decision_factors.factors_of([update.id for update, _note in timeline.items]),
        factors=FACTORS,
        canceller=db.session.get(StaffMember, crime.cancelled_by_id) if crime.cancelled_by_id else None,
        # The incident it was recorded from, for those who may see incidents.
        incident=db.session.get(Incident, crime.incident_id) if crime.incident_id else None,
        cancellation_reasons=CANCELLATION_REASONS,
        role_labels=ROLE_LABELS,
        victims_code=victims_code_panel(crime, links),
        hearings=court.hearings_of(crime),
        hearing_kinds=HEARING_KINDS,
        hearing_statuses=HEARING_STATUSES,
        adjournment_reasons=ADJOURNMENT_REASONS,
        # Property: every item on the crime, with whose it is and the officer's note.
        property_items=property_service.items_of_crime(crime),
        property_kinds=PROPERTY_KINDS,
        property_statuses=PROPERTY_STATUSES,
        **guardian_rows(links),
        **failed_notifications(crime),
        # Each victim's unread messages, for the victims on this page, shown only to
        # those who may read them.
        may_read_messages=may_read,
        unread_by_link=secure_messages.unread_by_link([link.id for link in links], "victim")
        if may_read
        else {},
    )


@bp.route("/crimes/<int:crime_id>/updates/new", methods=["GET", "POST"])
@requires("crimes.update")
def post_update(crime_id):
    crime = crime_or_404(crime_id)
    form = UpdateForm()
    if form.validate_on_submit() and saved(
        form,
        updates.post_update,
        crime,
        kind=form.kind.data,
        victim_text=form.victim_text.data,
        internal_note=form.internal_note.data,
        visible=form.visible.data == "yes",
        by=current_user,
        occurred_at=_occurred_at(form.occurred_date.data, form.occurred_time.time_value),
        factors=form.factors.data,
    ):
        flash(_("Update posted"))
        return redirect(url_for("backoffice.crime", crime_id=crime.id))
    return render_template("backoffice/post_update.html", form=form, crime=crime)


def _occurred_at(day, at):
    """When a key event happened, from the optional date and time: None (now) when both
    are blank, today when only the time is given."""
    if day is None and at is None:
        return None
    return local_to_utc(day or calendar.local_date(utcnow()), at)


@bp.route("/crimes/<int:crime_id>/officer", methods=["GET", "POST"])
@requires("crimes.assign")
def change_officer(crime_id):
    crime = crime_or_404(crime_id)
    officers = [o for o in crimes.officers_of_team(crime.team_id) if o.id != crime.officer_in_charge_id]
    form = OfficerForm(officers)
    if form.validate_on_submit():
        officer = next((o for o in officers if str(o.id) == form.officer.data), None)
        if saved(form, crimes.change_officer, crime, officer, current_user):
            flash(_("%(name)s is now the officer in charge", name=officer.name))
            return redirect(url_for("backoffice.crime", crime_id=crime.id))
    return render_template("backoffice/change_officer.html", form=form, crime=crime)


@bp.route("/crimes/<int:crime_id>/stage", methods=["GET", "POST"])
@requires("crimes.update")
def change_stage(crime_id):
    crime = crime_or_404(crime_id)
    form = StageForm(stage=crime.stage if request.method == "GET" else None)
    if form.validate_on_submit() and saved(
        form,
        crimes.change_stage,
        crime,
        form.stage.data,
        form.victim_text.data,
        form.visible.data == "yes",
        current_user,
    ):
        flash(_("Stage changed"))
        return redirect(url_for("backoffice.crime", crime_id=crime.id))
    return render_template("backoffice/change_stage.html", form=form, crime=crime)


@bp.route("/crimes/<int:crime_id>/outcome", methods=["GET", "POST"])
@requires("crimes.update")
def record_outcome(crime_id):
    crime = crime_or_404(crime_id)
    form = OutcomeForm(out_of_court.approvers(excluding=current_user))
    if form.validate_on_submit() and saved(
        form,
        crimes.record_outcome,
        crime,
        int(form.outcome.data),
        form.victim_text.data,
        form.visible.data == "yes",
        current_user,
        _capture(form),
        factors=form.factors.data,
    ):
        flash(_("Outcome recorded"))
        return redirect(url_for("backoffice.crime", crime_id=crime.id))
    return render_template(
        "backoffice/record_outcome.html",
        form=form,
        crime=crime,
        out_of_court_codes=sorted(OUT_OF_COURT_OUTCOMES),
    )


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _capture(form: OutcomeForm) -> out_of_court.Capture:
    approver = form.approved_by_id.data or ""
    return out_of_court.Capture(
        views_sought=_yes_no(form.views_sought.data),
        victim_views=form.victim_views.data or "",
        views_not_sought_reason=form.views_not_sought_reason.data or "",
        history_checked=_yes_no(form.history_checked.data),
        history_summary=form.history_summary.data or "",
        admission=form.admission.data or "",
        approved_by_id=int(approver) if approver.isdigit() else None,
    )
