"""Victims' feedback: the short survey the portal offers at the points of a case the
force chooses (FEEDBACK_POINTS), answered or dismissed once per victim per point.

The survey is shown on the portal only: nothing is sent to invite a victim to it, so a
victim who is not safe to contact is sent nothing new. The answers are kept apart from
the victim (shared.models.feedback): staff see them only counted, in the compliance
report (shared.services.feedback_results), never with a name.
"""

import uuid
from collections.abc import Mapping

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared.domain.feedback import MAX_COMMENT, QUESTIONS
from shared.extensions import db
from shared.models import CrimeVictim, FeedbackAnswer, FeedbackInvitation, InvestigationUpdate, Victim
from shared.models.types import utcnow
from shared.services import audit, calendar
from shared.services.errors import ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l


class NotOffered(ServiceError):
    """The case has reached no point at which the force offers the survey."""


class AlreadyClosed(ServiceError):
    """The victim has already answered or dismissed the survey at this point."""


def latest_point(victim_updates: int, outcome: int | None) -> str | None:
    """The latest point the force offers the survey at (FEEDBACK_POINTS) that a case
    with this many updates for the victim, and this outcome, has reached; None if none.
    An earlier point not answered is passed over: the victim is asked about now."""
    reached = {"first_update": victim_updates > 0, "outcome": outcome is not None}
    points = [point for point in current_app.config["FEEDBACK_POINTS"] if reached[point]]
    return points[-1] if points else None


def offered(victim_updates: int, outcome: int | None, closed: bool) -> str | None:
    """The point the survey is offered at on the case page, or None."""
    point = latest_point(victim_updates, outcome)
    return None if point is None or closed else point


def current_point(link: CrimeVictim) -> str | None:
    """The latest point `link`'s case has reached (`latest_point`). One query."""
    shown = db.session.scalar(
        select(func.count()).where(
            InvestigationUpdate.crime_id == link.crime_id, InvestigationUpdate.visible_to_victim.is_(True)
        )
    )
    return latest_point(shown or 0, link.crime.outcome)


def closed(link: CrimeVictim, point: str) -> bool:
    """Whether the victim has answered or dismissed the survey at `point`."""
    return (
        db.session.scalar(
            select(FeedbackInvitation.id).where(
                FeedbackInvitation.crime_victim_id == link.id, FeedbackInvitation.point == point
            )
        )
        is not None
    )


def _open_point(link: CrimeVictim) -> str:
    point = current_point(link)
    if point is None:
        raise NotOffered(_l("There is no survey for your case at the moment"))
    if closed(link, point):
        raise AlreadyClosed(_l("You have already answered or turned down this survey. Thank you."))
    return point


def _close(link: CrimeVictim, point: str, how: str, victim: Victim) -> None:
    """Keep that the victim closed the survey at `point`: refused by the database when a
    second request got there first."""
    db.session.add(FeedbackInvitation(crime_victim_id=link.id, point=point, closed_by=how))
    try:
        db.session.flush()
    except IntegrityError:
        raise AlreadyClosed(_l("You have already answered or turned down this survey. Thank you.")) from None
    audit.record(f"victim.feedback_{how}", "crime_victim", link.id, detail=point, actor=victim)


def comment_text(text: str | None) -> str | None:
    """The optional comment, or None: at most MAX_COMMENT characters."""
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise ServiceError(_l("Your comment must be %(max)d characters or fewer", max=MAX_COMMENT), "comment")
    return text or None


@transactional
def answer(link: CrimeVictim, answers: Mapping[str, int | None], comment: str | None, victim: Victim) -> str:
    """The victim's answers at the point their case has reached (`answers`: each question
    of QUESTIONS, 1 to 5 or None for "prefer not to say"), with an optional comment;
    commit and return the point. Raises NotOffered, AlreadyClosed, or ServiceError for a
    comment too long; then nothing is kept. The answer is kept with the team and offence
    group of the crime and the day, and nothing that leads back to the victim."""
    if set(answers) != set(QUESTIONS) or any(
        value is not None and value not in range(1, 6) for value in answers.values()
    ):
        raise ServiceError(_l("Answer each question"), next(iter(QUESTIONS)))
    comment = comment_text(comment)
    point = _open_point(link)
    _close(link, point, "answered", victim)
    crime = link.crime
    db.session.add(
        FeedbackAnswer(
            id=uuid.uuid4().hex,
            point=point,
            answered_on=calendar.local_date(utcnow()),
            team_id=crime.team_id,
            offence_group=crime.offence_group,
            comment=comment,
            **answers,
        )
    )
    return point


@transactional
def dismiss(link: CrimeVictim, victim: Victim) -> str:
    """The victim turns the survey down at the point their case has reached; commit and
    return the point. Raises NotOffered or AlreadyClosed; then nothing is kept."""
    point = _open_point(link)
    _close(link, point, "dismissed", victim)
    return point
