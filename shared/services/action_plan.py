"""The force's action plan: recording recommendations and the actions that answer them,
moving an action on (every change with a dated comment, kept as history), and reading
the plan for the board, an owner's own actions and the CSV export.

Who may do what: the Force Crime Registrar's team (`action_plan.manage`) creates
recommendations, themes and actions, changes an action's owner and due date, and moves
its status anywhere, marking it complete included; an action's owner may move their own
action between not started, in progress and awaiting review, never to complete (the
Registrar reviews it) and never out of complete."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, select
from sqlalchemy.orm import aliased

from shared.domain import action_plan as rules
from shared.domain.numbers import MAX_ID, whole_number
from shared.domain.permissions import ROLE_PERMISSIONS, can
from shared.extensions import db
from shared.models import Action, ActionEvent, ActionTheme, Recommendation, StaffMember, StaffRole
from shared.models.types import utcnow
from shared.services import audit, calendar, pager
from shared.services.errors import ServiceError
from shared.services.pager import Latest, Page
from shared.services.unit_of_work import transactional
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l
from shared.translation import ngettext

# Roles whose holders may own an action: the force's own staff, not the Commissioner's
# office or the administrators.
OWNER_ROLES = frozenset(role for role, held in ROLE_PERMISSIONS.items() if "action_plan.own" in held)
# A theme chosen in a form or a filter: a built-in code, or "own-<id>" for a force's own.
OWN_PREFIX = "own-"


def today() -> date:
    """Today in the UK, by the service's clock."""
    return calendar.local_date(utcnow())


# --- Themes -------------------------------------------------------------------------


def own_themes() -> list[ActionTheme]:
    """The force's own themes, by name (a handful: a force adds few)."""
    return list(db.session.scalars(select(ActionTheme).order_by(ActionTheme.name)))


def theme_choices() -> list[tuple[str, str]]:
    """Every theme as (key, label): the five built in, then the force's own."""
    return [(code, str(label)) for code, label in rules.THEMES.items()] + [
        (f"{OWN_PREFIX}{theme.id}", theme.name) for theme in own_themes()
    ]


def _theme_columns(key: str | None) -> tuple[str | None, int | None] | None:
    """The (theme, own_theme_id) a theme key stands for, or None when it names none."""
    if key in rules.THEMES:
        return key, None
    if key and key.startswith(OWN_PREFIX):
        number = whole_number(key.removeprefix(OWN_PREFIX), low=1, high=MAX_ID)
        if number is not None and db.session.get(ActionTheme, number) is not None:
            return None, number
    return None


def theme_label(action: Action) -> str:
    if action.own_theme is not None:
        return action.own_theme.name
    return str(rules.THEMES.get(action.theme or "", action.theme or ""))


@transactional
def add_theme(name: str, by: StaffMember) -> ActionTheme:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Enter the name of the theme"), "name")
    taken = {str(label).casefold() for label in rules.THEMES.values()} | {
        theme.name.casefold() for theme in own_themes()
    }
    if name.casefold() in taken:
        raise ServiceError(_l("There is already a theme with this name"), "name")
    theme = ActionTheme(name=name, created_by_id=by.id)
    db.session.add(theme)
    db.session.flush()
    audit.record("action_plan.theme_added", "action_theme", theme.id, actor=by)
    return theme


# --- Recommendations and actions ----------------------------------------------------


@transactional
def create_recommendation(
    *, source: str, source_title: str, source_date: date, reference: str | None, text: str, by: StaffMember
) -> Recommendation:
    if source not in rules.SOURCES:
        raise ServiceError(_l("Select where the recommendation comes from"), "source")
    if source_date > today():
        raise ServiceError(_l("The date of the report must be today or in the past"), "source_date")
    recommendation = Recommendation(
        source=source,
        source_title=source_title,
        source_date=source_date,
        reference=reference or None,
        text=text,
        created_by_id=by.id,
    )
    db.session.add(recommendation)
    db.session.flush()
    audit.record("action_plan.recommendation_created", "recommendation", recommendation.id, actor=by)
    return recommendation


def recommendations() -> list[Recommendation]:
    """Every recommendation, newest report first (a plan holds tens of them)."""
    return list(
        db.session.scalars(
            select(Recommendation).order_by(Recommendation.source_date.desc(), Recommendation.id)
        )
    )


