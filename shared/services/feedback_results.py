"""Victims' feedback in the compliance report: for each question, the share of answers
that were satisfied or very satisfied, with the number of answers behind it ("prefer not
to say" is not an answer), for the force or a supervisor's team, the whole period or a
split by team or offence group, and month by month.

Counted by the database (GROUP BY with SUM(CASE ...)), one query each. A figure from
fewer answers than FEEDBACK_MIN_COUNT is suppressed here, once, so that the page, the
CSV and the API cannot show what might point at one victim: its rate and counts are not
given, only that it was suppressed. No count ever comes with a name: the answers do not
hold one (shared.models.feedback).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, literal, select, true

from shared.domain.feedback import QUESTIONS, REPORT_CODES, SATISFIED
from shared.domain.permissions import sees_whole_force
from shared.extensions import db
from shared.models import FeedbackAnswer, StaffMember, Team

# The splits feedback can be grouped by: it is kept with the team and offence group only.
FEEDBACK_SPLITS = ("none", "team", "offence_group")


@dataclass(frozen=True)
class Satisfaction:
    """One question in one group: how many answered it and how many were satisfied;
    both None when suppressed (fewer answers than the report's least)."""

    satisfied: int | None = 0
    answered: int | None = 0
    suppressed: bool = False

    @property
    def rate(self) -> float | None:
        """Satisfied / answered; None with no answers or when suppressed."""
        if not self.answered or self.satisfied is None:
            return None
        return self.satisfied / self.answered


@dataclass(frozen=True)
class Feedback:
    """The surveys answered in one group (None when suppressed) and each question's
    figures by its report code (S1, S2, S3)."""

    responses: int | None
    questions: dict[str, Satisfaction]

    @property
    def suppressed(self) -> bool:
        return self.responses is None


def least() -> int:
    """The fewest answers a figure is shown from (FEEDBACK_MIN_COUNT)."""
    return int(current_app.config["FEEDBACK_MIN_COUNT"])


def _shown(count: int, fewest: int) -> int | None:
    return None if 0 < count < fewest else count


def _feedback(row: Sequence[Any], fewest: int) -> Feedback:
    """(responses, then satisfied and answered for each question) to Feedback, with
    small numbers suppressed."""
    responses, *pairs = (int(value or 0) for value in row)
    questions = {}
    for index, code in enumerate(QUESTIONS):
        satisfied, answered = pairs[2 * index], pairs[2 * index + 1]
        if _shown(answered, fewest) is None:
            questions[REPORT_CODES[code]] = Satisfaction(None, None, True)
        else:
            questions[REPORT_CODES[code]] = Satisfaction(satisfied, answered)
    return Feedback(_shown(responses, fewest), questions)


def empty() -> Feedback:
    return Feedback(0, {REPORT_CODES[code]: Satisfaction() for code in QUESTIONS})


def _sums(columns: Any) -> list[ColumnElement[Any]]:
    """The count of answers, then for each question the satisfied and the answered, from
    `columns` (the model, or a subquery's columns)."""
    out: list[ColumnElement[Any]] = [func.count()]
    for code in QUESTIONS:
        column = getattr(columns, code)
        out.append(func.sum(case((column.in_(SATISFIED), 1), else_=0)))
        out.append(func.count(column))
    return out


def _scope(staff: StaffMember | None) -> ColumnElement[bool]:
    if staff is None or sees_whole_force(staff):
        return true()
    return FeedbackAnswer.team_id == staff.team_id


def results(staff: StaffMember | None, start: date, end: date, split: str) -> dict[tuple, Feedback]:
    """Feedback given on the local dates `start` to `end` (both included) that `staff`
    may see, per group of `split` (none, team or offence group), keyed as the compliance
    report keys its groups: () for none, (team id, team name), (offence group,). One query."""
    keys: list[SQLColumnExpression[Any]] = []
    stmt = select(*_sums(FeedbackAnswer)).select_from(FeedbackAnswer)
    if split == "team":
        keys = [Team.id, Team.name]
        stmt = stmt.join(Team, Team.id == FeedbackAnswer.team_id)
    elif split == "offence_group":
        keys = [FeedbackAnswer.offence_group]
    stmt = stmt.add_columns(*keys).where(
        _scope(staff), FeedbackAnswer.answered_on >= start, FeedbackAnswer.answered_on <= end
    )
    if keys:
        stmt = stmt.group_by(*keys)
    width = 1 + 2 * len(QUESTIONS)
    fewest = least()
    return {tuple(row[width:]): _feedback(row[:width], fewest) for row in db.session.execute(stmt)}


def by_month(staff: StaffMember | None, months: list[date], end: date) -> list[Feedback]:
    """Feedback month by month: `months` are the period's start then the first day of each
    later month (shared.services.reports.month_starts), up to `end`. One query."""
    later = [(FeedbackAnswer.answered_on < first, index) for index, first in enumerate(months[1:])]
    month_of = case(*later, else_=len(months) - 1) if later else literal(0)
    inner = (
        select(*(getattr(FeedbackAnswer, code) for code in QUESTIONS), month_of.label("month"))
        .where(_scope(staff), FeedbackAnswer.answered_on >= months[0], FeedbackAnswer.answered_on <= end)
        .subquery()
    )
    rows = db.session.execute(select(inner.c.month, *_sums(inner.c)).group_by(inner.c.month)).all()
    fewest = least()
    found = {int(row[0]): _feedback(row[1:], fewest) for row in rows}
    return [found.get(index, empty()) for index in range(len(months))]
