"""The force's action plan in the back office: the board, an owner's own actions, an
action's page with its history and the forms that move it on, the forms that add to the
plan, and the CSV export. The rules are the service's (shared.services.action_plan)."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from backoffice import bp
from backoffice.forms.action_plan import (
    ActionForm,
    BoardFilterForm,
    DueDateForm,
    OwnerForm,
    RecommendationForm,
    StatusForm,
    ThemeForm,
)
from backoffice.views.common import saved
from shared.domain import action_plan as rules
from shared.domain.permissions import can, requires
from shared.models.types import utcnow
from shared.services import action_plan
from shared.services.spreadsheet import safe_cell, writer
from shared.translation import gettext as _
from shared.web.page_links import pagination_params, requested_page


def _filters_asked(form: BoardFilterForm) -> dict[str, list[str]]:
    names = {field.name for field in form}
    return {
        key: values for key, values in request.args.lists() if key in names and any(v.strip() for v in values)
    }


def _board_filters(form: BoardFilterForm) -> action_plan.Filters | None:
    """The filters of a valid form, or None (with the error on the form) when the owner
    named is nobody who can own an action."""
    if not form.validate():
        return None
    owner = action_plan.owner_filter(form.owner.data)
    if owner is False:
        form.owner.errors = [
            _("Enter the staff ID or email address of an active member of the force’s staff")
        ]
        return None
    return action_plan.Filters(
        theme=form.theme.data or None,
        status=form.status.data or None,
        owner_id=owner if isinstance(owner, int) and not isinstance(owner, bool) else None,
    )


@bp.get("/action-plan")
@requires("action_plan.read", audit="action_plan.board")
def action_plan_board():
    form = BoardFilterForm(request.args, themes=action_plan.theme_choices())
    args = _filters_asked(form)
    filters = _board_filters(form)
    today = action_plan.today()
    page = pagination = None
    if filters is not None:
        page = action_plan.board(filters, requested_page(), current_app.config["ACTION_PLAN_PER_PAGE"], today)
        pagination = pagination_params(page, "backoffice.action_plan_board", **args)
    return render_template(
        "backoffice/action_plan_board.html",
        form=form,
        summary=action_plan.summary(today),
        page=page,
        pagination=pagination,
        today=today,
        filtered=bool(args),
        export_url=url_for("backoffice.action_plan_export", **args),
        statuses=rules.STATUSES,
        theme_label=action_plan.theme_label,
        may_manage=can(current_user, "action_plan.manage"),
    ), (200 if filters is not None else 400)


@bp.get("/action-plan/export.csv")
@requires("action_plan.read", audit="action_plan.export")
def action_plan_export():
    form = BoardFilterForm(request.args, themes=action_plan.theme_choices())
    filters = _board_filters(form)
    if filters is None:
        # The board shows what is wrong with the filters.
        return redirect(url_for("backoffice.action_plan_board", **_filters_asked(form)))

    def lines():
        yield "\ufeff"
        for row in action_plan.csv_rows(filters):
            buffer = _Line()
            writer(buffer).writerow([safe_cell(cell) for cell in row])
            yield buffer.text

    filename = f"action-plan-{utcnow():%Y%m%d}.csv"
    return Response(
        stream_with_context(lines()),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class _Line:
    """Where the csv writer writes one row."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


@bp.get("/action-plan/mine")
@requires("action_plan.own", audit="action_plan.mine")
def my_actions():
    today = action_plan.today()
    page = action_plan.mine(current_user, requested_page(), current_app.config["ACTION_PLAN_PER_PAGE"], today)
    return render_template(
        "backoffice/my_actions.html",
        page=page,
        pagination=pagination_params(page, "backoffice.my_actions"),
        today=today,
        statuses=rules.STATUSES,
        theme_label=action_plan.theme_label,
    )


@bp.route("/action-plan/recommendations/new", methods=["GET", "POST"])
@requires("action_plan.manage")
def new_recommendation():
    form = RecommendationForm()
    if form.validate_on_submit() and saved(
        form,
        action_plan.create_recommendation,
        source=form.source.data,
        source_title=form.source_title.data,
        source_date=form.source_date.data,
        reference=form.reference.data,
        text=form.text.data,
        by=current_user,
    ):
        flash(_("Recommendation added"))
        return redirect(url_for("backoffice.new_action"))
    return render_template("backoffice/action_plan_recommendation.html", form=form), (
        400 if form.errors else 200
    )