def find_owner(text: str | None) -> StaffMember | None:
    """The active member of staff a staff ID number or email address names, when they
    may own an action; else None."""
    value = (text or "").strip()
    if value.isascii() and value.isdigit():
        number = whole_number(value, low=1, high=MAX_ID)
        condition = StaffMember.id == number if number is not None else None
    else:
        condition = func.lower(StaffMember.email) == value.lower() if value else None
    if condition is None:
        return None
    return db.session.scalar(
        select(StaffMember).where(
            condition,
            StaffMember.active.is_(True),
            StaffMember.id.in_(select(StaffRole.staff_id).where(StaffRole.role.in_(OWNER_ROLES))),
        )
    )


def _owner_or_refuse(text: str | None) -> StaffMember:
    owner = find_owner(text)
    if owner is None:
        raise ServiceError(
            _l("Enter the staff ID or email address of an active member of the force’s staff"), "owner"
        )
    return owner


def _comment_or_refuse(comment: str | None) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(_l("Enter a comment that says why"), "comment")
    return comment


@transactional
def create_action(
    *,
    recommendation_id: int,
    title: str,
    description: str | None,
    theme: str,
    owner: str,
    due_on: date,
    comment: str,
    by: StaffMember,
    on: date | None = None,
) -> Action:
    """A new action, not started. Its due date may not be in the past: an action that is
    overdue the day it is made is a mistyped date (a plan loaded from before is dated with
    the day it was made, `on`)."""
    recommendation = db.session.get(Recommendation, recommendation_id)
    if recommendation is None:
        raise ServiceError(_l("Select the recommendation the action answers"), "recommendation")
    columns = _theme_columns(theme)
    if columns is None:
        raise ServiceError(_l("Select the theme of the action"), "theme")
    owner_member = _owner_or_refuse(owner)
    if due_on < (on or today()):
        raise ServiceError(_l("The due date must be today or in the future"), "due_on")
    comment = _comment_or_refuse(comment)
    action = Action(
        recommendation_id=recommendation.id,
        title=title,
        description=description or None,
        theme=columns[0],
        own_theme_id=columns[1],
        owner_id=owner_member.id,
        due_on=due_on,
        status="not_started",
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(
        ActionEvent(action_id=action.id, kind="created", to_value="not_started", comment=comment, by_id=by.id)
    )
    audit.record("action_plan.action_created", "action", action.id, actor=by)
    return action


def may_see(action: Action, user: StaffMember) -> bool:
    return can(user, "action_plan.read") or action.owner_id == user.id


def may_move(action: Action, user: StaffMember) -> bool:
    """Whether `user` may change the action's status at all (which statuses: see
    `change_status`)."""
    return can(user, "action_plan.manage") or action.owner_id == user.id


def get_action(action_id: int, user: StaffMember) -> Action | None:
    """The action when `user` may see it (the plan's readers, and its owner), else
    None: another's action is as if it did not exist."""
    action = db.session.get(Action, action_id)
    return action if action is not None and may_see(action, user) else None


def status_choices(action: Action, user: StaffMember) -> list[tuple[str, str]]:
    """The statuses `user` may move the action to."""
    allowed = rules.STATUSES if can(user, "action_plan.manage") else rules.OWNER_STATUSES
    return [(code, str(label)) for code, label in rules.STATUSES.items() if code in allowed]


@transactional
def change_status(action: Action, status: str, comment: str, by: StaffMember) -> None:
    if status not in rules.STATUSES:
        raise ServiceError(_l("Select the new status"), "status")
    if status == action.status:
        raise ServiceError(_l("Select a status different from the one the action has"), "status")
    if not can(by, "action_plan.manage"):
        if action.owner_id != by.id:
            raise ServiceError(
                _l("Only the action’s owner or the Force Crime Registrar’s team can change it")
            )
        if status == rules.COMPLETE:
            raise ServiceError(
                _l(
                    "Only the Force Crime Registrar’s team can mark an action complete: set it to awaiting review"
                ),
                "status",
            )
        if action.status == rules.COMPLETE:
            raise ServiceError(
                _l("Only the Force Crime Registrar’s team can reopen an action that is complete"), "status"
            )
    comment = _comment_or_refuse(comment)
    db.session.add(
        ActionEvent(
            action_id=action.id,
            kind="status",
            from_value=action.status,
            to_value=status,
            comment=comment,
            by_id=by.id,
        )
    )
    action.status = status
    audit.record("action_plan.status_changed", "action", action.id, detail=status, actor=by)


@transactional
def change_owner(action: Action, owner: str, comment: str, by: StaffMember) -> None:
    member = _owner_or_refuse(owner)
    if member.id == action.owner_id:
        raise ServiceError(_l("This member of staff already owns the action"), "owner")
    comment = _comment_or_refuse(comment)
    db.session.add(
        ActionEvent(
            action_id=action.id,
            kind="owner",
            from_value=str(action.owner_id),
            to_value=str(member.id),
            comment=comment,
            by_id=by.id,
        )
    )
    action.owner_id = member.id
    audit.record("action_plan.owner_changed", "action", action.id, actor=by)


@transactional
def change_due_date(action: Action, due_on: date, comment: str, by: StaffMember) -> None:
    """A new due date; one in the past is allowed here, to record when it was really
    due, since the comment says why."""
    if due_on == action.due_on:
        raise ServiceError(_l("Enter a due date different from the one the action has"), "due_on")
    comment = _comment_or_refuse(comment)
    db.session.add(
        ActionEvent(
            action_id=action.id,
            kind="due_date",
            from_value=action.due_on.isoformat(),
            to_value=due_on.isoformat(),
            comment=comment,
            by_id=by.id,
        )
    )
    action.due_on = due_on
    audit.record("action_plan.due_date_changed", "action", action.id, detail=due_on.isoformat(), actor=by)


# --- Reading the plan -----------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    theme: str | None = None
    status: str | None = None
    owner_id: int | None = None


def overdue(on: date) -> ColumnElement[bool]:
    """Whether an action is overdue on the day `on`: due before it and not complete."""
    return and_(Action.due_on < on, Action.status != rules.COMPLETE)


def _listing(filters: Filters, on: date) -> Select:
    """The plan's actions, overdue first, then by due date."""
    stmt = select(Action)
    if filters.theme:
        columns = _theme_columns(filters.theme)
        if columns is None:
            stmt = stmt.where(false())
        elif columns[0] is not None:
            stmt = stmt.where(Action.theme == columns[0])
        else:
            stmt = stmt.where(Action.own_theme_id == columns[1])
    if filters.status:
        stmt = stmt.where(Action.status == filters.status)
    if filters.owner_id is not None:
        stmt = stmt.where(Action.owner_id == filters.owner_id)
    return stmt.order_by(case((overdue(on), 0), else_=1), Action.due_on, Action.id)


def board(filters: Filters, page: int, per_page: int, on: date | None = None) -> Page:
    return pager.fetch_page(_listing(filters, on or today()), page, per_page)


@dataclass
class Summary:
    """The plan counted: by theme and status, overdue, in all."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    # (theme key, label) -> status -> count, in the order the themes are listed
    by_theme: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    overdue: int = 0

    def headline(self) -> str:
        """'38 actions: 29 complete, 9 in progress', in the reader's language."""
        parts = []
        for code in rules.STATUSES:
            count = self.by_status.get(code, 0)
            if count:
                parts.append(_status_count(code, count))
        whole = ngettext("%(num)d action", "%(num)d actions", self.total)
        return _("%(whole)s: %(parts)s", whole=whole, parts=", ".join(parts)) if parts else whole


def _status_count(code: str, count: int) -> str:
    if code == "complete":
        return ngettext("%(num)d complete", "%(num)d complete", count)
    if code == "in_progress":
        return ngettext("%(num)d in progress", "%(num)d in progress", count)
    if code == "awaiting_review":
        return ngettext("%(num)d awaiting review", "%(num)d awaiting review", count)
    return ngettext("%(num)d not started", "%(num)d not started", count)


def summary(on: date | None = None) -> Summary:
    """The plan counted in SQL: one query, grouped by theme and status, whatever the
    number of actions."""
    on = on or today()
    rows: Sequence[Any] = db.session.execute(
        select(
            Action.theme,
            Action.own_theme_id,
            Action.status,
            func.count(),
            func.sum(case((overdue(on), 1), else_=0)),
        ).group_by(Action.theme, Action.own_theme_id, Action.status)
    ).all()
    result = Summary()
    labels = dict(theme_choices())
    for key, label in labels.items():
        result.by_theme[(key, label)] = {}
    for theme, own_theme_id, status_code, number, late in rows:
        key = str(theme) if theme is not None else f"{OWN_PREFIX}{own_theme_id}"
        status, count = str(status_code), int(number)
        cell = result.by_theme.setdefault((key, labels.get(key, key)), {})
        cell[status] = cell.get(status, 0) + count
        result.by_status[status] = result.by_status.get(status, 0) + count
        result.total += count
        result.overdue += int(late or 0)
    return result


def mine(user: StaffMember, page: int, per_page: int, on: date | None = None) -> Page:
    return board(Filters(owner_id=user.id), page, per_page, on)


@dataclass(frozen=True)
class HistoryLine:
    event: ActionEvent
    by_name: str | None
    from_text: str
    to_text: str


def _value_text(kind: str, value: str | None, names: dict[int, str]) -> str:
    if value is None:
        return ""
    if kind in ("status", "created"):
        return str(rules.STATUSES.get(value, value))
    if kind == "owner":
        return names.get(int(value), value)
    return value


def history(action: Action, limit: int) -> Latest:
    """The action's latest `limit` changes, newest first, with who made them and the
    owners they name: two queries, whatever the length of the history."""
    by = aliased(StaffMember)
    latest = pager.fetch_latest(
        select(ActionEvent, by.name)
        .outerjoin(by, by.id == ActionEvent.by_id)
        .where(ActionEvent.action_id == action.id)
        .order_by(ActionEvent.at.desc(), ActionEvent.id.desc()),
        limit,
        rows=True,
    )
    owner_ids = {
        int(value)
        for event, _name in latest.items
        if event.kind == "owner"
        for value in (event.from_value, event.to_value)
        if value
    }
    names = (
        dict(
            db.session.execute(
                select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(owner_ids))
            ).all()
        )
        if owner_ids
        else {}
    )
    latest.items = [
        HistoryLine(
            event=event,
            by_name=name,
            from_text=_value_text(event.kind, event.from_value, names),
            to_text=_value_text(event.kind, event.to_value, names),
        )
        for event, name in latest.items
    ]
    return latest


# --- The CSV export ---------------------------------------------------------------------


def csv_header() -> list[str]:
    return [
        _("Action ID"),
        _("Action"),
        _("Theme"),
        _("Status"),
        _("Overdue"),
        _("Due date"),
        _("Owner"),
        _("Recommendation"),
        _("Source"),
        _("Report"),
        _("Report date"),
        _("Recommendation text"),
        _("Last change"),
        _("Last comment"),
    ]


def csv_rows(filters: Filters, on: date | None = None) -> Iterator[list[str]]:
    """The header, then the plan's actions in the board's order, each with its latest
    change and comment: one query, read in chunks."""
    on = on or today()
    last = (
        select(ActionEvent.action_id, func.max(ActionEvent.id).label("event_id"))
        .group_by(ActionEvent.action_id)
        .subquery()
    )
    listing = _listing(filters, on)
    stmt = (
        listing.add_columns(ActionEvent.at, ActionEvent.comment, overdue(on))
        .outerjoin(last, last.c.action_id == Action.id)
        .outerjoin(ActionEvent, ActionEvent.id == last.c.event_id)
    )
    yield csv_header()
    yes, no = _("Yes"), _("No")
    for row in db.session.execute(stmt.execution_options(yield_per=500)):
        action: Action = row[0]
        at, comment, late = row[1], row[2], row[3]
        recommendation = action.recommendation
        yield [
            str(action.id),
            action.title,
            theme_label(action),
            str(rules.STATUSES.get(action.status, action.status)),
            yes if late else no,
            action.due_on.isoformat(),
            action.owner.name,
            recommendation.reference or "",
            str(rules.SOURCES.get(recommendation.source, recommendation.source)),
            recommendation.source_title,
            recommendation.source_date.isoformat(),
            recommendation.text,
            "" if at is None else at.isoformat(timespec="seconds"),
            comment or "",
        ]


def owner_filter(text: str | None) -> int | None | bool:
    """The staff id a board filter names, None for no filter, False for one that names
    nobody who can own an action."""
    if not (text or "").strip():
        return None
    owner = find_owner(text)
    return owner.id if owner is not None else False