@bp.route("/action-plan/themes/new", methods=["GET", "POST"])
@requires("action_plan.manage")
def new_action_theme():
    form = ThemeForm()
    if form.validate_on_submit() and saved(form, action_plan.add_theme, form.name.data, current_user):
        flash(_("Theme %(name)s added", name=form.name.data))
        return redirect(url_for("backoffice.action_plan_board"))
    return render_template("backoffice/action_plan_theme.html", form=form), (400 if form.errors else 200)


@bp.route("/action-plan/actions/new", methods=["GET", "POST"])
@requires("action_plan.manage")
def new_action():
    form = ActionForm(recommendations=action_plan.recommendations(), themes=action_plan.theme_choices())
    if form.validate_on_submit() and saved(
        form,
        action_plan.create_action,
        recommendation_id=int(form.recommendation.data),
        title=form.title.data,
        description=form.description.data,
        theme=form.theme.data,
        owner=form.owner.data,
        due_on=form.due_on.data,
        comment=form.comment.data,
        by=current_user,
    ):
        flash(_("Action added"))
        return redirect(url_for("backoffice.action_plan_board"))
    return render_template("backoffice/action_plan_new_action.html", form=form), (400 if form.errors else 200)


def _action_or_404(action_id: int):
    action = action_plan.get_action(action_id, current_user)
    if action is None:
        abort(404)
    return action


def _action_page(action, status_form=None, owner_form=None, due_form=None, status=200):
    manage = can(current_user, "action_plan.manage")
    may_move = action_plan.may_move(action, current_user)
    statuses = action_plan.status_choices(action, current_user)
    status_form = status_form or (StatusForm(prefix="status", statuses=statuses) if may_move else None)
    owner_form = owner_form or (OwnerForm(prefix="owner", formdata=None) if manage else None)
    due_form = due_form or (DueDateForm(prefix="due", formdata=None) if manage else None)
    today = action_plan.today()
    return render_template(
        "backoffice/action_plan_action.html",
        action=action,
        overdue=action.due_on < today and action.status != rules.COMPLETE,
        history=action_plan.history(action, current_app.config["HISTORY_ROWS"]),
        status_form=status_form,
        owner_form=owner_form,
        due_form=due_form,
        statuses=rules.STATUSES,
        sources=rules.SOURCES,
        kinds=rules.EVENT_KINDS,
        theme_label=action_plan.theme_label(action),
        failed=next((f for f in (status_form, owner_form, due_form) if f is not None and f.errors), None),
    ), status


@bp.get("/action-plan/actions/<int:action_id>")
@requires("action_plan.own", audit="action_plan.action")
def action_plan_action(action_id):
    return _action_page(_action_or_404(action_id))


@bp.post("/action-plan/actions/<int:action_id>/status")
@requires("action_plan.own")
def change_action_status(action_id):
    action = _action_or_404(action_id)
    if not action_plan.may_move(action, current_user):
        abort(403)
    form = StatusForm(prefix="status", statuses=action_plan.status_choices(action, current_user))
    # A status outside the choices offered (an owner asking for "complete") is the
    # service's to refuse, with its reason: the form checks only that one was chosen.
    form.status.pre_validate = lambda _form: None
    if form.validate_on_submit() and saved(
        form, action_plan.change_status, action, form.status.data, form.comment.data, current_user
    ):
        flash(_("Status changed to %(status)s", status=rules.STATUSES[action.status]))
        return redirect(url_for("backoffice.action_plan_action", action_id=action.id))
    return _action_page(action, status_form=form, status=400)


@bp.post("/action-plan/actions/<int:action_id>/owner")
@requires("action_plan.manage")
def change_action_owner(action_id):
    action = _action_or_404(action_id)
    form = OwnerForm(prefix="owner")
    if form.validate_on_submit() and saved(
        form, action_plan.change_owner, action, form.owner.data, form.comment.data, current_user
    ):
        flash(_("Owner changed to %(name)s", name=action.owner.name))
        return redirect(url_for("backoffice.action_plan_action", action_id=action.id))
    return _action_page(action, owner_form=form, status=400)


@bp.post("/action-plan/actions/<int:action_id>/due-date")
@requires("action_plan.manage")
def change_action_due_date(action_id):
    action = _action_or_404(action_id)
    form = DueDateForm(prefix="due")
    if form.validate_on_submit() and saved(
        form, action_plan.change_due_date, action, form.due_on.data, form.comment.data, current_user
    ):
        flash(_("Due date changed"))
        return redirect(url_for("backoffice.action_plan_action", action_id=action.id))
    return _action_page(action, due_form=form, status=400)
